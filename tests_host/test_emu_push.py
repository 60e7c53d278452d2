"""Direct push (access mode 1): both viewmodes, both receive formats, the 1400-byte URC limit."""

import re

import pytest

from tools.bc26emu.testing import OK, wait_for
from tools.servers import TcpEchoServer, UdpEchoServer

PAYLOAD = b"hi,\r\nOK\r\n\x1a"  # separators and a fake final result: only the length tells them apart



def push_urc(connect_id, data, viewmode, hexmode):
    shown = data.hex().upper().encode() if hexmode else data
    head = b'\r\n+QIURC: "recv",%d,%d' % (connect_id, len(data))
    if viewmode:
        return head + b',"' + shown + b'"\r\n'
    return head + b"\r\n" + shown + b"\r\n"


@pytest.mark.parametrize("kind", [b"TCP", b"UDP"])
@pytest.mark.parametrize("viewmode", [0, 1])
@pytest.mark.parametrize("hexmode", [0, 1])
def test_direct_push_formats(ready_session, servers, kind, viewmode, hexmode):
    remote = servers(TcpEchoServer if kind == b"TCP" else UdpEchoServer)  # echoes what we send
    s = ready_session()
    s.command(b'AT+QICFG="viewmode",%d' % viewmode)
    s.command(b'AT+QICFG="dataformat",0,%d' % hexmode)
    s.send(b'AT+QIOPEN=1,2,"%s","127.0.0.1",%d,0,1\r' % (kind, remote.port))
    s.expect_exact(OK + b"\r\n+QIOPEN: 2,0\r\n")
    s.send(b"AT+QISEND=2,%d\r" % len(PAYLOAD))
    s.expect_exact(b"\r\n> ")
    s.send(PAYLOAD)
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    s.expect_exact(push_urc(2, PAYLOAD, viewmode, hexmode))
    s.assert_quiet(0.02)


@pytest.mark.parametrize("hexmode", [0, 1])
def test_udp_push_over_1400_bytes_is_dropped(ready_session, servers, hexmode):
    remote = servers(UdpEchoServer, echo=False)
    s = ready_session()
    s.command(b'AT+QICFG="dataformat",0,%d' % hexmode)
    s.send(b'AT+QIOPEN=1,0,"UDP","127.0.0.1",%d,0,1\r' % remote.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n")
    s.command(b"AT+QISEND=0,1,x", final=b"SEND OK\r\n")
    wait_for(lambda: remote.last_peer is not None)

    def urc_length(n):
        return len(push_urc(0, b"\0" * n, 0, hexmode)) - 4  # without the framing CR LFs

    fits = max(n for n in range(600, 1500) if urc_length(n) <= 1400)
    remote.push(b"\x55" * (fits + 1))
    remote.push(b"\x55" * fits)
    s.expect_exact(push_urc(0, b"\x55" * fits, 0, hexmode))
    s.assert_quiet(0.02)
    assert any("dropped" in str(p) for _, k, p in s.emu.transcript.entries if k == "event")


def test_big_tcp_push_is_cut_into_urcs_that_fit(ready_session, servers):
    remote = servers(TcpEchoServer, echo=False)
    s = ready_session()
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,1\r' % remote.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n")
    wait_for(lambda: remote.clients)
    blob = bytes(range(256)) * 20
    remote.push(blob)
    got = bytearray()
    while len(got) < len(blob):
        head = s.expect(b"\r\n", timeout=3) + s.expect(b"\r\n", timeout=3)
        match = re.fullmatch(rb'\r\n\+QIURC: "recv",0,(\d+)\r\n', head)
        assert match, head
        n = int(match.group(1))
        assert len(head) - 4 + n <= 1400
        got += s.take(n)
        s.expect_exact(b"\r\n")
    assert bytes(got) == blob


def test_remote_close_in_direct_push(ready_session, servers):
    remote = servers(TcpEchoServer, echo=False)
    s = ready_session()
    s.send(b'AT+QIOPEN=1,4,"TCP","127.0.0.1",%d,0,1\r' % remote.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 4,0\r\n")
    wait_for(lambda: remote.clients)
    remote.push(b"bye")
    s.expect_exact(b'\r\n+QIURC: "recv",4,3\r\nbye\r\n')
    remote.disconnect_all()
    s.expect_exact(b'\r\n+QIURC: "closed",4\r\n')
    s.send(b"AT+QICLOSE=4\r")
    s.expect_exact(OK + b"\r\nCLOSE OK\r\n")
