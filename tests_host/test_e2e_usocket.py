# The socket contract of bc26.usocket (MicroPython semantics) in the unix port, through the
# emulator, against real servers on 127.0.0.1. Runs tests_device/e2e_socket.py.
import re

from e2e_util import run_device, write_settings

from mp import emulator_on_tcp
from tools.servers import DnsServer, TcpEchoServer, UdpEchoServer, free_port


def test_socket_contract_against_local_servers(tmp_path):
    with (
        TcpEchoServer() as tcp,
        UdpEchoServer() as udp,
        DnsServer({"echo.bc26.test": "127.0.0.1"}) as dns,
        emulator_on_tcp(dns_port=dns.port, dns_timeout=1.0) as (emu, port),
    ):
        write_settings(
            tmp_path,
            ECHO=("echo.bc26.test", tcp.port),
            UDP=("127.0.0.1", udp.port),
            DNS="127.0.0.1",
            NAME=("echo.bc26.test", "127.0.0.1"),
            REFUSED=("127.0.0.1", free_port()),
        )
        out = run_device("e2e_socket.py", port, tmp_path)
    assert re.search(r"usocket: [1-9]\d* passed, 0 failed", out), out
