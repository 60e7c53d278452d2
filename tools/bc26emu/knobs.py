"""Every setting of the emulator, with its default. Emulator(**kwargs) takes these names.

Fault knobs may also be changed while it runs (emu.knobs.send_fail = True): the modem reads them
at the moment they matter.

profile="realistic" sets the knobs of PROFILES["realistic"] (a module as a driver meets it on a
real UART: pieces at 115200 baud, slow answers, URCs anywhere a record may start, late recv
notices, a boot that ignores AT); knobs given by name override it. The default, "tidy", answers at
once and in one piece. `python -m tools.bc26emu --profile realistic`, or BC26EMU_PROFILE in the
environment of tools/demo/demo.py and tools/checks/soak.py, selects it there.
"""

import dataclasses
import os

PROFILE_ENV = "BC26EMU_PROFILE"
SEED_ENV = "BC26EMU_SEED"

# What a real BC26 does that the tidy default does not. Figures from the manual (answers within
# 300 ms, 115200 baud) and from what drivers in the field had to cope with (research/peers.md).
PROFILES = {
    "tidy": {},
    "realistic": {
        "baud": 115200,
        "chunk_max": 64,
        "chunk_gap": 0.004,
        "answer_delay": 0.3,
        "urc_noise_rate": 0.1,
        "late_recv_rate": 0.25,
        "boot_time": 0.4,
        "boot_deaf": 0.1,
    },
}


@dataclasses.dataclass
class Knobs:
    profile: str = "tidy"  # "tidy" or "realistic": a set of the knobs below (PROFILES), given ones win

    # Identity and network ---------------------------------------------------------------------
    model: str = "BC26"  # "BC26" or "BC20": what ATI prints
    revision: str = ""  # ATI revision line; empty means the model's first release
    ip: str = "10.170.235.216"  # the address the module pretends the network gave it (+IP:, CGPADDR)
    reg_delay: float = 0.0  # seconds from power-on (or attach, or coverage back) to registration
    network_apn: str = None  # the network attaches only with this APN (AT+QCGDEFCONT); None: any
    boot: str = "rdy"  # what is printed at power-on: "rdy" (\r\nRDY\r\n), "brom" (MediaTek banner), "none"
    boot_time: float = 0.0  # seconds from power-on to the banner, deaf meanwhile (the first power-on
    #                         counts from when the host connects or first writes: both power up together)
    boot_deaf: float = 0.0  # seconds after the banner that the module still ignores every byte
    csq: tuple = (23, 99)  # +CSQ once registered (99,99 before)
    cereg: int = 0  # initial AT+CEREG=<n>
    tz_quarters: int = 32  # time zone printed by +QNTP, +CCLK, +QCCLK (quarter hours)
    echo: bool = True  # ATE1 at power-on, like a real module
    echomode: int = 0  # initial AT+QICFG="echomode"
    qigeterror_lowercase: bool = False  # "invalid parameters" as in example 4.6 (default: table text)
    remote_close_state: int = 4  # QISTATE <socket_state> after "closed": 4 Remote Closing (or 3 Closing)
    max_nodes: int = 20  # buffer-mode receive nodes per socket (manual 2.4.3)
    iccid: str = "89860000000000000012"  # AT+QCCID
    apn: str = ""  # AT+QCGDEFCONT? until set (empty: the network chooses)

    # Bring-up failures (what bc26.doctor must name) -------------------------------------------
    sim: str = "ready"  # "ready", "missing" (+CME ERROR: 10), "pin" (+CPIN: SIM PIN): no registration
    network: str = "home"  # "home", "roaming" (stat 5), "searching" (no signal: CSQ 99), "denied" (stat 3)
    no_dns: bool = False  # the network gave no DNS server: lookups fail until AT+QIDNSCFG sets one
    wrong_baud: bool = False  # the UART runs at another rate: commands are not understood, output is garbage

    # Real networking --------------------------------------------------------------------------
    hosts: dict = None  # name -> "a.b.c.d" or [addresses]; consulted before any DNS
    redirect: dict = None  # "ip:port" -> "host:port" actually dialled by QIOPEN (QISTATE shows the original)
    dns_port: int = 53  # port of the servers set with AT+QIDNSCFG
    dns_timeout: float = 3.0
    dns_ttl: int = 600  # TTL reported when the answer has none (getaddrinfo, hosts)
    ntp_timeout: float = 5.0
    connect_timeout: float = 60.0  # TCP connect limit before +QIOPEN: <id>,569

    # Latencies (seconds) added to what the host network takes ---------------------------------
    open_latency: float = 0.0
    send_latency: float = 0.0  # between OK and SEND OK
    close_latency: float = 0.0  # between OK and CLOSE OK
    ping_latency: float = 0.0  # added to each echo's measured time
    dns_latency: float = 0.0
    ntp_latency: float = 0.0

    # Output ---------------------------------------------------------------------------------
    baud: int = None  # pace output at this rate (None: as fast as it is read)
    seed: int = 0  # for every random choice (faults, pieces, delays, noise): a seed repeats a run's draws
    chunk_max: int = 0  # print in pieces of 1..chunk_max bytes (0: each output as one piece)
    chunk_gap: float = 0.0  # up to this many seconds of silence between pieces
    answer_delay: float = 0.0  # an answer (prompt, result of a send, trailer) starts up to this many
    #                            seconds after its command; skewed: median 1/8 of it, one in five over 1/2

    # Faults ---------------------------------------------------------------------------------
    drop_rate: float = 0.0  # probability each output byte is lost
    corrupt_rate: float = 0.0  # probability each output byte has one bit flipped
    urc_delay: float = 0.0  # extra seconds before every URC
    urc_duplicate_rate: float = 0.0  # probability a URC is printed twice
    urc_in_answers: str = ""  # this unsolicited line (e.g. '+CEREG: 1') cuts into every answer
    urc_noise_rate: float = 0.0  # probability of an unsolicited line (+CEREG:, +CSCON:) at each place one
    #                              can appear: after a command's echo, between answer lines, after OK
    late_recv_rate: float = 0.0  # probability that a buffer-mode recv notice follows the OK of an
    #                              AT+QIRD that returned data (the notice lost the race with the read)
    reboot_on: str = None  # reboot (RDY, sockets forgotten) when a command line starts with this; one shot
    silent_after: int = None  # stop answering anything after this many command lines
    silent: bool = False  # answer nothing at all (set at run time to simulate a hung module)
    send_fail: bool = False  # every send ends in SEND FAIL
    refuse_connect: bool = False  # every QIOPEN ends in +QIOPEN: <id>,566 without dialling
    fail_next: tuple = None  # (command prefix, code): the next such command answers ERROR with that
    #                          last error (AT+QIGETERROR); one shot, for walking the error table

    # Logging --------------------------------------------------------------------------------
    log: str = None  # append the transcript to this file

    def __post_init__(self):
        if self.profile not in PROFILES:
            raise ValueError("profile must be one of: " + ", ".join(PROFILES))
        for name in ("chunk_max", "chunk_gap", "answer_delay", "urc_noise_rate", "late_recv_rate"):
            if getattr(self, name) < 0:
                raise ValueError(name + " must not be negative")
        if self.boot_time < 0 or self.boot_deaf < 0:
            raise ValueError("boot_time and boot_deaf must not be negative")
        self.hosts = dict(self.hosts or {})
        self.redirect = {str(k): str(v) for k, v in (self.redirect or {}).items()}
        if self.model not in ("BC26", "BC20"):
            raise ValueError("model must be BC26 or BC20")
        if self.boot not in ("rdy", "brom", "none"):
            raise ValueError("boot must be rdy, brom or none")
        if self.sim not in ("ready", "missing", "pin"):
            raise ValueError("sim must be ready, missing or pin")
        if self.network not in ("home", "roaming", "searching", "denied"):
            raise ValueError("network must be home, roaming, searching or denied")
        if self.remote_close_state not in (3, 4):
            raise ValueError("remote_close_state must be 3 or 4")

    def redirected(self, host, port):
        target = self.redirect.get("%s:%d" % (host, port))
        if not target:
            return host, port
        name, _, dest_port = target.rpartition(":")
        return name, int(dest_port)


def knob_names():
    return [f.name for f in dataclasses.fields(Knobs)]


def with_profile(knobs):
    """The knob values of knobs["profile"] (default tidy), overridden by the ones in knobs."""
    merged = dict(PROFILES.get(knobs.get("profile") or "tidy", {}))
    merged.update(knobs)
    return merged


def profile_from_env(environ=None):
    """Knobs named by the environment: {"profile": ..., "seed": ...} as far as they are set."""
    environ = os.environ if environ is None else environ
    out = {}
    if environ.get(PROFILE_ENV):
        out["profile"] = environ[PROFILE_ENV]
    if environ.get(SEED_ENV):
        out["seed"] = int(environ[SEED_ENV])
    return out
