# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
from bc26.engine import LINE_DONE, LINE_MORE, LINE_NOT_MINE, Engine
from bc26.errors import BC26Error, BC26Timeout
from fakeuart import FakeUART
from testutil import raises


class Lines:
    """A URC handler that records the lines it was given."""

    def __init__(self):
        self.lines = []

    def __call__(self, buf, s, e):
        self.lines.append(bytes(buf[s:e]))


class Sink:
    def __init__(self):
        self.data = bytearray()
        self.cut = False

    def __call__(self, mv, s, e):
        if mv is None:
            self.cut = True  # the rest never came (Engine.take)
            return
        self.data.extend(mv[s:e])


def make(chunk=0, rxbuf=256):
    u = FakeUART(chunk)
    return u, Engine(u, rxbuf)


def command(e, text, expect=None, on_line=None, timeout=1000, trailer=0):
    # One command, blocking: what Modem.command does, without the modem.
    e.cmd(text)
    e.begin(expect, on_line, timeout, trailer)
    e.wait()
    return e.finish()


def command_text(e):
    return bytes(e._cmd[: e._cmdlen]).decode()


def test_ok_returns_only_expected_lines():
    u, e = make()
    u.reply(b"AT+CSQ\r", b"\r\n+CSQ: 19,99\r\n\r\nOK\r\n")
    assert command(e, "AT+CSQ", expect=(b"+CSQ:",)) == [b"+CSQ: 19,99"]
    assert u.take_tx() == b"AT+CSQ\r"


def test_error_and_cme_error():
    u, e = make()
    u.reply(b"AT+X\r", b"\r\nERROR\r\n")
    err = raises(BC26Error, command, e, "AT+X")
    assert err.code is None and str(err) == "ERROR"
    u.reply(b"AT+Y\r", b"\r\n+CME ERROR: 566\r\n")
    err = raises(BC26Error, command, e, "AT+Y")
    assert err.code == 566 and err.errno == 566
    assert str(err) == "566 Socket connection failed"
    # The engine is usable again after an error.
    u.reply(b"AT\r", b"\r\nOK\r\n")
    assert command(e, "AT") is None


def test_trailer_comes_later():
    u, e = make()
    u.reply(b"AT+QICLOSE=0\r", b"\r\nOK\r\n", (30, b"\r\nCLOSE OK\r\n"))
    assert command(e, "AT+QICLOSE=0", expect=(b"CLOSE OK",), trailer=500) == [b"CLOSE OK"]


def test_trailer_deadline():
    u, e = make()
    u.reply(b"AT+QICLOSE=0\r", b"\r\nOK\r\n")
    err = raises(BC26Timeout, command, e, "AT+QICLOSE=0", expect=(b"CLOSE OK",), trailer=40)
    assert err.errno == 110 and "QICLOSE" in str(err)
    assert e.stale


def test_final_deadline():
    u, e = make()
    err = raises(OSError, command, e, "AT+CSQ", timeout=30)
    assert err.errno == 110


def test_send_ok_without_ok_before_it():
    u, e = make()
    u.reply(b"AT+QISEND=0,3,abc\r", b"\r\nSEND OK\r\n")
    command(e, "AT+QISEND=0,3,abc", expect=(b"SEND OK", b"SEND FAIL"), trailer=500)
    assert e.matched == 0
    u.reply(b"AT+QISEND=0,3,abc\r", b"\r\nOK\r\n\r\nSEND FAIL\r\n")
    command(e, "AT+QISEND=0,3,abc", expect=(b"SEND OK", b"SEND FAIL"), trailer=500)
    assert e.matched == 1


def _prompt_exchange(prompt_bytes):
    u, e = make()
    urcs = Lines()
    e.on(b'+QIURC:"recv"', urcs)
    u.reply(b"AT+QISEND=0,5\r", prompt_bytes)
    u.reply(b"hello", b"\r\nOK\r\n\r\nSEND OK\r\n")
    e.cmd("AT+QISEND=0,5")
    e.begin(expect=(b"SEND OK", b"SEND FAIL"), trailer=500, prompt=True)
    e.wait()
    assert e.state == 4  # PROMPTED
    e.write(b"hello")
    e.resume()
    e.wait()
    e.finish()
    assert e.matched == 0
    return urcs.lines


def test_prompt_forms():
    assert _prompt_exchange(b"\r\n> ") == []
    assert _prompt_exchange(b">") == []
    assert _prompt_exchange(b"\r\n>") == []
    # Other bytes glued right after the prompt are still records.
    assert _prompt_exchange(b'> +QIURC: "recv",1\r\n') == [b'+QIURC: "recv",1']


def test_error_instead_of_prompt():
    u, e = make()
    u.reply(b"AT+QISEND=4\r", b"\r\nERROR\r\n")
    e.cmd("AT+QISEND=4")
    e.begin(prompt=True)
    e.wait()
    raises(BC26Error, e.finish)


def test_expected_prefix_wins_over_urc_table():
    u, e = make()
    urcs = Lines()
    e.on(b"+CEREG:", urcs)
    u.reply(b"AT+CEREG?\r", b"\r\n+CEREG: 0,1\r\n\r\nOK\r\n")
    assert command(e, "AT+CEREG?", expect=(b"+CEREG:",)) == [b"+CEREG: 0,1"]
    assert urcs.lines == []
    u.feed(b"\r\n+CEREG: 5\r\n")
    e.poll()
    assert urcs.lines == [b"+CEREG: 5"]


def test_line_handler_may_decline():
    # AT+QIDNSGIP expects +QIURC: "dnsgip" lines; a "recv" URC in between is not its own.
    u, e = make()
    urcs = Lines()
    e.on(b'+QIURC:"recv"', urcs)
    got = []

    def dns(buf, s, end):
        if b'"dnsgip"' not in bytes(buf[s:end]):
            return LINE_NOT_MINE
        got.append(bytes(buf[s:end]))
        return LINE_DONE if len(got) == 2 else LINE_MORE

    u.reply(
        b"AT+QIDNSGIP",
        b'\r\nOK\r\n\r\n+QIURC: "dnsgip",0,1,600\r\n\r\n+QIURC: "recv",2\r\n',
        b'\r\n+QIURC:"dnsgip","10.0.0.1"\r\n',
    )
    command(e, 'AT+QIDNSGIP=1,"x"', expect=(b"+QIURC:",), on_line=dns, trailer=500)
    assert got == [b'+QIURC: "dnsgip",0,1,600', b'+QIURC:"dnsgip","10.0.0.1"']
    assert urcs.lines == [b'+QIURC: "recv",2']


def test_urc_when_idle_and_glued_after_ok():
    u, e = make()
    urcs = Lines()
    e.on(b'+QIURC:"closed"', urcs)
    u.reply(b"AT\r", b'\r\nOK\r\n\r\n+QIURC: "closed",3\r\n')
    command(e, "AT")
    assert urcs.lines == [b'+QIURC: "closed",3']
    u.feed(b'+QIURC:"closed",4\r\n')
    e.poll()
    assert urcs.lines[1] == b'+QIURC:"closed",4'


def test_a_named_handler_is_looked_up_once_when_its_urc_first_comes():
    # Engine.on(prefix, (object, "name")): the method may live in a module loaded on first
    # use, so it is looked up only when its URC comes, and then kept.
    class Owner:
        def __init__(self):
            self.lookups = 0
            self.urcs = Lines()

        def __getattr__(self, name):
            if name != "on_thing":
                raise AttributeError(name)
            self.lookups += 1
            return self.urcs

    u, e = make()
    owner = Owner()
    e.on(b"+THING:", (owner, "on_thing"))
    e.on(b"THING TOO", (owner, "on_thing"))  # one handler for two prefixes, as the boot banners
    e.on(b"+OTHER:", (owner, "absent"))  # never comes: never looked up
    assert owner.lookups == 0
    u.feed(b"+THING: 1\r\n+THING: 2\r\n")
    e.poll()
    u.feed(b"THING TOO\r\n+THING: 3\r\n")
    e.poll()
    assert owner.urcs.lines == [b"+THING: 1", b"+THING: 2", b"THING TOO", b"+THING: 3"], owner.urcs.lines
    assert owner.lookups == 1 and e.unknown == 0


def test_unknown_lines_go_to_catch_all():
    u, e = make()
    seen = Lines()
    e.on_unknown = seen
    u.feed(b"\r\n+QNEW: 1\r\nRDY\r\n")
    e.poll()
    assert seen.lines == [b"+QNEW: 1", b"RDY"] and e.unknown == 2


def test_echo_cr_only_and_blank_lines():
    u, e = make()
    u.reply(b"AT+CSQ\r", b"AT+CSQ\r\r\r+CSQ:5,99\r\r\rOK\r")
    assert command(e, "AT+CSQ", expect=(b"+CSQ:",)) == [b"+CSQ:5,99"]


def test_garbage_then_a_good_record():
    u, e = make()
    seen = Lines()
    e.on_unknown = seen
    u.reply(b"AT\r", b"\x00\xff\xfe junk\x01\r\n\r\nOK\r\n")
    command(e, "AT")
    assert seen.lines == [b"\x00\xff\xfe junk\x01"]


def test_overlong_record_is_dropped_and_counted():
    u, e = make(rxbuf=64)
    urcs = Lines()
    e.on(b'+QIURC:"closed"', urcs)
    u.feed(b"\r\n+QIURC: " + b"x" * 300 + b'\r\n+QIURC: "closed",1\r\n')
    for _ in range(20):
        e.poll()
    assert e.overflows == 1
    assert urcs.lines == [b'+QIURC: "closed",1']


def qird_header(e, sink):
    """A '+QIRD: n' handler for viewmode 0: the n bytes after the line go to sink."""

    def on_line(buf, s, end):
        f = e.fields
        f.start(s + 6, end)
        e.take(f.int(), sink)
        return LINE_MORE

    return on_line


def test_counted_data_after_header_holds_anything():
    u, e = make()
    sink = Sink()
    payload = b"\r\nOK\r\nERROR\r\n+QIURC: x\r\n"
    u.reply(b"AT+QIRD", b"\r\n+QIRD: %d\r\n" % len(payload) + payload + b"\r\n\r\nOK\r\n")
    command(e, "AT+QIRD=0,512", expect=(b"+QIRD:",), on_line=qird_header(e, sink))
    assert bytes(sink.data) == payload


def _viewmode1(wire, n):
    u, e = make()
    sink = Sink()

    def qird(buf, s, end):
        f = e.fields
        f.start(s + 6, end)
        n = f.int()
        f.int()  # remaining
        e.take(n, sink, start=f.pos, maybe_quoted=True)
        return LINE_MORE

    u.reply(b"AT+QIRD", wire)
    command(e, "AT+QIRD=0,10", expect=(b"+QIRD:",), on_line=qird)
    return bytes(sink.data)


def test_counted_data_inside_the_line_quoted_or_not():
    assert _viewmode1(b"\r\n+QIRD: 6,0,ab\r\nOK\r\n\r\nOK\r\n", 6) == b"ab\r\nOK"
    assert _viewmode1(b'\r\n+QIRD: 6,0,"ab\r\nOK"\r\n\r\nOK\r\n', 6) == b"ab\r\nOK"
    # Raw data that merely starts with a quote.
    assert _viewmode1(b'\r\n+QIRD: 3,0,"ab\r\n\r\nOK\r\n', 3) == b'"ab'
    assert _viewmode1(b'\r\n+QIRD: 4,0,""""\r\n\r\nOK\r\n', 4) == b'""""'


def test_counted_data_that_never_ends_is_abandoned():
    u, e = make()
    sink = Sink()
    e.on(b'+QIURC:"recv"', lambda buf, s, end: e.take(100, sink))
    u.feed(b'\r\n+QIURC: "recv",0,100\r\nshort')
    e.poll()
    e._data_deadline -= 5000  # as if the module had stopped long ago
    e.poll()
    assert e.truncated == 1 and bytes(sink.data) == b"short" and sink.cut
    u.reply(b"AT\r", b"\r\nOK\r\n")
    command(e, "AT")


def test_busy_while_a_command_is_pending():
    u, e = make()
    e.cmd("AT")
    e.begin()
    err = raises(BC26Error, e.begin)
    assert "busy" in str(err)


def test_put_int_and_command_too_long():
    u, e = make()
    e.cmd(("AT+X=", 0, ",", -42, ",", 65535))
    assert command_text(e) == "AT+X=0,-42,65535"
    e.cmd("AT+Y=")
    e.put_int(7)
    e.put(b",")
    e.put_int(512)
    assert command_text(e) == "AT+Y=7,512"
    raises(ValueError, e.cmd, "A" * 300)


# Response kinds with what the engine must return for each; a URC is put between every
# pair of records, and the whole exchange is delivered at every chunk size.
_KINDS = (
    ("AT+CSQ", (b"+CSQ:",), 0, b"\r\n+CSQ: 19,99\r\n\r\nOK\r\n", [b"+CSQ: 19,99"]),
    ("AT+QIOPEN=1,0", (b"+QIOPEN:",), 500, b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n", [b"+QIOPEN: 0,0"]),
    ("AT+QICLOSE=0", (b"CLOSE OK",), 500, b"\r\nOK\r\n\r\nCLOSE OK\r\n", [b"CLOSE OK"]),
    ("AT+QISEND=0,1,a", (b"SEND OK", b"SEND FAIL"), 500, b"\r\nOK\r\n\r\nSEND FAIL\r\n", [b"SEND FAIL"]),
    (
        "AT+QISTATE?",
        (b"+QISTATE:",),
        0,
        b'\r\n+QISTATE: 0,"TCP"\r\n+QISTATE: 1,"UDP"\r\n\r\nOK\r\n',
        [b'+QISTATE: 0,"TCP"', b'+QISTATE: 1,"UDP"'],
    ),
    ("ATE0", None, 0, b"ATE0\r\r\nOK\r\n", None),
    (
        "AT+QIGETERROR",
        (b"+QIGETERROR:",),
        0,
        b"\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n",
        [b"+QIGETERROR: 552,invalid parameters"],
    ),
    ("AT+BAD", None, 0, b"\r\n+CME ERROR: 552\r\n", 552),
)

_URC = b'\r\n+QIURC: "recv",1,5\r\n'


def _boundaries(resp):
    # Offsets where the module may start another record: 0, after every LF, the end.
    cuts = [0]
    i = resp.find(b"\n")
    while i >= 0:
        cuts.append(i + 1)
        i = resp.find(b"\n", i + 1)
    if cuts[-1] != len(resp):
        cuts.append(len(resp))
    return cuts


def _run_kind(kind, wire, chunk):
    cmd, expect, trailer, _, want = kind
    u, e = make(chunk=chunk, rxbuf=64)
    urcs = Lines()
    e.on(b'+QIURC:"recv"', urcs)
    u.reply(cmd.encode() + b"\r", wire)
    try:
        got = command(e, cmd, expect=expect, trailer=trailer)
    except BC26Error as err:
        got = err.code
    e.poll()
    return got, urcs.lines


def test_urc_between_every_record_at_every_chunk_size():
    for kind in _KINDS:
        resp = kind[3]
        for cut in _boundaries(resp):
            wire = resp[:cut] + _URC + resp[cut:]
            for chunk in (0, 1, 2, 3, 5, 7):
                got, urcs = _run_kind(kind, wire, chunk)
                assert got == kind[4], (kind[0], cut, chunk, got)
                assert urcs == [b'+QIURC: "recv",1,5'], (kind[0], cut, chunk, urcs)


def test_every_split_point_of_a_counted_read():
    payload = bytes(range(256))
    wire = b"\r\n+QIRD: 256\r\n" + payload + b"\r\n\r\nOK\r\n" + _URC
    for cut in range(len(wire) + 1):
        u, e = make(rxbuf=128)
        sink = Sink()
        urcs = Lines()
        e.on(b'+QIURC:"recv"', urcs)
        e.cmd("AT+QIRD=0,512")
        e.begin(expect=(b"+QIRD:",), on_line=qird_header(e, sink))
        u.feed(wire[:cut])
        e.step()
        u.feed(wire[cut:])
        e.wait()
        e.finish()
        e.poll()
        assert bytes(sink.data) == payload, cut
        assert urcs.lines == [b'+QIURC: "recv",1,5'], cut


class Silent:
    # A UART that never has anything to read: Engine.feed brings the bytes instead.
    def any(self):
        return 0

    def readinto(self, buf, n=-1):
        return None

    def write(self, data, off=0, n=-1):
        return len(data) - off if n < 0 else n


def test_feed_frames_counted_data_and_urcs_at_every_split_point():
    # The receiver apart from the UART (Engine.feed): the same wire, cut anywhere, gives the
    # same records, through a buffer smaller than the data.
    payload = bytes(range(256))
    wire = b"\r\n+QIRD: 256\r\n" + payload + b"\r\n\r\nOK\r\n" + _URC + b"\r\nRDY?\r\n"
    for cut in range(len(wire) + 1):
        e = Engine(Silent(), 128)
        sink = Sink()
        urcs = Lines()
        e.on(b'+QIURC:"recv"', urcs)
        unknown = Lines()
        e.on_unknown = unknown
        e.cmd("AT+QIRD=0,512")
        e.begin(expect=(b"+QIRD:",), on_line=qird_header(e, sink))
        e.feed(wire[:cut])
        e.feed(memoryview(wire)[cut:])
        assert e.step(), cut
        e.finish()
        assert bytes(sink.data) == payload, cut
        assert urcs.lines == [b'+QIURC: "recv",1,5'], cut
        assert unknown.lines == [b"RDY?"], cut
    # A record longer than the whole buffer is dropped and counted; the next one is kept.
    e = Engine(Silent(), 64)
    urcs = Lines()
    e.on(b'+QIURC:"recv"', urcs)
    e.feed(b"\r\n+X: " + b"y" * 200 + b"\r\n" + _URC)
    assert e.overflows == 1
    assert urcs.lines == [b'+QIURC: "recv",1,5']


def test_many_records_through_a_small_buffer():
    # Records straddle the end of a 64-byte buffer over and over; none may be lost or torn.
    u, e = make(chunk=7, rxbuf=64)
    urcs = Lines()
    e.on(b'+QIURC:"recv"', urcs)
    for i in range(200):
        u.feed(b'\r\n+QIURC: "recv",%d,%d\r\n' % (i % 5, i))
    for _ in range(2000):
        e.poll()
        if not u.any():
            break
    e.poll()
    assert len(urcs.lines) == 200
    for i in range(200):
        assert urcs.lines[i] == b'+QIURC: "recv",%d,%d' % (i % 5, i)
    assert e.overflows == 0


def test_the_record_after_an_overlong_one_is_kept_when_its_line_end_comes_alone():
    # The overlong record's line end arrives on its own, first in the next read: the record
    # after it must still be recognised, not dropped in the overlong one's place.
    u, e = make(rxbuf=64)
    urcs = Lines()
    e.on(b'+QIURC:"closed"', urcs)
    u.feed(b"x" * 192)  # three whole buffers: nothing of it is left when the line end comes
    for _ in range(10):
        e.poll()
    u.feed(b'\r\n+QIURC: "closed",1\r\n')
    e.poll()
    assert e.overflows == 1
    assert urcs.lines == [b'+QIURC: "closed",1']


def test_fields_split_as_the_manual_prints_them():
    # Fields walks a line's fields in place: quotes removed, the spaces before a comma not
    # part of a bare field, one comma and the spaces after it stepped over.
    from bc26.fields import Fields

    line = b'+X: abc  , "q r" ,  -12 ,7,,"",tail  '
    f = Fields(line)
    f.start(4, len(line))
    got = []
    for _ in range(3):
        f.str()
        got.append(line[f.a : f.b])
    assert got == [b"abc", b"q r", b"-12"], got
    assert f.int() == 7
    assert f.int(99) == 99  # an empty field: the default
    assert f.str() == 0  # an empty quoted field
    f.str()
    assert line[f.a : f.b] == b"tail"
    assert f.pos == f.end


def test_viewmode1_read_data_that_starts_with_spaces_is_taken_whole():
    # The data of '+QIRD: <n>,<data>' (viewmode 1) starts right after the comma: the field
    # parser steps over spaces, which may be the data's own first bytes.
    import bc26

    u = FakeUART()
    m = bc26.Modem(u)
    m.sockets.known = True
    m.sockets.viewmode = 1
    u.reply(b"AT+QIOPEN=", b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n")
    s = m.open("TCP", "10.0.0.1", 7)
    u.feed(b'\r\n+QIURC: "recv",0\r\n')
    u.reply(b"AT+QIRD=0,", b"\r\n+QIRD: 6,  ab  \r\n\r\nOK\r\n")
    assert s.recv(10, 500) == b"  ab  "
