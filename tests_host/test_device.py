# Runs tests_device/ in the MicroPython unix port against the emulator, with real servers on
# 127.0.0.1, and checks that together they sent every command of the manual.
import os
import re

from mp import ROOT, emulator_on_tcp, run_micropython
from tests_device.dev_services import COMMANDS as TCPIP_COMMANDS
from tools.localservers import DnsServer, NtpServer, TcpEchoServer, UdpEchoServer

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


def free_port():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


import pytest  # noqa: E402

# The tidy emulator; one URC inside every answer; and the realistic profile (pieces of 1-64 bytes
# at 115200 baud, answers after up to 300 ms, URCs after the echo, inside answers and after OK,
# late recv notices after AT+QIRD, a boot that ignores AT), seeded so a failure can be replayed.
PROFILES = {
    "plain": {},
    "urc-inside-every-answer": {"urc_in_answers": "+CEREG: 1"},
    "realistic": {"profile": "realistic", "seed": 13},
}


@pytest.mark.parametrize("knobs", list(PROFILES.values()), ids=list(PROFILES))
def test_device_tests_against_the_emulator(tmp_path, knobs):
    tcp = TcpEchoServer()
    udp = UdpEchoServer()
    ntp = NtpServer()
    dns = DnsServer({"sensor.bc26.test": "127.0.0.1"})
    try:
        with emulator_on_tcp(reg_delay=0.2, dns_port=dns.port, log=str(tmp_path / "wire.log"), **knobs) as (
            emu,
            port,
        ):
            (tmp_path / "device_settings.py").write_text(
                SETTINGS.format(tcp=tcp.port, udp=udp.port, ntp=ntp.port, refused=free_port())
            )
            proc = run_micropython(
                [os.path.join(ROOT, "tests_device", "run.py")],
                env={"BC26_EMU_PORT": str(port)},
                path=(str(tmp_path),),
                timeout=240,
            )
            commands = list(emu.commands)
    finally:
        for server in (tcp, udp, ntp, dns):
            server.close()
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    assert re.search(r"device: [1-9]\d* passed, 0 failed", out), out
    missing = [p for p in MANUAL if not any(re.match(p, c) for c in commands)]
    assert not missing, "never sent: %s" % missing
