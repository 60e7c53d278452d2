# Runs tests_device/ in the MicroPython unix port against the emulator, with real servers on
# 127.0.0.1, and checks that together they sent every command of the manual.
import os
import re

from mp import ROOT, emulator_on_tcp, run_micropython
from tests_device.dev_services import COMMANDS as TCPIP_COMMANDS
from tools.servers import DnsServer, NtpServer, TcpEchoServer, UdpEchoServer, free_port

# Every command form of the manual that the device tests must have sent.
MANUAL = (
    r"AT\+QIOPEN=1,\d,\"TCP\"",
    r"AT\+QIOPEN=1,\d,\"UDP\"",
    r"AT\+QICLOSE=\d$",
    r"AT\+QISTATE\?$",
    r"AT\+QISTATE=0,1$",
    r"AT\+QISTATE=1,\d$",
    r"AT\+QISEND=\d,\d+,.",  # inline
    r"AT\+QISEND=\d$",  # data mode, Ctrl+Z
    r"AT\+QISEND=\d,[1-9]\d*$",  # data mode, fixed length
    r"AT\+QISEND=\d,0$",  # sent / acked
    r"AT\+QISENDEX=\d,\d+,",
    r"AT\+QIRD=\d,\d+$",
    r"AT\+QISWTMD=\d,[01]$",
    r"AT\+QPING=1,",
    r"AT\+QNTP=1,",
    r"AT\+QIDNSGIP=1,",
    r"AT\+QIDNSCFG=1,\"",
    r"AT\+QIDNSCFG=1$",
    r"AT\+QICFG=\"dataformat\",[01],[01]$",
    r"AT\+QICFG=\"viewmode\",[01]$",
    r"AT\+QICFG=\"showlength\",[01]$",
    r"AT\+QICFG=\"echomode\",[01]$",
    r"AT\+QICFG=\"dataformat\"$",
    r"AT\+QICFG=\"viewmode\"$",
    r"AT\+QICFG=\"showlength\"$",
    r"AT\+QICFG=\"echomode\"$",
    r"AT\+QIGETERROR$",
)
# And the test form of every TCP/IP command.
MANUAL += tuple(r"AT\+%s=\?$" % c for c in TCPIP_COMMANDS)

SETTINGS = """BOARD = "unix"
TCP_ECHO = ("127.0.0.1", {tcp})
UDP_ECHO = ("127.0.0.1", {udp})
NTP = ("127.0.0.1", {ntp})
DNS_SERVERS = ("127.0.0.1", "127.0.0.2")
NAME = ("sensor.bc26.test", "127.0.0.1")
PING = "127.0.0.1"
REFUSED = ("127.0.0.1", {refused})
"""


import pytest  # noqa: E402

# The tidy emulator; one URC inside every answer; and the realistic profile (pieces of 1-64 bytes
# at 115200 baud, answers after up to 300 ms, URCs after the echo, inside answers and after OK,
# late recv notices after AT+QIRD, a boot that ignores AT), seeded so a failure can be replayed.
PROFILES = {
    "plain": {},
    "urc-inside-every-answer": {"urc_in_answers": "+CEREG: 1"},
    "realistic": {"profile": "realistic", "seed": 13},
}


# From .py, as here, MicroPython compiles each module of the library the first time it is used,
# so the modules loaded on first use compile late, in a heap the run has cut into pieces: the
# parser and the compiler need room in one piece that the .mpy files a board installs do not
# (the run through the trace met a 256k heap with no 640 bytes in one piece for raw.py).
HEAP = "320k"


def run_device_tests(tmp_path, knobs=None, extra=""):
    """(output, emulator) of tests_device/run.py against a fresh emulator (knobs) and servers."""
    tcp = TcpEchoServer()
    udp = UdpEchoServer()
    ntp = NtpServer()
    dns = DnsServer({"sensor.bc26.test": "127.0.0.1"})
    try:
        log = str(tmp_path / "wire.log")
        with emulator_on_tcp(reg_delay=0.2, dns_port=dns.port, log=log, **(knobs or {})) as (emu, port):
            (tmp_path / "device_settings.py").write_text(
                SETTINGS.format(tcp=tcp.port, udp=udp.port, ntp=ntp.port, refused=free_port()) + extra
            )
            proc = run_micropython(
                [os.path.join(ROOT, "tests_device", "run.py")],
                env={"BC26_EMU_PORT": str(port)},
                path=(str(tmp_path),),
                timeout=240,
                heapsize=HEAP,
            )
    finally:
        for server in (tcp, udp, ntp, dns):
            server.close()
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    assert re.search(r"device: [1-9]\d* passed, 0 failed", out), out
    return out, emu


@pytest.mark.parametrize("knobs", list(PROFILES.values()), ids=list(PROFILES))
def test_device_tests_against_the_emulator(tmp_path, knobs):
    out, emu = run_device_tests(tmp_path, knobs)
    commands = list(emu.commands)
    missing = [p for p in MANUAL if not any(re.match(p, c) for c in commands)]
    assert not missing, "never sent: %s" % missing


def steps(out):
    return [line.split(":")[0] for line in out.splitlines() if line.startswith(("ok ", "FAIL "))]


def test_device_tests_through_the_trace(tmp_path):
    # bc26.trace must change nothing: the same steps pass with it, and what it recorded is
    # what crossed the wire, byte for byte both ways (the emulator's own transcript).
    from test_trace import wire

    plain, _ = run_device_tests(tmp_path)
    path = tmp_path / "trace.txt"
    extra = "TRACE = 40\n_f = open(%r, 'w')\n\ndef TRACE_OUT(line):\n    _f.write(line + '\\n')\n" % str(path)
    traced, emu = run_device_tests(tmp_path, extra=extra)
    assert steps(traced) == steps(plain) and len(steps(plain)) > 10, (steps(plain), steps(traced))
    lines = path.read_text().splitlines()
    sent, received = wire(lines)
    assert sent == emu.transcript.bytes_in()
    module_out = emu.transcript.bytes_out()
    # The run may end before it read the module's last bytes; never with more than it sent.
    assert module_out.startswith(received) and len(module_out) - len(received) < 200
    assert len(sent) > 20000 and len(received) > 20000, (len(sent), len(received))
    assert "the Esc in start(): > \\x1b" in traced and "+QNTP line" in traced, traced
    assert "boot banner (AT+QRST=1): \\r\\nRDY\\r\\n" in traced, traced


def test_a_failing_step_shows_the_module_s_own_words(tmp_path):
    # The checklist on a board: a step that fails says so with the error and the module's last
    # lines from the trace, and the summary names it.
    tcp, udp, ntp = TcpEchoServer(), UdpEchoServer(), NtpServer()
    try:
        with emulator_on_tcp(reg_delay=0.2, refuse_connect=True) as (_, port):
            (tmp_path / "device_settings.py").write_text(
                SETTINGS.format(tcp=tcp.port, udp=udp.port, ntp=ntp.port, refused=free_port())
                + "TRACE = 40\n"
            )
            proc = run_micropython(
                [os.path.join(ROOT, "tests_device", "run.py"), "dev_sockets"],
                env={"BC26_EMU_PORT": str(port)},
                path=(str(tmp_path),),
                timeout=240,
            )
    finally:
        for server in (tcp, udp, ntp):
            server.close()
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 1, out
    fail = [line for line in out.splitlines() if line.startswith("FAIL  dev_sockets.test_udp_both_modes:")]
    assert fail and "566 Socket connection failed" in fail[0] and "[module: " in fail[0], out
    assert "+QIOPEN: 0,566" in fail[0], fail
    assert "ok    dev_sockets.test_refused_connection_names_the_error" in out
    assert re.search(r"failed: .*dev_sockets.test_udp_both_modes", out), out
    assert re.search(r"device: [1-9]\d* passed, [1-9]\d* failed", out), out
