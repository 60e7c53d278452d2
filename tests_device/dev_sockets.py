# Device tests for sockets: every TCP/UDP command of the manual with real bytes, in every
# framing the module offers. Run by tests_device/run.py; each test gets a Ctx (modem, settings).
import bc26

ALL = bytes(range(256))


def recv_exactly(sock, n, timeout=10000):
    buf = bytearray(n)
    mv = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(mv[got:], n - got, timeout)
        if not k:
            raise AssertionError("stream ended after %d of %d bytes" % (got, n))
        got += k
    return bytes(buf)


def echo(ctx, sock, data, send=None):
    (send or sock.send)(data)
    got = recv_exactly(sock, len(data))
    assert got == data, (len(got), got[:40])


def tcp(ctx, mode=bc26.BUFFER):
    host, port = ctx.s.TCP_ECHO
    return ctx.modem.open("TCP", host, port, mode=mode)


def test_tcp_in_every_framing(ctx):
    # dataformat (text/hex each way) x viewmode x showlength x access mode.
    m = ctx.modem
    for send_hex in (False, True):
        for recv_hex in (False, True):
            for viewmode in (0, 1):
                for showlength in (0, 1):
                    m.configure(
                        send_hex=send_hex, recv_hex=recv_hex, viewmode=viewmode, showlength=showlength
                    )
                    for mode in (bc26.BUFFER, bc26.PUSH):
                        s = tcp(ctx, mode)
                        echo(ctx, s, ALL)
                        echo(ctx, s, b"t=21.5;h=40\r\nOK\r\n")
                        s.close()


def test_bulk_both_ways(ctx):
    # More than one data-mode send (1460) and several reads (512) each way.
    payload = bytes((i * 7 + 1) & 0xFF for i in range(4000))
    for mode in (bc26.BUFFER, bc26.PUSH):
        s = ctx.modem.open("TCP", ctx.s.TCP_ECHO[0], ctx.s.TCP_ECHO[1], mode=mode, rxsize=4096)
        echo(ctx, s, payload)
        s.close()


def test_udp_both_modes(ctx):
    host, port = ctx.s.UDP_ECHO
    for mode in (bc26.BUFFER, bc26.PUSH):
        s = ctx.modem.open("UDP", host, port, mode=mode)
        for reading in (b"temp=21.5", b"hum=40", ALL[:200]):
            s.send(reading)
            assert s.recv(512, 10000) == reading
        s.close()


def test_every_send_form(ctx):
    s = tcp(ctx)
    echo(ctx, s, b"plain123", s.send_inline)
    echo(ctx, s, b"t: 21.5, h: 40", s.send_inline)  # quoted: spaces and commas
    echo(ctx, s, b"\x00\r\n\x1a\x1b\"';,", s.send_fixed)
    echo(ctx, s, b"ended by ctrl-z", s.send_stream)
    assert s.send_stream(b"never sent", cancel=True) == 0
    echo(ctx, s, ALL[:100], s.send_hex)
    sent, acked, unacked = s.send_status()
    total = 8 + 14 + 9 + 15 + 100
    assert sent == total, (sent, total)
    assert acked + unacked == sent
    # Nothing of the cancelled data came back.
    try:
        extra = s.recv(64, 300)
    except bc26.BC26Timeout:
        extra = None
    assert extra is None, extra
    s.close()


def test_state_in_all_three_forms(ctx):
    m = ctx.modem
    a = tcp(ctx)
    b = m.open("UDP", ctx.s.UDP_ECHO[0], ctx.s.UDP_ECHO[1], mode=bc26.PUSH)
    every = m.socket_state()
    assert sorted(i.id for i in every) == sorted((a.id, b.id)), every
    assert len(m.socket_state(context=1)) == 2
    (one,) = m.socket_state(connect_id=a.id)
    assert (one.service, one.remote_port, one.state_name, one.access_mode) == (
        "TCP",
        ctx.s.TCP_ECHO[1],
        "Connected",
        0,
    ), one
    (two,) = m.socket_state(connect_id=b.id)
    assert two.service == "UDP" and two.access_mode == 1
    a.close()
    b.close()
    assert m.socket_state() == []


def test_switch_access_mode(ctx):
    s = tcp(ctx)
    echo(ctx, s, b"buffer first")
    s.set_mode(bc26.PUSH)
    echo(ctx, s, b"then pushed")
    s.set_mode(bc26.BUFFER)
    echo(ctx, s, b"buffered again")
    (info,) = ctx.modem.socket_state(connect_id=s.id)
    assert info.access_mode == 0
    s.close()


def test_remote_close_then_eof(ctx):
    for mode in (bc26.BUFFER, bc26.PUSH):
        s = tcp(ctx, mode)
        s.send(b"QUIT\n")
        assert recv_exactly(s, 5) == b"QUIT\n"
        assert s.recv(16, 10000) == b""
        assert ctx.modem.sockets.table[s.id] is None  # the driver sent AT+QICLOSE
        s.close()


def test_refused_connection_names_the_error(ctx):
    host, port = ctx.s.REFUSED
    try:
        ctx.modem.open("TCP", host, port, timeout=20000)
    except bc26.BC26Error as e:
        assert e.code in (566, 569), e
    else:
        raise AssertionError("a connection to a closed port opened")
    assert all(s is None for s in ctx.modem.sockets.table)


def test_five_sockets_at_once(ctx):
    socks = [tcp(ctx, bc26.PUSH if i % 2 else bc26.BUFFER) for i in range(5)]
    assert sorted(s.id for s in socks) == [0, 1, 2, 3, 4]
    for s in socks:
        s.send(b"socket %d says hi" % s.id)
    for s in reversed(socks):
        want = b"socket %d says hi" % s.id
        assert recv_exactly(s, len(want)) == want
    for s in socks:
        s.close()


def test_echomode_of_data_mode(ctx):
    ctx.modem.configure(echomode=1)
    s = tcp(ctx)
    echo(ctx, s, b"\r\nOK\r\nechoed by the module", s.send_fixed)
    echo(ctx, s, b"stream, echoed", s.send_stream)
    s.close()


def test_error_code_of_a_bad_command(ctx):
    m = ctx.modem
    try:
        m.command("AT+QISWTMD=4,1", tcpip=True)  # nothing open on connectID 4
    except bc26.BC26Error as e:
        assert e.code is not None and 550 <= e.code <= 574, e
        code, text = m.error_info()
        assert code == e.code and text
    else:
        raise AssertionError("QISWTMD on a closed socket succeeded")
