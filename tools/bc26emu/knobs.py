"""Every setting of the emulator, with its default. Emulator(**kwargs) takes these names.

Fault knobs may also be changed while it runs (emu.knobs.send_fail = True): the modem reads them
at the moment they matter.
"""

import dataclasses


@dataclasses.dataclass
class Knobs:
    # Identity and network ---------------------------------------------------------------------
    model: str = "BC26"  # "BC26" or "BC20": what ATI prints
    revision: str = ""  # ATI revision line; empty means the model's first release
    ip: str = "10.170.235.216"  # the address the module pretends the network gave it (+IP:, CGPADDR)
    reg_delay: float = 0.0  # seconds from power-on (or attach, or coverage back) to registration
    network_apn: str = None  # the network attaches only with this APN (AT+QCGDEFCONT); None: any
    boot: str = "rdy"  # what is printed at power-on: "rdy" (\r\nRDY\r\n), "brom" (MediaTek banner), "none"
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
    seed: int = 0  # for every random fault

    # Faults ---------------------------------------------------------------------------------
    drop_rate: float = 0.0  # probability each output byte is lost
    corrupt_rate: float = 0.0  # probability each output byte has one bit flipped
    urc_delay: float = 0.0  # extra seconds before every URC
    urc_duplicate_rate: float = 0.0  # probability a URC is printed twice
    urc_in_answers: str = ""  # this unsolicited line (e.g. '+CEREG: 1') cuts into every answer
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
