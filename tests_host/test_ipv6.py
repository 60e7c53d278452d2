# IPv6, as the manual has it: AT+QIOPEN's <protocol_type> 1. The emulator opens IPv6 sockets (to
# ::1 here), AT+QISTATE shows the IPv6 address, AT+QIDNSGIP answers with AAAA records (IPv4
# addresses first), and AT+QIDNSCFG takes an IPv6 DNS server. Then the library end to end in the
# MicroPython unix port: Modem.open(..., ipv6=True) for TCP and UDP, socket_state(), resolve(),
# and bc26.usocket with AF_INET6 and getaddrinfo's family filter.
import re

from mp import emulator_on_tcp, run_micropython
from tools.bc26emu.testing import OK
from tools.servers import DnsServer, TcpEchoServer, UdpEchoServer

RECORDS = {"dual.test": ["127.0.0.1", "::1"], "v6.test": "::1", "v4.test": "127.0.0.1"}


def test_emulator_tcp_over_ipv6(ready_session, servers):
    echo = servers(TcpEchoServer, host="::1")
    s = ready_session()
    s.send(b'AT+QIOPEN=1,0,"TCP","::1",%d,0,0,1\r' % echo.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n", timeout=5)
    s.send(b"AT+QISTATE=1,0\r")
    s.expect_exact(b'\r\n+QISTATE: 0,"TCP","::1",%d,0,2,1,0\r\n' % echo.port + OK)
    s.send(b"AT+QISEND=0,5,over6\r")
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    s.expect_exact(b'\r\n+QIURC: "recv",0\r\n', timeout=5)
    s.send(b"AT+QIRD=0,512\r")
    s.expect_exact(b"\r\n+QIRD: 5\r\nover6\r\n" + OK)
    assert echo.received == b"over6"
    # The peer saw an IPv6 client.
    assert echo.wait_clients(1) and ":" in echo.clients[0].getpeername()[0]
    s.send(b"AT+QICLOSE=0\r")
    s.expect_exact(OK + b"\r\nCLOSE OK\r\n", timeout=5)


def test_emulator_udp_over_ipv6(ready_session, servers):
    echo = servers(UdpEchoServer, host="::1")
    s = ready_session()
    s.send(b'AT+QIOPEN=1,2,"UDP","::1",%d,0,1,1\r' % echo.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 2,0\r\n", timeout=5)
    s.send(b"AT+QISTATE?\r")
    s.expect_exact(b'\r\n+QISTATE: 2,"UDP","::1",%d,0,2,1,1\r\n' % echo.port + OK)
    s.send(b"AT+QISEND=2,4,dgm6\r")
    s.expect_exact(OK + b'\r\nSEND OK\r\n\r\n+QIURC: "recv",2,4\r\ndgm6\r\n', timeout=5)
    assert echo.received == [b"dgm6"] and ":" in echo.last_peer[0]


def test_emulator_dns_answers_aaaa(ready_session, servers):
    dns = servers(DnsServer, RECORDS, ttl=77)
    dns6 = servers(DnsServer, {"only-here.test": "::1"}, host="::1", port=dns.port)
    echo = servers(TcpEchoServer, host="::1")
    s = ready_session(dns_port=dns.port)
    s.command(b'AT+QIDNSCFG=1,"127.0.0.1"')
    s.send(b'AT+QIDNSGIP=1,"dual.test"\r')
    s.expect_exact(
        OK + b'\r\n+QIURC: "dnsgip",0,2,77\r\n\r\n+QIURC: "dnsgip","127.0.0.1"\r\n'
        b'\r\n+QIURC: "dnsgip","::1"\r\n',
        timeout=3,
    )
    s.send(b'AT+QIDNSGIP=1,"v6.test"\r')
    s.expect_exact(OK + b'\r\n+QIURC: "dnsgip",0,1,77\r\n\r\n+QIURC: "dnsgip","::1"\r\n', timeout=3)
    assert dns.qtypes[-4:] == [1, 28, 1, 28]
    # A name with only AAAA records opens with <protocol_type> 1, and not with 0.
    s.send(b'AT+QIOPEN=1,0,"TCP","v6.test",%d,0,0,1\r' % echo.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n", timeout=5)
    s.send(b"AT+QISTATE=1,0\r")
    s.expect_exact(b'\r\n+QISTATE: 0,"TCP","v6.test",%d,0,2,1,0\r\n' % echo.port + OK)
    assert dns.qtypes[-1] == 28
    s.send(b'AT+QIOPEN=1,1,"TCP","v6.test",%d,0,0,0\r' % echo.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 1,565\r\n", timeout=5)
    s.command(b"AT+QICLOSE=1", OK + b"\r\nCLOSE OK\r\n")
    # An IPv6 DNS server (manual: where the network has IPv6 only).
    s.command(b'AT+QIDNSCFG=1,"::1"')
    s.send(b'AT+QIDNSGIP=1,"only-here.test"\r')
    s.expect_exact(OK + b'\r\n+QIURC: "dnsgip",0,1,300\r\n\r\n+QIURC: "dnsgip","::1"\r\n', timeout=3)
    assert dns6.queries == ["only-here.test", "only-here.test"]


LIBRARY = """
import bc26, board
import bc26.usocket as usocket

m = board.make_modem("unix")
m.start()
m.wait_network(10000)

# Modem.open with ipv6=True: TCP and UDP to ::1.
t = m.open("TCP", "::1", TCP_PORT, ipv6=True)
u = m.open("UDP", "::1", UDP_PORT, ipv6=True)
t.send(b"tcp over v6")
assert t.recv(64, 5000) == b"tcp over v6"
u.send(b"udp over v6")
assert u.recv(64, 5000) == b"udp over v6"
states = {i.id: i for i in m.socket_state()}
assert states[t.id].address == "::1" and states[t.id].service == "TCP", states
assert states[u.id].address == "::1" and states[u.id].remote_port == UDP_PORT, states
print("state", states[t.id].address, states[u.id].address)
t.close()
u.close()

# DNS answers with IPv6 addresses.
addrs, ttl = m.resolve("dual.test")
assert addrs == ["127.0.0.1", "::1"], addrs
print("resolve", addrs)

# The socket module: getaddrinfo's families, AF_INET6 sockets.
usocket.install(m)
import socket
ai = socket.getaddrinfo("dual.test", TCP_PORT)
assert [(a[0], a[4]) for a in ai] == [
    (socket.AF_INET, ("127.0.0.1", TCP_PORT)), (socket.AF_INET6, ("::1", TCP_PORT))], ai
assert socket.getaddrinfo("dual.test", 1, socket.AF_INET6)[0][4] == ("::1", 1)
assert [a[4][0] for a in socket.getaddrinfo("dual.test", 1, socket.AF_INET)] == ["127.0.0.1"]
assert socket.getaddrinfo("::1", 7)[0][0] == socket.AF_INET6
try:
    socket.getaddrinfo("v6.test", 1, socket.AF_INET)
    raise AssertionError("an IPv6-only name gave an IPv4 address")
except OSError:
    pass
fam, typ, proto, _, addr = socket.getaddrinfo("v6.test", TCP_PORT, socket.AF_INET6)[0]
s = socket.socket(fam, typ, proto)
s.connect(addr)
s.write(b"stream six")
assert s.read(10) == b"stream six"
s.close()
# As umqtt does it: a default socket, connected to what getaddrinfo gave.
s = socket.socket()
s.connect(socket.getaddrinfo("v6.test", TCP_PORT)[0][-1])
s.send(b"umqtt style")
assert s.recv(11) == b"umqtt style"
s.close()
d = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
d.sendto(b"datagram six", ("::1", UDP_PORT))
data, peer = d.recvfrom(64)
assert data == b"datagram six" and peer[0] == "::1", (data, peer)
d.close()
# A name through an AF_INET6 socket opens with <protocol_type> 1.
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.connect(("v6.test", TCP_PORT))
s.send(b"by name")
assert s.recv(7) == b"by name"
s.close()
print("ipv6 ok")
"""


def test_library_and_socket_module_over_ipv6_in_the_unix_port():
    tcp = TcpEchoServer(host="::1")
    udp = UdpEchoServer(host="::1")
    dns = DnsServer(RECORDS)
    try:
        with emulator_on_tcp(reg_delay=0, dns_port=dns.port) as (emu, port):
            # The emulator asks the local DNS server (set here, as AT+QIDNSCFG would).
            emu.modem.dns_servers = ["127.0.0.1"]
            code = LIBRARY.replace("TCP_PORT", str(tcp.port)).replace("UDP_PORT", str(udp.port))
            proc = run_micropython(["-c", code], env={"BC26_EMU_PORT": str(port)})
            cmds = emu.commands
    finally:
        for server in (tcp, udp, dns):
            server.close()
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "ipv6 ok" in out, out
    opens = [c for c in cmds if c.startswith("AT+QIOPEN")]
    assert len(opens) == 6, opens
    assert all(re.search(r",1$", c) for c in opens), opens  # every one with <protocol_type> 1
    assert any('"v6.test"' in c for c in opens), opens
