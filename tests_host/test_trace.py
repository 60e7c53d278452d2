# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
#
# The AT trace (bc26.trace) must change nothing: the interleaving suite runs again with every
# UART wrapped in a trace, and must pass as it does without (it checks every result and the
# exact bytes the driver wrote); what the trace recorded, unescaped, must be the bytes that
# crossed the wire, both ways. tests_host/test_device.py does the same for the device tests
# against the emulator.
import gc
import select
import socket

import test_interleave as inter

import bc26
from bc26.trace import Trace
from fakeuart import FakeUART

OK = b"\r\nOK\r\n"


def unescape(text):
    """A trace line's text back to bytes."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(ord(c))
            i += 1
            continue
        k = text[i + 1]
        if k == "x":
            out.append(int(text[i + 2 : i + 4], 16))
            i += 4
        else:
            out.append({"r": 13, "n": 10, "\\": 92}[k])
            i += 2
    return bytes(out)


def wire(lines):
    """(bytes to the module, bytes from it) that trace lines spell out."""
    sent = bytearray()
    got = bytearray()
    for line in lines:
        assert line[8] == " " and line[10] == " ", line
        assert line[:8].strip().isdigit(), line
        text = line[11:]
        if text.endswith(" ..."):
            text = text[:-4]
        (sent if line[9] == ">" else got).extend(unescape(text))
    return bytes(sent), bytes(got)


class Checked:
    """Wraps each UART of the interleaving suite in a Trace and checks the previous one's
    record against its UART: the bytes written and the byte count read."""

    def __init__(self):
        self.last = None
        self.checked = 0

    def __call__(self, uart):
        self.check()
        t = Trace(uart, lines=8, width=64, out=None)
        self.last = (t, uart)
        return t

    def check(self):
        if self.last is None:
            return
        t, u = self.last
        self.last = None
        assert t.bytes_out == len(u.tx), (t.bytes_out, len(u.tx))
        assert t.bytes_in == u.delivered, (t.bytes_in, u.delivered)
        self.checked += 1


def through_trace(test):
    wrap = Checked()
    inter.WRAP = wrap
    try:
        test()
        wrap.check()
    finally:
        inter.WRAP = None
    assert wrap.checked > 100, wrap.checked


def test_interleaving_through_the_trace_modem_answers():
    through_trace(inter.test_every_urc_at_every_boundary_of_modem_answers)


def test_interleaving_through_the_trace_socket_answers():
    through_trace(inter.test_every_urc_at_every_boundary_of_socket_answers)


def test_interleaving_through_the_trace_counted_reads_and_pushed_data():
    through_trace(inter.test_every_urc_at_every_boundary_of_a_counted_read_in_buffer_mode)
    through_trace(inter.test_every_urc_at_every_boundary_of_pushed_data_in_push_mode)


def test_interleaving_through_the_trace_split_points_and_restarts():
    through_trace(inter.test_every_split_point_of_counted_answers_with_urcs_around)
    through_trace(inter.test_a_restart_aborts_the_pending_command_cleanly)


def exchange(trace_args, chunk):
    """A short session with every byte value in it; (results, bytes written, trace or None)."""
    gc.collect()  # the suites before leave the heap in pieces: the ring wants one
    u = FakeUART(chunk)
    t = None if trace_args is None else Trace(u, **trace_args)
    m = bc26.Modem(u if t is None else t)
    m.sockets.known = True
    payload = bytes(range(256)) + b"\\x41\r\n"
    u.reply(b"AT+CSQ\r", b"AT+CSQ\r\r\n+CSQ: 19,99\r\n" + OK)
    u.reply(b"AT+QIOPEN=1,0,", OK, b'\r\n+QIOPEN: 0,0\r\n+QIURC: "recv",0,5\r\n')
    u.reply(b"AT+QISEND=0,%d\r" % len(payload), b"\r\n> ")
    u.reply(payload, b"\r\nSEND OK\r\n")
    u.reply(b"AT+QIRD=0,", b"\r\n+QIRD: 5\r\n\x00\r\n\xff\\\r\n" + OK)
    u.reply(b"AT+QICLOSE=0\r", OK, b"\r\nCLOSE OK\r\n")
    results = [m.command("AT+CSQ", expect=(b"+CSQ:",))]
    s = m.open("TCP", "127.0.0.1", 7)
    s.send_fixed(payload)
    results.append(s.recv(64, 1000))
    s.close()
    return results, bytes(u.tx), t, u


def test_the_trace_spells_out_the_wire_and_changes_nothing():
    plain, tx, _, _ = exchange(None, 0)
    assert plain[1] == b"\x00\r\n\xff\\"
    for chunk in (0, 1, 7):
        for ring, width, callback in ((60, 100, False), (0, 100, True), (3, 24, True)):
            kept = []
            args = {"lines": ring, "width": width, "out": kept.append if callback else None}
            got, got_tx, t, u = exchange(args, chunk)
            assert got == plain, (args, got)
            assert got_tx == tx, args
            if callback:
                lines = kept + [x for x in t.lines()[-1:] if x.endswith(" ...")]
            else:
                lines = t.lines()
            sent, received = wire(lines)
            assert sent == tx, (args, sent, tx)
            assert t.bytes_in == len(received) and t.bytes_out == len(tx)
            assert b"+QIRD: 5\r\n\x00\r\n\xff\\\r\n" in received, received
            assert all(len(x) <= width + 4 for x in lines)


def test_lines_end_at_line_ends_and_keep_the_answer_together():
    u = FakeUART()
    t = Trace(u, lines=10, out=None)
    t.write(b"AT+CSQ\r")
    u.feed(b"\r\n+CSQ: 19,99\r\n\r\nOK\r\n\r\n> ")
    buf = bytearray(64)
    t.readinto(buf, 64)
    t.write(b"\x1a")
    texts = [line[9:] for line in t.lines()]
    assert texts == [
        "> AT+CSQ\\r",
        "< \\r\\n+CSQ: 19,99\\r\\n",
        "< \\r\\nOK\\r\\n",
        "< \\r\\n> ",
        "> \\x1a ...",
    ], texts


def test_the_ring_keeps_the_last_lines_and_print_shows_them():
    u = FakeUART()
    t = Trace(u, lines=3, out=None)
    for i in range(10):
        t.write(b"AT+N%d\r" % i)
    assert [line[11:] for line in t.lines()] == ["AT+N7\\r", "AT+N8\\r", "AT+N9\\r"]
    assert str(t).split("\n") == t.lines()
    assert t.bytes_out == 60
    t.write(b"AT+PART")  # a line still being written takes the oldest slot of a full ring
    assert [line[11:] for line in t.lines()] == ["AT+N8\\r", "AT+N9\\r", "AT+PART ..."], t.lines()


def test_same_surface_and_return_values():
    u = FakeUART()
    t = Trace(u, lines=4, out=None)
    buf = bytearray(8)
    assert t.readinto(buf, 8) is None  # nothing waiting: the UART's None, not 0
    assert t.read() is None and t.read(4) is None
    assert t.any() == 0
    u.feed(b"abc")
    assert t.any() == 3
    assert t.read(2) == b"ab" and t.readinto(buf) == 1 and buf[0:1] == b"c"
    assert t.write(b"xyz", 1, 2) == 2 and bytes(u.tx) == b"yz"
    assert t.bytes_in == 3 and t.bytes_out == 2
    assert wire(t.lines()) == (b"yz", b"abc"), t.lines()

    class NoAny:
        def readinto(self, buf, n=0):
            return None

        def write(self, buf, off=0, n=0):
            return None  # a non-blocking socket that took nothing

    t2 = Trace(NoAny(), lines=2, out=None)
    assert getattr(t2, "any", None) is None  # the engine then reads without asking
    assert t2.write(b"AT\r", 0, 3) is None and t2.bytes_out == 0


def test_bad_arguments_are_refused():
    u = FakeUART()
    for kw in ({"lines": -1}, {"width": 10}, {"width": 300}, {"lines": 0, "out": None}, {"out": 5}):
        try:
            Trace(u, **kw)
        except (ValueError, TypeError):
            continue
        raise AssertionError("accepted %r" % (kw,))


def pollable(obj):
    try:
        p = select.poll()
        p.register(obj, select.POLLIN)
        return True
    except Exception:
        return False


def test_select_poll_takes_the_trace_exactly_when_it_takes_the_uart():
    u = FakeUART()
    assert pollable(Trace(u, lines=2, out=None)) == pollable(u)
    srv = socket.socket()
    srv.bind(socket.getaddrinfo("127.0.0.1", 0)[0][-1])
    srv.listen(1)
    port = srv.getsockname()[1] if hasattr(srv, "getsockname") else None
    cli = socket.socket()
    try:
        if port is None:
            return  # the unix port's socket has no getsockname: the device test covers it
        cli.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
        peer = srv.accept()[0]
        t = Trace(cli, lines=4, out=None)
        assert pollable(cli) and pollable(t)
        p = select.poll()
        p.register(t, select.POLLIN)
        assert not p.poll(0)
        peer.send(b"RDY\r\n")
        assert p.poll(2000)
        peer.close()
    finally:
        cli.close()
        srv.close()
