"""DNS, NTP and ping done for real: a local DNS responder, an NTP responder, ICMP to 127.0.0.1."""

import re

from tools.bc26emu.netservices import open_icmp_socket
from tools.bc26emu.testing import OK
from tools.servers import DnsServer, NtpServer, UdpEchoServer


def icmp_allowed():
    sock, _ = open_icmp_socket()
    if sock is None:
        return False
    sock.close()
    return True


def test_qidnsgip_asks_the_configured_server(ready_session, servers):
    dns = servers(DnsServer, {"multi.test": ["10.0.0.1", "10.0.0.2"]}, ttl=123)
    s = ready_session(dns_port=dns.port)
    s.command(b'AT+QIDNSCFG=1,"127.0.0.1"')
    s.send(b"AT+QIDNSCFG=1\r")
    s.expect_exact(b'\r\n+QIDNSCFG: 1,"127.0.0.1"\r\n' + OK)
    s.send(b'AT+QIDNSGIP=1,"multi.test"\r')
    s.expect_exact(
        OK + b'\r\n+QIURC: "dnsgip",0,2,123\r\n\r\n+QIURC: "dnsgip","10.0.0.1"\r\n'
        b'\r\n+QIURC: "dnsgip","10.0.0.2"\r\n'
    )
    # AT+QIDNSGIP asks for A, then AAAA records (none here).
    assert dns.queries == ["multi.test", "multi.test"] and dns.qtypes == [1, 28]


def test_secondary_server_is_tried(ready_session, servers):
    dns = servers(DnsServer, {"second.test": "10.9.8.7"})
    # The primary (a TEST-NET address) never answers; the emulator moves on after dns_timeout.
    s = ready_session(dns_port=dns.port, dns_timeout=0.1)
    s.command(b'AT+QIDNSCFG=1,"192.0.2.1","127.0.0.1"')
    s.send(b'AT+QIDNSGIP=1,"second.test"\r')
    s.expect_exact(OK + b'\r\n+QIURC: "dnsgip",0,1,300\r\n\r\n+QIURC: "dnsgip","10.9.8.7"\r\n', timeout=2)


def test_qiopen_by_domain_name(ready_session, servers):
    dns = servers(DnsServer, {"echo.test": "127.0.0.1"})
    echo = servers(UdpEchoServer)
    s = ready_session(dns_port=dns.port)
    s.command(b'AT+QIDNSCFG=1,"127.0.0.1"')
    s.send(b'AT+QIOPEN=1,1,"UDP","echo.test",%d,0,1\r' % echo.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 1,0\r\n")
    s.send(b"AT+QISTATE=1,1\r")
    s.expect_exact(b'\r\n+QISTATE: 1,"UDP","echo.test",%d,0,2,1,1\r\n' % echo.port + OK)
    s.send(b"AT+QISEND=1,4,ping\r")
    s.expect_exact(OK + b'\r\nSEND OK\r\n\r\n+QIURC: "recv",1,4\r\nping\r\n')


def test_host_resolver_without_dns_config(ready_session):
    s = ready_session()
    s.send(b'AT+QIDNSGIP=1,"localhost"\r')
    # IPv4 first; a host whose /etc/hosts also maps localhost to ::1 adds it after.
    s.expect_exact(OK + b'\r\n+QIURC: "dnsgip",0,')
    count = int(s.expect(b",600\r\n")[:-6])
    s.expect_exact(b'\r\n+QIURC: "dnsgip","127.0.0.1"\r\n')
    if count == 2:
        s.expect_exact(b'\r\n+QIURC: "dnsgip","::1"\r\n')
    else:
        assert count == 1, count


def test_ntp_without_auto_set_leaves_the_clock(ready_session, servers):
    ntp = servers(NtpServer, offset=-7 * 86400)
    s = ready_session(tz_quarters=0)
    before = s.command(b"AT+QCCLK?")
    s.send(b'AT+QNTP=1,"127.0.0.1",%d,0\r' % ntp.port)
    s.expect_exact(OK)
    urc = s.expect(b'"\r\n')
    assert re.fullmatch(rb'\r\n\+QNTP: 0,"\d\d/\d\d/\d\d,\d\d:\d\d:\d\d\+00"\r\n', urc)
    assert urc[12:20] != before[10:18]  # a week back: another date
    after = s.command(b"AT+QCCLK?")
    assert after[10:18] == before[10:18]


def test_ping_count_and_size(ready_session):
    s = ready_session(ping_latency=0.05)
    s.send(b"AT+QPING=1,127.0.0.1,2,2,100\r")  # the host unquoted, as a real BC26 accepted
    s.expect_exact(OK)
    if not icmp_allowed():
        s.expect_exact(b"\r\n+QPING: 554\r\n")
        return
    lines = [s.expect(b"\r\n", 3) + s.expect(b"\r\n", 3) for _ in range(3)]
    for line in lines[:2]:
        match = re.fullmatch(rb'\r\n\+QPING: 0,"127\.0\.0\.1",100,(\d+),(\d+)\r\n', line)
        assert match, line
        assert int(match.group(1)) >= 50  # the configured latency is part of the reported time
    assert re.fullmatch(rb"\r\n\+QPING: 0,2,2,0,\d+,\d+,\d+\r\n", lines[2]), lines[2]


def test_one_ping_at_a_time(ready_session):
    s = ready_session(ping_latency=0.2)
    s.send(b'AT+QPING=1,"127.0.0.1",1,1\r')
    s.expect_exact(OK)
    s.send(b'AT+QPING=1,"127.0.0.1",1,1\r')
    s.expect_exact(b"\r\nERROR\r\n")
    assert s.command(b"AT+QIGETERROR") == b"\r\n+QIGETERROR: 568,Operation busy\r\n" + OK


def test_ping_where_no_icmp_socket_is_allowed(ready_session, monkeypatch):
    from tools.bc26emu import netservices

    monkeypatch.setattr(netservices, "open_icmp_socket", lambda: (None, None))
    s = ready_session()
    s.send(b'AT+QPING=1,"127.0.0.1"\r')
    s.expect_exact(OK + b"\r\n+QPING: 554\r\n")
    assert s.command(b"AT+QIGETERROR") == b"\r\n+QIGETERROR: 554,Create socket failed\r\n" + OK
