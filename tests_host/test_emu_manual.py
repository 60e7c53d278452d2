"""Section 4 of the TCP/IP manual, replayed against the emulator with real servers on 127.0.0.1.

The manual's addresses are kept: the emulator's `redirect` and `hosts` knobs send the dial to a
local server while the module keeps printing what the host asked for, so each exchange is checked
byte for byte where the manual is exact (times and TTLs are matched by pattern).
"""

import calendar
import re
import time

from tools.bc26emu.testing import OK, wait_for
from tools.servers import NtpServer, TcpEchoServer


def open_manual_session(ready_session, servers):
    remote = servers(TcpEchoServer, echo=False)
    s = ready_session(redirect={"220.180.239.212:8062": "127.0.0.1:%d" % remote.port})
    return s, remote


def test_4_1_tcp_client_in_buffer_mode(ready_session, servers):
    s, remote = open_manual_session(ready_session, servers)
    # 4.1.1
    s.send(b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,1234,0\r')
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n")
    s.send(b"AT+QISTATE=1,0\r")
    s.expect_exact(b'\r\n+QISTATE: 0,"TCP","220.180.239.212",8062,1234,2,1,0\r\n' + OK)
    # 4.1.2
    s.send(b"AT+QISEND=0,10,1234567890\r")
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    s.send(b"AT+QISEND=0\r")
    s.expect_exact(b"\r\n> ")
    s.send(b"1234567890\x1a")
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    s.send(b"AT+QISEND=0,10\r")
    s.expect_exact(b"\r\n> ")
    s.send(b"1234567890")
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    s.send(b'AT+QISENDEX=0,5,"3031323334"\r')
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    wait_for(lambda: len(remote.received) == 35)
    assert bytes(remote.received) == b"1234567890" * 3 + b"01234"
    # 4.1.3
    remote.push(b"1234567890")
    s.expect_exact(b'\r\n+QIURC: "recv",0\r\n')
    s.send(b"AT+QIRD=0,512\r")
    s.expect_exact(b"\r\n+QIRD: 10\r\n1234567890\r\n" + OK)
    s.send(b"AT+QIRD=0,512\r")
    s.expect_exact(b"\r\n+QIRD: 0\r\n" + OK)
    s.send(b'AT+QICFG="showlength",1\r')
    s.expect_exact(OK)
    remote.push(b"123456789012")
    s.expect_exact(b'\r\n+QIURC: "recv",0,12\r\n')
    s.send(b"AT+QIRD=0,10\r")
    s.expect_exact(b"\r\n+QIRD: 10,2\r\n1234567890\r\n" + OK)
    # Fill the other 19 nodes (one pushed segment each), then one more: "buff full".
    for n in range(2, 21):
        remote.push(b"x" * n)
        wait_for(lambda n=n: s.emu.buffered_nodes(0) == n)
    s.assert_quiet(0.02)  # no URC while the buffer still holds unread data
    remote.push(b"lost")
    s.expect_exact(b'\r\n+QIURC: "recv",0,"buff full"\r\n')
    s.send(b'AT+QICFG="viewmode",1\r')
    s.expect_exact(OK)
    # Drain (the manual leaves this out) so the next arrival is announced again.
    while b"+QIRD: 0\r\n" not in s.command(b"AT+QIRD=0,512"):
        pass
    s.send(b'AT+QISEND=0,12,"012345678901"\r')
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    wait_for(lambda: remote.received.endswith(b"012345678901"))
    remote.push(b"012345678901")  # the far end answers with the same 12 bytes
    s.expect_exact(b'\r\n+QIURC: "recv",0,12\r\n')
    s.send(b"AT+QIRD=0,10\r")
    s.expect_exact(b"\r\n+QIRD: 10,2,0123456789\r\n" + OK)
    # 4.1.4
    s.send(b"AT+QICLOSE=0\r")
    s.expect_exact(OK + b"\r\nCLOSE OK\r\n")
    wait_for(lambda: not remote.clients)


def test_4_2_tcp_client_in_direct_push_mode(ready_session, servers):
    s, remote = open_manual_session(ready_session, servers)
    # 4.2.1
    s.send(b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,0,1\r')
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n")
    s.send(b"AT+QISTATE=1,0\r")
    s.expect_exact(b'\r\n+QISTATE: 0,"TCP","220.180.239.212",8062,0,2,1,1\r\n' + OK)
    # 4.2.2
    s.send(b"AT+QISEND=0,5,12345\r")
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    s.send(b"AT+QISEND=0\r")
    s.expect_exact(b"\r\n> ")
    s.send(b"12345\x1a")
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    s.send(b"AT+QISEND=0,5\r")
    s.expect_exact(b"\r\n> ")
    s.send(b"12345")
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    s.send(b'AT+QISENDEX=0,5,"3132333435"\r')
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    wait_for(lambda: bytes(remote.received) == b"12345" * 4)
    # 4.2.3
    remote.push(b"12345")
    s.expect_exact(b'\r\n+QIURC: "recv",0,5\r\n12345\r\n')
    s.send(b'AT+QICFG="viewmode",1\r')
    s.expect_exact(OK)
    s.send(b'AT+QISEND=0,12,"012345678901"\r')
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    wait_for(lambda: remote.received.endswith(b"012345678901"))
    remote.push(b"012345678901")
    s.expect_exact(b'\r\n+QIURC: "recv",0,12,"012345678901"\r\n')
    # 4.2.4
    s.send(b"AT+QICLOSE=0\r")
    s.expect_exact(OK + b"\r\nCLOSE OK\r\n")


def test_4_3_ping(ready_session):
    s = ready_session(hosts={"iot.quectel.com": "127.0.0.1"})
    s.send(b'AT+QPING=1,"iot.quectel.com"\r')
    s.expect_exact(OK)
    first = s.expect(b"\r\n", timeout=6)
    first += s.expect(b"\r\n", timeout=6)
    if first == b"\r\n+QPING: 554\r\n":
        return  # this host allows no ICMP socket at all: "create socket failed" is the right answer
    line = re.compile(rb'\r\n\+QPING: 0,"127\.0\.0\.1",32,(\d+),(\d+)\r\n')
    replies = [line.fullmatch(first)]
    for _ in range(3):
        replies.append(line.fullmatch(s.expect(b"\r\n", 6) + s.expect(b"\r\n", 6)))
    assert all(replies), replies
    times = [int(m.group(1)) for m in replies]
    summary = s.expect(b"\r\n", 6) + s.expect(b"\r\n", 6)
    expected = "\r\n+QPING: 0,4,4,0,%d,%d,%d\r\n" % (min(times), max(times), round(sum(times) / 4))
    assert summary == expected.encode()


def clock_seconds(text):
    """Seconds since the epoch of a module time "yy/MM/dd,hh:mm:ss±zz" (printed as UTC)."""
    match = re.search(rb"(\d\d)/(\d\d)/(\d\d),(\d\d):(\d\d):(\d\d)[+-]\d\d", text)
    assert match, text
    yy, mo, dd, hh, mi, ss = (int(x) for x in match.groups())
    return calendar.timegm((2000 + yy, mo, dd, hh, mi, ss, 0, 0, 0))


def test_4_4_ntp_sets_the_clock(ready_session, servers):
    ahead = 3 * 3600  # a server three hours ahead proves where the time came from
    ntp = servers(NtpServer, offset=ahead)
    s = ready_session(hosts={"ntp5.aliyun.com": "127.0.0.1"})
    s.send(b'AT+QNTP=1,"ntp5.aliyun.com",%d\r' % ntp.port)
    s.expect_exact(OK)
    urc = s.expect(b'"\r\n')
    assert re.fullmatch(rb'\r\n\+QNTP: 0,"\d\d/\d\d/\d\d,\d\d:\d\d:\d\d\+32"\r\n', urc), urc
    assert abs(clock_seconds(urc) - (time.time() + ahead)) < 5
    assert ntp.requests == 1
    # auto_set_time defaults to 1: the RTC now follows the server.
    clock = s.command(b"AT+QCCLK?")
    assert clock.startswith(b"\r\n+QCCLK: ")
    assert abs(clock_seconds(clock) - (time.time() + ahead)) < 5


def test_4_5_dns_server_configuration(ready_session):
    s = ready_session()
    s.send(b'AT+QIDNSCFG=1,"218.2.2.2","8.8.8.8"\r')
    s.expect_exact(OK)
    s.send(b"AT+QIDNSCFG=1\r")
    s.expect_exact(b'\r\n+QIDNSCFG: 1,"218.2.2.2","8.8.8.8"\r\n' + OK)


def test_4_6_last_error_as_in_the_example(ready_session):
    s = ready_session(qigeterror_lowercase=True)
    s.send(b'AT+QIOPEN=1,"UDP","220.180.239.212",8063,0,1\r')
    s.expect_exact(b"\r\nERROR\r\n")
    s.send(b"AT+QIGETERROR\r")
    s.expect_exact(b"\r\n+QIGETERROR: 552,invalid parameters\r\n" + OK)


def test_4_6_last_error_with_the_table_text_by_default(ready_session):
    s = ready_session()
    s.send(b'AT+QIOPEN=1,"UDP","220.180.239.212",8063,0,1\r')
    s.expect_exact(b"\r\nERROR\r\n")
    s.send(b"AT+QIGETERROR\r")
    s.expect_exact(b"\r\n+QIGETERROR: 552,Invalid parameters\r\n" + OK)
    s.assert_quiet()
