"""Buffer mode (access mode 0): 20 receive nodes, "buff full", one URC until drained, remote close."""




from tools.bc26emu.testing import OK, wait_for
from tools.servers import TcpEchoServer, UdpEchoServer


def open_socket(s, kind, port, mode=0, connect_id=0):
    s.send(b'AT+QIOPEN=1,%d,"%s","127.0.0.1",%d,0,%d\r' % (connect_id, kind, port, mode))
    s.expect_exact(OK + b"\r\n+QIOPEN: %d,0\r\n" % connect_id)


def test_twenty_nodes_then_buff_full_and_one_urc_until_drained(ready_session, servers):
    remote = servers(UdpEchoServer, echo=False)
    s = ready_session()
    open_socket(s, b"UDP", remote.port)
    s.send(b"AT+QISEND=0,5,hello\r")
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    wait_for(lambda: remote.last_peer is not None)
    remote.push(b"d01")
    s.expect_exact(b'\r\n+QIURC: "recv",0\r\n')
    for n in range(2, 21):
        remote.push(b"d%02d" % n)
    wait_for(lambda: s.emu.buffered_nodes(0) == 20)
    s.assert_quiet(0.02)  # nineteen more datagrams, not one more URC
    remote.push(b"d21")
    remote.push(b"d22")
    s.expect_exact(b'\r\n+QIURC: "recv",0,"buff full"\r\n')
    s.assert_quiet(0.02)  # reported once, not per lost datagram
    assert s.emu.buffered_nodes(0) == 20
    # Each read returns one node (one datagram), oldest first; the lost ones never show up.
    got = []
    for _ in range(20):
        answer = s.command(b"AT+QIRD=0,512")
        assert answer.startswith(b"\r\n+QIRD: 3\r\n")
        got.append(answer[12:15])
    assert got == [b"d%02d" % n for n in range(1, 21)]
    s.send(b"AT+QIRD=0,512\r")
    s.expect_exact(b"\r\n+QIRD: 0\r\n" + OK)
    # Drained: the next arrival is announced again.
    remote.push(b"again")
    s.expect_exact(b'\r\n+QIURC: "recv",0\r\n')


def test_partial_reads_keep_quiet_and_remaining_is_per_node(ready_session, servers):
    remote = servers(TcpEchoServer, echo=False)
    s = ready_session()
    s.command(b'AT+QICFG="showlength",1')
    open_socket(s, b"TCP", remote.port)
    wait_for(lambda: remote.clients)
    remote.push(b"A" * 30)
    s.expect_exact(b'\r\n+QIURC: "recv",0,30\r\n')
    remote.push(b"B" * 7)
    wait_for(lambda: s.emu.buffered_nodes(0) == 2)
    s.send(b"AT+QIRD=0,25\r")
    s.expect_exact(b"\r\n+QIRD: 25,5\r\n" + b"A" * 25 + b"\r\n" + OK)
    s.send(b"AT+QIRD=0,25\r")  # the rest of the first node only, not the second
    s.expect_exact(b"\r\n+QIRD: 5,0\r\n" + b"A" * 5 + b"\r\n" + OK)
    remote.push(b"C" * 3)  # the buffer is not empty yet: no URC
    wait_for(lambda: s.emu.buffered_nodes(0) == 2)
    s.assert_quiet(0.02)
    s.send(b"AT+QIRD=0,512\r")
    s.expect_exact(b"\r\n+QIRD: 7,0\r\n" + b"B" * 7 + b"\r\n" + OK)
    s.send(b"AT+QIRD=0,512\r")
    s.expect_exact(b"\r\n+QIRD: 3,0\r\nCCC\r\n" + OK)
    remote.push(b"D")
    s.expect_exact(b'\r\n+QIURC: "recv",0,1\r\n')


def test_qird_formats(ready_session, servers):
    remote = servers(TcpEchoServer, echo=False)
    s = ready_session()
    open_socket(s, b"TCP", remote.port)
    wait_for(lambda: remote.clients)
    payload = b"\x00\r\nOK\r\n\xff"  # binary, with what looks like a final result inside
    for viewmode, hexmode, expected in (
        (0, 0, b"\r\n+QIRD: 8\r\n" + payload + b"\r\n" + OK),
        (1, 0, b"\r\n+QIRD: 8," + payload + b"\r\n" + OK),
        (0, 1, b"\r\n+QIRD: 8\r\n000D0A4F4B0D0AFF\r\n" + OK),
        (1, 1, b"\r\n+QIRD: 8,000D0A4F4B0D0AFF\r\n" + OK),
    ):
        s.command(b'AT+QICFG="viewmode",%d' % viewmode)
        s.command(b'AT+QICFG="dataformat",0,%d' % hexmode)
        remote.push(payload)
        s.expect_exact(b'\r\n+QIURC: "recv",0\r\n')
        s.send(b"AT+QIRD=0,512\r")
        s.expect_exact(expected)
        s.send(b"AT+QIRD=0,512\r")
        s.expect_exact(b"\r\n+QIRD: 0\r\n" + OK)


def test_remote_close_keeps_data_readable_until_qiclose(ready_session, servers):
    remote = servers(TcpEchoServer, echo=False)
    s = ready_session()
    open_socket(s, b"TCP", remote.port)
    wait_for(lambda: remote.clients)
    remote.push(b"last words")
    s.expect_exact(b'\r\n+QIURC: "recv",0\r\n')
    remote.disconnect_all()
    s.expect_exact(b'\r\n+QIURC: "closed",0\r\n')
    s.send(b"AT+QISTATE=1,0\r")
    s.expect_exact(b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,0,4,1,0\r\n' % remote.port + OK)
    s.send(b"AT+QIRD=0,512\r")
    s.expect_exact(b"\r\n+QIRD: 10\r\nlast words\r\n" + OK)
    s.send(b"AT+QISEND=0,1,x\r")
    s.expect_exact(b"\r\nERROR\r\n")
    s.send(b"AT+QIGETERROR\r")
    s.expect_exact(b"\r\n+QIGETERROR: 567,Socket has been closed\r\n" + OK)
    s.send(b"AT+QICLOSE=0\r")
    s.expect_exact(OK + b"\r\nCLOSE OK\r\n")
    s.send(b"AT+QISTATE?\r")
    s.expect_exact(OK)
    assert s.emu.socket_state(0) is None


def test_remote_close_state_can_be_three(ready_session, servers):
    remote = servers(TcpEchoServer, echo=False)
    s = ready_session(remote_close_state=3)
    open_socket(s, b"TCP", remote.port)
    wait_for(lambda: remote.clients)
    remote.push(b"bye")
    s.expect_exact(b'\r\n+QIURC: "recv",0\r\n')
    remote.disconnect_all()
    s.expect_exact(b'\r\n+QIURC: "closed",0\r\n')
    assert s.emu.socket_state(0) == 3
    s.send(b"AT+QIRD=0,512\r")
    s.expect_exact(b"\r\n+QIRD: 3\r\nbye\r\n" + OK)


def test_switching_to_direct_push_flushes_the_buffer(ready_session, servers):
    remote = servers(TcpEchoServer, echo=False)
    s = ready_session()
    open_socket(s, b"TCP", remote.port)
    wait_for(lambda: remote.clients)
    remote.push(b"queued")
    s.expect_exact(b'\r\n+QIURC: "recv",0\r\n')
    s.send(b"AT+QISWTMD=0,1\r")
    s.expect_exact(OK + b'\r\n+QIURC: "recv",0,6\r\nqueued\r\n')
    s.send(b"AT+QISTATE=1,0\r")
    assert b",2,1,1\r\n" in s.expect(OK)
    s.send(b"AT+QISWTMD=0,0\r")
    s.expect_exact(OK)
    remote.push(b"back")
    s.expect_exact(b'\r\n+QIURC: "recv",0\r\n')
