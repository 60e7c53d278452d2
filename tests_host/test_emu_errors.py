"""AT+QIGETERROR after each kind of failure, with the manual's section 3 codes and texts."""

import socket

from tools.bc26emu.testing import ERROR, OK
from tools.servers import DnsServer, TcpEchoServer, free_port


def geterror(s):
    return s.command(b"AT+QIGETERROR")


def assert_last_error(s, code, text):
    assert geterror(s) == b"\r\n+QIGETERROR: %d,%s\r\n" % (code, text) + OK


def test_success_reads_as_zero(ready_session):
    s = ready_session()
    s.send(b'AT+QICFG="viewmode"\r')
    s.expect_exact(b'\r\n+QICFG: "viewmode",0\r\n' + OK)
    assert_last_error(s, 0, b"Operation successful")


def test_invalid_parameters(ready_session):
    s = ready_session()
    for line in (
        b'AT+QIOPEN=2,0,"TCP","127.0.0.1",80',  # only context 1
        b'AT+QIOPEN=1,5,"TCP","127.0.0.1",80',
        b'AT+QIOPEN=1,0,"SCTP","127.0.0.1",80',
        b'AT+QIOPEN=1,0,"TCP","127.0.0.1",0',
        b'AT+QIOPEN=1,0,"TCP","%s",80' % (b"a" * 151),
        b"AT+QIRD=0,0",
        b"AT+QIRD=0,513",
        b'AT+QICFG="nosuch",1',
        b'AT+QICFG="viewmode",2',
        b'AT+QIDNSCFG=1,"not-an-ip"',
        b"AT+QPING=1,127.0.0.1,0",
    ):
        s.send(line + b"\r")
        s.expect_exact(ERROR)
        assert_last_error(s, 552, b"Invalid parameters")


def test_protocol_type_must_match_the_address(ready_session):
    # <protocol_type> 1 (IPv6) with an IPv4 address, or 0 with an IPv6 one (tests_host/test_ipv6.py
    # has the IPv6 sockets that work).
    s = ready_session()
    for line in (b'AT+QIOPEN=1,0,"TCP","127.0.0.1",80,0,0,1', b'AT+QIOPEN=1,0,"UDP","::1",80,0,0,0'):
        s.send(line + b"\r")
        s.expect_exact(ERROR)
        assert_last_error(s, 552, b"Invalid parameters")


def test_before_registration_everything_network_fails(make_session):
    s = make_session(reg_delay=30)
    s.expect(b"RDY\r\n")
    s.command(b"ATE0")
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",80\r')
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,561\r\n")
    assert_last_error(s, 561, b"Open PDP context failed")
    s.send(b'AT+QIDNSGIP=1,"localhost"\r')
    s.expect_exact(OK + b'\r\n+QIURC: "dnsgip",561\r\n')
    s.send(b'AT+QPING=1,"127.0.0.1"\r')
    s.expect_exact(OK + b"\r\n+QPING: 561\r\n")
    s.send(b'AT+QNTP=1,"127.0.0.1"\r')
    s.expect_exact(OK + b"\r\n+QNTP: 561\r\n")
    s.send(b'AT+QIDNSCFG=1,"127.0.0.1"\r')
    s.expect_exact(ERROR)
    assert_last_error(s, 561, b"Open PDP context failed")
    s.send(b"AT+CEREG?;+CGATT?;+CSQ;+CGPADDR\r")
    s.expect_exact(b"\r\n+CEREG: 0,2\r\n+CGATT: 0\r\n+CSQ: 99,99\r\n+CGPADDR: 1\r\n" + OK)


def test_socket_identity_used_until_closed(ready_session, servers):
    remote = servers(TcpEchoServer)
    s = ready_session()
    open_line = b'AT+QIOPEN=1,3,"TCP","127.0.0.1",%d\r' % remote.port
    s.send(open_line)
    s.expect_exact(OK + b"\r\n+QIOPEN: 3,0\r\n")
    s.send(open_line)
    s.expect_exact(OK + b"\r\n+QIOPEN: 3,563\r\n")
    assert_last_error(s, 563, b"Socket identity has been used")
    s.send(b"AT+QISTATE?\r")
    s.expect_exact(b'\r\n+QISTATE: 3,"TCP","127.0.0.1",%d,0,2,1,0\r\n' % remote.port + OK)


def test_connection_refused_keeps_the_id_until_qiclose(ready_session):
    s = ready_session()
    port = free_port()
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d\r' % port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,566\r\n")
    assert_last_error(s, 566, b"Socket connection failed")
    s.send(b"AT+QISTATE=1,0\r")
    s.expect_exact(b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,0,0,1,0\r\n' % port + OK)
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d\r' % port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,563\r\n")
    s.send(b"AT+QICLOSE=0\r")
    s.expect_exact(OK + b"\r\nCLOSE OK\r\n")
    assert s.emu.socket_state(0) is None


def test_refuse_connect_fault(ready_session, servers):
    remote = servers(TcpEchoServer)
    s = ready_session(refuse_connect=True)
    s.send(b'AT+QIOPEN=1,1,"TCP","127.0.0.1",%d\r' % remote.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 1,566\r\n")
    assert not remote.clients


def test_local_port_busy(ready_session):
    s = ready_session()
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,%d,0\r' % (free_port(), port))
        s.expect_exact(OK + b"\r\n+QIOPEN: 0,574\r\n")
    assert_last_error(s, 574, b"Port busy")


def test_closed_socket(ready_session):
    s = ready_session()
    for line in (
        b"AT+QISEND=1,1,a",
        b"AT+QISEND=1",
        b"AT+QISENDEX=1,1,41",
        b"AT+QIRD=1,10",
        b"AT+QISWTMD=1,1",
    ):
        s.send(line + b"\r")
        s.expect_exact(ERROR)
        assert_last_error(s, 567, b"Socket has been closed")


def test_dns_failures(ready_session, servers):
    dns = servers(DnsServer, {"known.test": "127.0.0.1"})
    s = ready_session(dns_port=dns.port, dns_latency=0.2)
    s.command(b'AT+QIDNSCFG=1,"127.0.0.1"')
    s.send(b'AT+QIDNSGIP=1,"unknown.test"\r')
    s.expect_exact(OK)
    s.send(b'AT+QIDNSGIP=1,"known.test"\r')  # one lookup at a time
    s.expect_exact(ERROR)
    assert_last_error(s, 564, b"DNS busy")
    s.expect_exact(b'\r\n+QIURC: "dnsgip",565\r\n', timeout=3)
    assert_last_error(s, 565, b"DNS parse failed")
    s.send(b'AT+QIOPEN=1,0,"UDP","unknown.test",9\r')
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,565\r\n")
    assert dns.queries == ["unknown.test", "unknown.test"]


def test_dns_server_that_never_answers(ready_session):
    s = ready_session(dns_port=free_port(socket.SOCK_DGRAM), dns_timeout=0.1)
    s.command(b'AT+QIDNSCFG=1,"127.0.0.1","127.0.0.1"')
    s.send(b'AT+QIDNSGIP=1,"anything.test"\r')
    s.expect_exact(OK + b'\r\n+QIURC: "dnsgip",565\r\n', timeout=2)


def test_ntp_timeout(ready_session):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # receives, never answers
    silent.bind(("127.0.0.1", 0))
    try:
        s = ready_session(ntp_timeout=0.1)
        s.send(b'AT+QNTP=1,"127.0.0.1",%d\r' % silent.getsockname()[1])
        s.expect_exact(OK + b"\r\n+QNTP: 569\r\n", timeout=2)
        assert_last_error(s, 569, b"Operation timeout")
    finally:
        silent.close()


def test_cancelled_send(ready_session, servers):
    remote = servers(TcpEchoServer)
    s = ready_session()
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d\r' % remote.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n")
    s.send(b"AT+QISEND=0\r")
    s.expect_exact(b"\r\n> ")
    s.send(b"\x1b")
    s.expect_exact(ERROR)
    assert_last_error(s, 571, b"Cancel send")


def test_lowercase_knob_applies_to_every_code(ready_session):
    s = ready_session(qigeterror_lowercase=True)
    s.send(b"AT+QISEND=1,1,a\r")
    s.expect_exact(ERROR)
    assert_last_error(s, 567, b"socket has been closed")


def test_close_while_connecting(ready_session, servers):
    remote = servers(TcpEchoServer)
    s = ready_session(open_latency=0.15)
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d\r' % remote.port)
    s.expect_exact(OK)
    assert s.emu.socket_state(0) == 1  # Connecting
    s.send(b"AT+QICLOSE=0\r")
    s.expect_exact(OK + b"\r\nCLOSE OK\r\n")
    s.assert_quiet(0.25)  # no +QIOPEN for a socket that is gone
    assert not remote.clients
