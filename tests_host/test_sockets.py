# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
import binascii

import bc26
from fakeuart import FakeUART
from testutil import raises

try:
    from time import ticks_diff, ticks_ms
except ImportError:
    from bc26._compat import ticks_diff, ticks_ms

OK = b"\r\nOK\r\n"
ALL_BYTES = bytes(range(256))


def make(viewmode=0, showlength=0, send_hex=False, recv_hex=False, echomode=0, chunk=0):
    """A modem whose AT+QICFG values are known (as after read_config)."""
    u = FakeUART(chunk)
    m = bc26.Modem(u)
    n = m.sockets
    n.viewmode = viewmode
    n.showlength = showlength
    n.send_hex = send_hex
    n.recv_hex = recv_hex
    n.echomode = echomode
    n.known = True
    return u, m


def opened(u, m, cid=0, mode=bc26.BUFFER, kind="TCP", port=8062):
    u.reply(b"AT+QIOPEN=", OK + b"\r\n+QIOPEN: %d,0\r\n" % cid)
    s = m.open(kind, "220.180.239.212", port, mode=mode, connect_id=cid)
    u.take_tx()
    return s


# --- manual section 4.1: a TCP client in buffer mode ------------------------------------


def test_manual_4_1_1_open_in_buffer_mode_and_state():
    u, m = make()
    u.reply(b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,1234,0\r', OK, (20, b"\r\n+QIOPEN: 0,0\r\n"))
    u.reply(b"AT+QISTATE=1,0\r", b'\r\n+QISTATE: 0,"TCP","220.180.239.212",8062,1234,2,1,0\r\n' + OK)
    s = m.open("TCP", "220.180.239.212", 8062, local_port=1234, mode=bc26.BUFFER, connect_id=0)
    assert s.id == 0 and s.mode == bc26.BUFFER
    (info,) = m.socket_state(connect_id=0)
    assert u.take_tx() == b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,1234,0\rAT+QISTATE=1,0\r'
    assert (info.id, info.service, info.address, info.remote_port, info.local_port) == (
        0,
        "TCP",
        "220.180.239.212",
        8062,
        1234,
    )
    assert (info.state, info.state_name, info.context, info.access_mode) == (2, "Connected", 1, 0)


def test_manual_4_1_2_send_in_all_forms():
    u, m = make()
    s = opened(u, m)
    u.reply(b"AT+QISEND=0,10,1234567890\r", OK + b"\r\nSEND OK\r\n")
    assert s.send(b"1234567890") == 10
    u.reply(b"AT+QISEND=0\r", b"\r\n> ")
    u.reply(b"1234567890\x1a", OK + b"\r\nSEND OK\r\n")
    assert s.send_stream(b"1234567890") == 10
    u.reply(b"AT+QISEND=0,10\r", b"\r\n> ")
    u.reply(b"1234567890", OK + b"\r\nSEND OK\r\n")
    assert s.send_fixed(b"1234567890") == 10
    u.reply(b'AT+QISENDEX=0,5,"3031323334"\r', OK + b"\r\nSEND OK\r\n")
    assert s.send_hex(b"01234") == 5
    assert u.take_tx() == (
        b"AT+QISEND=0,10,1234567890\r"
        b"AT+QISEND=0\r1234567890\x1a"
        b"AT+QISEND=0,10\r1234567890"
        b'AT+QISENDEX=0,5,"3031323334"\r'
    )


def test_manual_4_1_3_read_in_buffer_mode():
    u, m = make()
    s = opened(u, m)
    buf = bytearray(512)
    u.feed(b'\r\n+QIURC: "recv",0\r\n')
    u.reply(b"AT+QIRD=0,512\r", b"\r\n+QIRD: 10\r\n1234567890\r\n" + OK)
    assert s.recv_into(buf) == 10 and buf[:10] == b"1234567890"
    assert s.remaining is None  # showlength 0: the module does not say
    u.reply(b"AT+QIRD=0,512\r", b"\r\n+QIRD: 0\r\n" + OK)
    assert s.recv_into(buf, timeout=0) is None
    assert u.take_tx() == b"AT+QIRD=0,512\rAT+QIRD=0,512\r"
    # showlength 1: lengths in the URC and the remaining count in +QIRD.
    u.reply(b'AT+QICFG="showlength",1\r', OK)
    m.configure(showlength=1)
    u.feed(b'\r\n+QIURC: "recv",0,12\r\n')
    m.poll()
    assert s.available() == 12
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 10,2\r\n1234567890\r\n" + OK)
    assert s.recv_into(buf, 10) == 10 and buf[:10] == b"1234567890"
    assert s.remaining == 2  # what the module said it still holds
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 2,0\r\n90\r\n" + OK)
    assert s.recv_into(buf, 10) == 2 and buf[:2] == b"90" and s.remaining == 0
    # viewmode 1: the data on the header line.
    u.reply(b'AT+QICFG="viewmode",1\r', OK)
    m.configure(viewmode=1)
    u.reply(b'AT+QISEND=0,12,"012345678901"\r', OK + b"\r\nSEND OK\r\n")
    s.send_inline(b"012345678901", quote=True)
    u.feed(b'\r\n+QIURC: "recv",0,12\r\n')
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 10,2,0123456789\r\n" + OK)
    assert s.recv_into(buf, 10) == 10 and buf[:10] == b"0123456789"
    assert s.remaining == 2
    # Some firmware prints the remaining length negative: shown as the module said it.
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 2,-3,01\r\n" + OK)
    assert s.recv_into(buf, 10) == 2 and buf[:2] == b"01" and s.remaining == -3
    assert u.take_tx() == (
        b'AT+QICFG="showlength",1\rAT+QIRD=0,10\rAT+QIRD=0,10\rAT+QICFG="viewmode",1\r'
        b'AT+QISEND=0,12,"012345678901"\rAT+QIRD=0,10\rAT+QIRD=0,10\r'
    )


def test_manual_4_1_4_close():
    u, m = make()
    s = opened(u, m)
    u.reply(b"AT+QICLOSE=0\r", OK, (20, b"\r\nCLOSE OK\r\n"))
    s.close()
    s.close()  # twice: harmless, nothing sent
    assert u.take_tx() == b"AT+QICLOSE=0\r"
    assert m.sockets.table[0] is None


# --- manual section 4.2: a TCP client in direct-push mode --------------------------------


def test_manual_4_2_direct_push():
    u, m = make()
    u.reply(b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,0,1\r', OK + b"\r\n+QIOPEN: 0,0\r\n")
    s = m.open("TCP", "220.180.239.212", 8062, mode=bc26.PUSH)
    u.reply(b"AT+QISEND=0,5,12345\r", OK + b"\r\nSEND OK\r\n")
    s.send(b"12345")
    u.feed(b'\r\n+QIURC: "recv",0,5\r\n12345')
    assert s.recv(100) == b"12345"
    u.reply(b'AT+QICFG="viewmode",1\r', OK)
    m.configure(viewmode=1)
    u.feed(b'\r\n+QIURC: "recv",0,12,"012345678901"\r\n')
    assert s.recv(100) == b"012345678901"
    u.feed(b'\r\n+QIURC: "recv",0,4,ab\r\n\r\n')
    assert s.recv(100) == b"ab\r\n"
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    s.close()
    assert u.take_tx() == (
        b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,0,1\r'
        b'AT+QISEND=0,5,12345\rAT+QICFG="viewmode",1\rAT+QICLOSE=0\r'
    )


# --- every byte value, both access modes, both formats, other sockets interleaved ---------

_NOISE = b'\r\n+QIURC: "recv",3\r\n\r\n+QIURC: "closed",3\r\n'


def _module_data(recv_hex, payload):
    return binascii.hexlify(payload) if recv_hex else payload


def _roundtrip(mode, viewmode, recv_hex, send_hex, chunk):
    u, m = make(viewmode=viewmode, send_hex=send_hex, recv_hex=recv_hex, chunk=chunk)
    s = opened(u, m, cid=1, mode=mode)
    other = opened(u, m, cid=3, mode=bc26.BUFFER)
    # Sending: binary goes through the fixed-length data mode; in hex format inline.
    if send_hex:
        wire = b"AT+QISEND=1,256," + binascii.hexlify(ALL_BYTES) + b"\r"
        u.reply(wire, _NOISE + OK + _NOISE + b"\r\nSEND OK\r\n")
    else:
        wire = b"AT+QISEND=1,256\r" + ALL_BYTES
        u.reply(b"AT+QISEND=1,256\r", _NOISE + b"\r\n> ")
        u.reply(ALL_BYTES, _NOISE + OK + b"\r\nSEND OK\r\n")
    s.send(ALL_BYTES)
    assert u.take_tx() == wire
    # Receiving.
    data = _module_data(recv_hex, ALL_BYTES)
    if mode == bc26.PUSH:
        sep = b"," if viewmode else b"\r\n"
        u.feed(_NOISE + b'\r\n+QIURC: "recv",1,256' + sep + data + b"\r\n" + _NOISE)
    else:
        sep = b"," if viewmode else b"\r\n"
        u.feed(b'\r\n+QIURC: "recv",1\r\n' + _NOISE)
        u.reply(b"AT+QIRD=1,512\r", _NOISE + b"\r\n+QIRD: 256" + sep + data + b"\r\n" + _NOISE + OK)
    buf = bytearray(512)
    got = b""
    while len(got) < 256:  # TCP may hand over what has arrived so far
        n = s.recv_into(buf, 0, 1000)
        got += bytes(buf[:n])
    assert got == ALL_BYTES, (mode, viewmode, recv_hex, send_hex, chunk, got)
    assert other.pending and m.engine.unknown == 0


def test_all_byte_values_both_modes_both_formats():
    for mode in (bc26.BUFFER, bc26.PUSH):
        for viewmode in (0, 1):
            for recv_hex in (False, True):
                for send_hex in (False, True):
                    for chunk in (0, 7):
                        _roundtrip(mode, viewmode, recv_hex, send_hex, chunk)


# --- limits and choices --------------------------------------------------------------------


def test_large_binary_payload_splits_at_the_data_mode_limit():
    u, m = make()
    s = opened(u, m)
    payload = bytes(i & 0xFF for i in range(3000))
    for a, b in ((0, 1460), (1460, 2920), (2920, 3000)):
        u.reply(b"AT+QISEND=0,%d\r" % (b - a), b"\r\n> ")
        u.reply(payload[a:b], OK + b"\r\nSEND OK\r\n")
    assert s.send(payload) == 3000
    assert u.take_tx() == (
        b"AT+QISEND=0,1460\r"
        + payload[:1460]
        + b"AT+QISEND=0,1460\r"
        + payload[1460:2920]
        + b"AT+QISEND=0,80\r"
        + payload[2920:]
    )
    assert u.pending_script() == 0


def test_printable_text_goes_inline_and_quoted_when_needed():
    u, m = make()
    s = opened(u, m)
    u.reply(b'AT+QISEND=0,13,"{t:21.5,h:40}"\r', OK + b"\r\nSEND OK\r\n")
    s.send("{t:21.5,h:40}")
    # A double quote or ';' cannot go inline: the data mode carries it.
    u.reply(b"AT+QISEND=0,9\r", b"> ")
    u.reply(b'{"t":21};', OK + b"\r\nSEND OK\r\n")
    s.send(b'{"t":21};')
    assert u.take_tx() == b'AT+QISEND=0,13,"{t:21.5,h:40}"\rAT+QISEND=0,9\r{"t":21};'


def test_hex_send_format_limits():
    u, m = make(send_hex=True)
    s = opened(u, m)
    u.reply(b"AT+QISEND=0,3,414243\r", OK + b"\r\nSEND OK\r\n")
    s.send(b"ABC")
    u.reply(b"AT+QISEND=0,730\r", b"> ")
    u.reply(binascii.hexlify(bytes(730)), OK + b"\r\nSEND OK\r\n")
    u.reply(b"AT+QISEND=0,70,", OK + b"\r\nSEND OK\r\n")
    s.send(bytes(800))
    tx = u.take_tx()
    assert tx.startswith(b"AT+QISEND=0,3,414243\rAT+QISEND=0,730\r" + b"00" * 730)
    assert tx.endswith(b"AT+QISEND=0,70," + b"00" * 70 + b"\r")
    raises(ValueError, s.send_inline, bytes(513))
    raises(ValueError, s.send_fixed, bytes(731))


def test_bad_arguments_are_refused_before_the_uart():
    u, m = make()
    for args in (
        ("TCP", "1.2.3.4", 0),
        ("TCP", "1.2.3.4", 65536),
        ("SCTP", "1.2.3.4", 80),
        ("TCP", "", 80),
        ("TCP", "a" * 151, 80),
        ("TCP", 'evil",80\rAT+QPOWD\r', 80),
        ("TCP", "host;x", 80),
    ):
        raises(ValueError, m.open, *args)
    raises(ValueError, m.open, "TCP", "1.2.3.4", 80, connect_id=5)
    raises(ValueError, m.open, "TCP", "1.2.3.4", 80, local_port=70000)
    raises(ValueError, m.open, "TCP", "1.2.3.4", 80, mode=2)
    raises(ValueError, m.socket_state, connect_id=7)
    assert u.tx == b""
    s = opened(u, m)
    raises(ValueError, s.send_inline, b"a\rb")
    raises(ValueError, s.send_inline, bytes(1025))
    raises(ValueError, s.send_fixed, bytes(1461))
    raises(ValueError, s.send_stream, b"ab\x1acd")
    raises(ValueError, s.send_hex, bytes(513))
    raises(ValueError, s.set_mode, 3)
    assert u.tx == b""


# --- failures --------------------------------------------------------------------------------


def test_open_failure_closes_and_names_the_code():
    u, m = make()
    u.reply(b"AT+QIOPEN=1,2,", OK + b"\r\n+QIOPEN: 2,566\r\n")
    u.reply(b"AT+QICLOSE=2\r", OK + b"\r\nCLOSE OK\r\n")
    err = raises(bc26.BC26Error, m.open, "TCP", "10.0.0.1", 9, connect_id=2)
    assert err.code == 566 and str(err) == "566 Socket connection failed"
    assert u.take_tx() == b'AT+QIOPEN=1,2,"TCP","10.0.0.1",9,0,0\rAT+QICLOSE=2\r'


def test_open_timeout_closes_and_a_late_success_is_closed_too():
    u, m = make()
    u.reply(b"AT+QIOPEN=1,0,", OK)
    # After a timeout the driver resyncs (AT, AT) before its next command.
    u.reply(b"AT\r", OK)
    u.reply(b"AT\r", OK)
    u.reply(b"AT+QICLOSE=0\r", b"\r\nERROR\r\n")
    raises(bc26.BC26Timeout, m.open, "UDP", "10.0.0.1", 9, timeout=30)
    assert u.take_tx() == b'AT+QIOPEN=1,0,"UDP","10.0.0.1",9,0,0\rAT\rAT\rAT+QICLOSE=0\r'
    # The result comes after all: the driver closes what it no longer tracks.
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    u.feed(b"\r\n+QIOPEN: 0,0\r\n")
    m.poll()
    assert u.take_tx() == b"AT+QICLOSE=0\r"


def test_send_fail_is_reported_with_what_went_out():
    u, m = make()
    s = opened(u, m)
    payload = bytes(2000)
    u.reply(b"AT+QISEND=0,1460\r", b"> ")
    u.reply(bytes(1460), OK + b"\r\nSEND OK\r\n")
    u.reply(b"AT+QISEND=0,540\r", b"> ")
    u.reply(bytes(540), OK + b"\r\nSEND FAIL\r\n")
    err = raises(bc26.SendFailed, s.send, payload)
    assert err.sent == 1460 and "SEND FAIL" in str(err)


def test_error_from_send_carries_the_module_code():
    u, m = make()
    s = opened(u, m)
    u.reply(b"AT+QISEND=0,2,ab\r", b"\r\nERROR\r\n")
    u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: 567,socket has been closed\r\n" + OK)
    err = raises(bc26.BC26Error, s.send, b"ab")
    assert err.code == 567


def test_remote_close_lets_the_rest_be_read_then_closes():
    u, m = make()
    s = opened(u, m)
    u.feed(b'\r\n+QIURC: "recv",0\r\n\r\n+QIURC: "closed",0\r\n')
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 3\r\nbye\r\n" + OK)
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 0\r\n" + OK)
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    assert s.recv(10) == b"bye"
    assert s.recv(10) == b""
    assert s.recv(10) == b""
    assert u.take_tx() == b"AT+QIRD=0,10\rAT+QIRD=0,10\rAT+QICLOSE=0\r"
    assert m.sockets.table[0] is None
    s.close()
    raises(bc26.BC26Error, s.recv, 10)


def test_data_announced_with_the_empty_read_is_read_before_a_remote_close_ends_it():
    # Seen with TLS over the emulator: the peer sends its last bytes and closes while an
    # AT+QIRD runs; "recv" and "closed" come right after its empty answer. The data the
    # "recv" announced is still in the module and must be read before the end of stream.
    u, m = make()
    s = opened(u, m)
    u.feed(b'\r\n+QIURC: "recv",0\r\n')
    late = b'\r\n+QIURC: "recv",0\r\n\r\n+QIURC: "closed",0\r\n'
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 0\r\n" + OK + late)
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 4\r\nlast\r\n" + OK)
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 0\r\n" + OK)
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    assert s.recv(10) == b"last"
    assert s.recv(10) == b""
    assert u.take_tx() == b"AT+QIRD=0,10\rAT+QIRD=0,10\rAT+QIRD=0,10\rAT+QICLOSE=0\r"


def test_remote_close_in_push_mode_frees_the_id_at_once_data_stays():
    u, m = make()
    s = opened(u, m, mode=bc26.PUSH)
    u.feed(b'\r\n+QIURC: "recv",0,4\r\nlast\r\n+QIURC: "closed",0\r\n')
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    m.poll()
    assert u.take_tx() == b"AT+QICLOSE=0\r" and m.sockets.table[0] is None
    assert s.recv(10) == b"last"
    assert s.recv(10) == b""


def test_buff_full_is_raised_after_the_data_still_held():
    u, m = make()
    s = opened(u, m)
    u.feed(b'\r\n+QIURC: "recv",0\r\n\r\n+QIURC: "recv",0,"buff full"\r\n')
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 2\r\nok\r\n" + OK)
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 0\r\n" + OK)
    assert s.recv(10) == b"ok"
    err = raises(bc26.DataLost, s.recv, 10)
    assert "buff full" in str(err) and s.buff_full == 1


def test_push_buffer_overflow_is_reported():
    u, m = make()
    u.reply(b"AT+QIOPEN=", OK + b"\r\n+QIOPEN: 0,0\r\n")
    s = m.open("TCP", "1.2.3.4", 80, mode=bc26.PUSH, rxsize=16)
    u.feed(b'\r\n+QIURC: "recv",0,20\r\n' + b"x" * 20)
    assert s.recv(100) == b"x" * 16
    raises(bc26.DataLost, s.recv, 100, 0)


def test_udp_push_keeps_datagram_boundaries():
    u, m = make()
    s = opened(u, m, cid=2, mode=bc26.PUSH, kind="UDP")
    u.feed(b'\r\n+QIURC: "recv",2,3\r\none\r\n+QIURC: "recv",2,5\r\nthree\r\n')
    assert s.recv(100) == b"one"
    assert s.recv(2) == b"th"  # a datagram cut to the buffer, as UDP does
    assert s.recv(100, timeout=0) is None


def test_five_sockets_interleaved():
    u, m = make(chunk=5)
    socks = [opened(u, m, cid=i, mode=bc26.PUSH) for i in range(5)]
    wire = b""
    for rnd in range(4):
        for i in (3, 0, 4, 1, 2):
            data = b"%d:%d\r\nOK\r\n" % (i, rnd)
            wire += b'\r\n+QIURC: "recv",%d,%d\r\n' % (i, len(data)) + data
    u.feed(wire)
    for _ in range(200):
        m.poll()
    for i in range(5):
        want = b"".join(b"%d:%d\r\nOK\r\n" % (i, r) for r in range(4))
        assert socks[i].recv(200, timeout=0) == want


def test_echomode_skips_the_echoed_data():
    u, m = make(echomode=1)
    s = opened(u, m)
    u.reply(b"AT+QISEND=0,6\r", b"\r\n> ")
    u.reply(b"\r\nOK\r\n", b"\r\nOK\r\n" + OK + b"\r\nSEND OK\r\n")
    s.send_fixed(b"\r\nOK\r\n")
    # The echo was skipped, not read as records (an OK the command already had, say).
    assert m.engine.unknown == 0


def test_send_status_mode_switch_config_and_state_lists():
    u, m = make()
    s = opened(u, m)
    u.reply(b"AT+QISEND=0,0\r", b"\r\n+QISEND: 120,100,20\r\n" + OK)
    assert s.send_status() == (120, 100, 20)
    u.reply(b"AT+QISWTMD=0,1\r", OK)
    s.set_mode(bc26.PUSH)
    assert s.mode == bc26.PUSH and s.ring is not None
    u.reply(b"AT+QISTATE?\r", OK)
    assert m.socket_state() == []
    u.reply(b"AT+QISTATE=0,1\r", b'\r\n+QISTATE: 0,"UDP","10.0.0.9",5683,4000,2,1,1\r\n' + OK)
    (info,) = m.socket_state(context=1)
    assert info.service == "UDP" and info.access_mode == 1 and info.local_port == 4000
    u.reply(b'AT+QICFG="dataformat"\r', b'\r\n+QICFG: "dataformat",1,0\r\n' + OK)
    u.reply(b'AT+QICFG="viewmode"\r', b'\r\n+QICFG: "viewmode",1\r\n' + OK)
    u.reply(b'AT+QICFG="showlength"\r', b'\r\n+QICFG: "showlength",1\r\n' + OK)
    u.reply(b'AT+QICFG="echomode"\r', b"\r\nERROR\r\n")
    u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: 552,invalid parameters\r\n" + OK)
    values = m.read_config()
    n = m.sockets
    assert (n.send_hex, n.recv_hex, n.viewmode, n.showlength, n.echomode) == (True, False, 1, 1, 0)
    # What it read comes back in configure()'s words.
    assert values == {"send_hex": True, "recv_hex": False, "viewmode": 1, "showlength": 1, "echomode": 0}


def test_open_reads_the_config_first_when_unknown():
    u = FakeUART()
    m = bc26.Modem(u)
    for name, value in (
        (b"dataformat", b"0,1"),
        (b"viewmode", b"0"),
        (b"showlength", b"0"),
        (b"echomode", b"0"),
    ):
        u.reply(b'AT+QICFG="' + name + b'"\r', b'\r\n+QICFG: "' + name + b'",' + value + b"\r\n" + OK)
    u.reply(b"AT+QIOPEN=", OK + b"\r\n+QIOPEN: 0,0\r\n")
    m.open("TCP", "example.com", 80)
    assert m.sockets.recv_hex and not m.sockets.send_hex


def test_cancelled_stream_sends_esc_and_nothing_else():
    for answer in (b"\r\nERROR\r\n", OK):
        u, m = make()
        s = opened(u, m)
        u.reply(b"AT+QISEND=0\r", b"\r\n> ")
        u.reply(b"draft\x1b", answer)
        assert s.send_stream(b"draft", cancel=True) == 0
        assert u.take_tx() == b"AT+QISEND=0\rdraft\x1b"


def test_a_module_restart_fails_the_command_and_drops_the_sockets():
    for banner in (b"\r\nRDY\r\n", b"F1: 0000 0000\n\rT0: 0000 00B4\n\rLeaving the BROM\n\r"):
        u, m = make()
        s = opened(u, m, cid=2)
        u.reply(b"AT+QISEND=2,3,abc\r", banner)
        err = raises(bc26.BC26Error, s.send, b"abc")
        assert "restarted" in str(err) and m.sockets.restarts == 1
        err = raises(bc26.BC26Error, s.recv, 10)
        assert err.code == 567
        assert m.sockets.table == [None] * 5
        # Echo is on again after a restart: the driver resynchronises (what went out into
        # the boot may still be answered) and turns it off at the next poll.
        u.auto(b"AT\r", OK)
        u.reply(b"ATE0\r", b"ATE0\r\r\nOK\r\n")
        m.poll()
        assert u.take_tx().endswith(b"AT\rAT\rATE0\r")
        u.reply(b"AT+QIOPEN=1,2,", OK + b"\r\n+QIOPEN: 2,0\r\n")
        assert m.open("TCP", "1.2.3.4", 80, connect_id=2).id == 2


def test_data_and_a_repeated_result_in_the_same_read_as_the_open():
    u, m = make()
    u.reply(b"AT+QIOPEN=", OK + b'\r\n+QIOPEN: 0,0\r\n\r\n+QIURC: "recv",0,5\r\nhello\r\n+QIOPEN: 0,0\r\n')
    s = m.open("TCP", "1.2.3.4", 80, mode=bc26.PUSH)
    assert s.recv(10) == b"hello"
    m.poll()
    assert m.sockets.orphans == 0 and m.sockets.table[0] is s
    assert u.take_tx() == b'AT+QIOPEN=1,0,"TCP","1.2.3.4",80,0,1\r'


def test_damaged_hex_data_is_reported_not_raised():
    u, m = make(recv_hex=True)
    s = opened(u, m, mode=bc26.PUSH)
    u.feed(b'\r\n+QIURC: "recv",0,2\r\n4G4Z\r\n')  # not hex: damaged on the wire
    m.poll()
    assert m.sockets.damaged == 1
    raises(bc26.DataLost, s.recv, 10, 0)
    u.feed(b'\r\n+QIURC: "recv",0,2\r\n4142\r\n')
    assert s.recv(10) == b"AB"


def test_poll_neither_raises_nor_stalls_when_housekeeping_gets_no_answer():
    u, m = make()
    m.sockets.cmd_timeout = 50
    u.feed(b"\r\nRDY\r\n")
    t0 = ticks_ms()
    m.poll()  # the resync before the deferred ATE0 gets no answer: counted, retried later
    m.poll()  # within the back-off: nothing sent
    assert ticks_diff(ticks_ms(), t0) < 1500  # three ATs of 300 ms, once
    assert m.sockets.service_errors == 1
    assert u.take_tx() == b"AT\rAT\rAT\r"


def test_garbage_in_an_answer_becomes_text_not_an_error():
    u, m = make()
    u.reply(b"ATI\r", b"\r\nQuectel\xb7\xff\r\n" + OK)
    assert m.at("ATI") == ["Quectel??"]


def test_a_recv_urc_right_behind_an_empty_read_is_not_lost():
    # The module found nothing to read, then data arrived and it says so at once: the next
    # read must happen now, not at the next safety poll.
    u, m = make()
    s = opened(u, m)
    s.pending = True
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 0\r\n" + OK + b'\r\n+QIURC: "recv",0\r\n')
    assert s.recv_into(bytearray(10), 0, 0) is None
    assert s.pending
    u.reply(b"AT+QIRD=0,10\r", b"\r\n+QIRD: 4\r\nlate\r\n" + OK)
    t0 = ticks_ms()
    assert s.recv(10, 1000) == b"late"
    assert ticks_diff(ticks_ms(), t0) < 200
