# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
# Attacks on README "Reliability" from outside (session 8, helper atk8), aimed at the layers
# the earlier attack files touched least: bc26.usocket's stream methods (what umqtt, requests
# and mqtt_as call) when a wait ends part way, the plain command that now gives up in
# Engine.step itself (its late answer, with URCs and counted data around it), and real
# modules' byte streams (echo back on after an unseen restart, CR-only line ends, URCs glued
# to an OK, ERROR to AT while booting). One test per class of failure; each one
# failed on the lib/ it was written against, for the reason its comment gives.
import errno

import bc26
from fakeuart import FakeUART
from testutil import raises

OK = b"\r\nOK\r\n"
RECV0 = b'\r\n+QIURC: "recv",0\r\n'
QIRD0 = b"\r\n+QIRD: 0\r\n" + OK


def make():
    u = FakeUART()
    m = bc26.Modem(u)
    m.sockets.known = True  # the AT+QICFG values are the driver's defaults
    return u, m, bc26.usocket.SocketPool(m)


def connected(u, pool, timeout):
    import bc26.usocket  # noqa: F401  (loaded on first use, as a board does)

    u.reply(b"AT+QIOPEN=", OK + b"\r\n+QIOPEN: 0,0\r\n")
    s = pool.socket()
    s.connect(("127.0.0.1", 1883))
    s.settimeout(timeout)
    u.take_tx()
    return s


def qird(n, data):
    return b"\r\n+QIRD: %d\r\n" % len(data) + data + b"\r\n" + OK


def part_then_silence(u, n, data):
    # The module holds data (fewer bytes than the read wants), then nothing more in time.
    u.feed(RECV0)
    u.reply(b"AT+QIRD=0,%d\r" % n, qird(n, data))
    u._auto = []
    u.auto(b"AT+QIRD=0,%d\r" % n, QIRD0)
    u.auto(b"AT+QIRD=0,256\r", QIRD0)  # the rest of a large read is a small one


def then_more(u, n, data):
    u._auto = []
    u.feed(RECV0)
    u.reply(b"AT+QIRD=0,%d\r" % n, qird(n, data))
    u.auto(b"AT+QIRD=0,%d\r" % n, QIRD0)


def timed_out(fn, *args):
    err = raises(OSError, fn, *args)
    assert err.args[0] == errno.ETIMEDOUT, err


# --- bc26.usocket: a timeout part way through a stream read -----------------------------
#
# A socket with a finite timeout (umqtt.robust and requests set one) keeps its connectID
# after a read times out: the user may read again (README: "reclaims one whose read timed
# out" only when the five run out). read(n), readinto(buf) and readline() loop until they
# have all they were asked for; when the wait for the rest times out, the part that came was
# already taken from the module (AT+QIRD) and written into a buffer the caller never sees,
# as the call raises OSError(ETIMEDOUT). The next read returns the bytes after them: a hole
# in the stream, never reported (promise 1: every byte delivered, or DataLost).


def test_read_n_that_times_out_part_way_keeps_what_came():
    u, m, pool = make()
    s = connected(u, pool, 0.2)
    part_then_silence(u, 256, b"abcd")  # small reads go through the 256-byte read-ahead
    timed_out(s.read, 10)
    then_more(u, 256, b"efghij")
    assert s.read(6) == b"abcdef"
    assert s.read(4) == b"ghij"


def test_readinto_a_large_buffer_that_times_out_part_way_keeps_what_came():
    # 300 bytes wanted: read straight into the caller's buffer (no read-ahead), 200 come.
    u, m, pool = make()
    s = connected(u, pool, 0.2)
    first = bytes(range(200))
    part_then_silence(u, 300, first)
    buf = bytearray(300)
    timed_out(s.readinto, buf)
    then_more(u, 256, b"xyz")
    got = s.read(203)
    assert got == first + b"xyz", got[:8]


def test_readline_that_times_out_part_way_keeps_the_start_of_the_line():
    # requests reads its status line and headers with readline().
    u, m, pool = make()
    s = connected(u, pool, 0.2)
    part_then_silence(u, 256, b"HTTP/1.1 2")
    timed_out(s.readline)
    then_more(u, 256, b"00 OK\r\n")
    assert s.readline() == b"HTTP/1.1 200 OK\r\n"


def test_read_all_that_times_out_part_way_keeps_what_came():
    u, m, pool = make()
    s = connected(u, pool, 0.2)
    part_then_silence(u, 256, b"body")
    timed_out(s.read)
    u._auto = []
    u.feed(RECV0 + b'\r\n+QIURC: "closed",0\r\n')
    u.reply(b"AT+QIRD=0,256\r", qird(256, b"-end"))
    u.auto(b"AT+QIRD=0,256\r", QIRD0)
    u.auto(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    assert s.read() == b"body-end"


# --- bc26.usocket: writes that coalescing holds when the socket closes ------------------
#
# SocketPool(coalesce=n) gathers small TCP writes and sends them before the next read, on
# poll, flush() and close(); write() has returned their count already. close() tried the
# send but swallowed its failure, and skipped it while bc26.aio held the module: the bytes
# the user was told were written never left, and nothing said so (promise 1).


def coalescing(u, m):
    pool = bc26.usocket.SocketPool(m, coalesce=64)
    s = connected(u, pool, None)
    u.auto(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    assert s.write(b"abc") == 3
    assert u.take_tx() == b""  # held
    return s


def test_close_reports_held_writes_whose_send_failed():
    u, m, pool = make()
    s = coalescing(u, m)
    u.reply(b"AT+QISEND=0,3,abc\r", OK + b"\r\nSEND FAIL\r\n")
    err = raises(OSError, s.close)
    assert err.args[0] == errno.ECONNRESET, err
    assert u.take_tx() == b"AT+QISEND=0,3,abc\rAT+QICLOSE=0\r"
    assert m.sockets.table[0] is None
    s.close()  # closed: a second close does nothing
    assert u.take_tx() == b""


def test_close_reports_held_writes_it_cannot_send_while_the_module_is_busy():
    # An asyncio command holds the module (here: one begun and not finished).
    u, m, pool = make()
    s = coalescing(u, m)
    e = m.engine
    e.cmd(b"AT+CSQ")
    e.begin((b"+CSQ:",), None, 5000)
    err = raises(OSError, s.close)
    assert err.args[0] == errno.EIO, err
    u.feed(b"\r\n+CSQ: 20,99\r\n" + OK)
    e.step(True)
    assert e.finish() == [b"+CSQ: 20,99"]
    m.poll()  # the deferred close
    assert u.take_tx() == b"AT+CSQ\rAT+QICLOSE=0\r"
    assert m.sockets.table[0] is None


def test_a_timeout_under_a_millisecond_is_a_timeout_not_non_blocking():
    # settimeout(0.0005) kept int(0.5) = 0 ms: the socket became non-blocking, and read(1)
    # returned None, which a client of a socket with a timeout never expects (umqtt indexes
    # what read() returns). A finite timeout must end in data or OSError(ETIMEDOUT).
    u, m, pool = make()
    s = connected(u, pool, 0.0005)
    u.auto(b"AT+QIRD=0,256\r", QIRD0)
    timed_out(s.read, 1)


def test_write_with_a_negative_offset_is_refused_not_counted_as_sent():
    # write(buf, off, n) with off < 0: memoryview(buf)[off:off + n] is empty (or the wrong
    # bytes), yet write() returned n: bytes counted as sent that never went (promise 1), or
    # bytes the caller did not mean. Bad input gets a clear error.
    u, m, pool = make()
    s = connected(u, pool, None)
    u.auto(b"\r", OK + b"\r\nSEND OK\r\n")
    raises(ValueError, s.write, b"abc", -3, 3)
    raises(ValueError, s.write, b"abc", -1, 1)
    assert u.take_tx() == b""
    assert s.write(b"abc", 1, 5) == 2  # n past the end: what there is, as MicroPython does
    assert u.take_tx() == b"AT+QISEND=0,2,bc\r"


# --- a plain command that gives up in Engine.step (session 8's change) -------------------
#
# AT+CSQ (no prompt, no trailer) times out at 300 ms; its answer comes at 350 ms, inside the
# next operation's wait, with data records around it; that operation's own answer comes 100
# ms after its line. The next operation must get its own answer, not the late one (one
# answer behind from then on: the README's resync promise), and every byte must reach the
# socket in order (promise 1). The module is test_attacks7's Module (it runs each line it
# reads; an answer may be (ms, bytes): printed that much later). (Guards: they passed on the
# lib/ they were written against, and fail when the give-up does not mark the engine stale.)

LATE_CSQ = b"\r\n+CSQ: 5,99\r\n" + OK
CSQ = (100, b"\r\n+CSQ: 20,99\r\n" + OK)
PUSH1 = b'\r\n+QIURC: "recv",0,5\r\nhello'
PUSH2 = b'\r\n+QIURC: "recv",0,6\r\n world'
OPEN0 = b'AT+QIOPEN=1,0,"TCP","10.0.0.1",7,0,%d\r'


def late_module(late):
    from test_attacks7 import make as make7

    u, m = make7()
    u.answers[b"AT+CSQ\r"] = [(350, late), CSQ]
    u.answers[OPEN0 % 0] = OK + b"\r\n+QIOPEN: 0,0\r\n"
    u.answers[OPEN0 % 1] = OK + b"\r\n+QIOPEN: 0,0\r\n"
    return u, m


def test_a_late_plain_answer_with_pushed_data_around_it_blocking():
    u, m = late_module(PUSH1 + LATE_CSQ + PUSH2)
    s = m.open("TCP", "10.0.0.1", 7, mode=bc26.PUSH, connect_id=0)
    t = raises(bc26.BC26Timeout, m.at, "AT+CSQ", 300)
    assert "AT+CSQ" in str(t)
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]
    got = b""
    while len(got) < 11:
        got += s.recv(64, 500)
    assert got == b"hello world"
    assert not m.engine.busy()


def test_a_late_plain_answer_before_a_usocket_read_in_buffer_mode():
    # The socket module's read begins AT+QIRD: the resync the late answer makes due comes
    # first, so the late OK is not taken for the read's (without it: DataLost, the socket
    # freed, for a stream that lost nothing).
    u, m = late_module(LATE_CSQ + RECV0)
    u.answers[b"AT+QIRD=0,256\r"] = [(100, qird(256, b"hello")), QIRD0]
    pool = bc26.usocket.SocketPool(m)
    s = pool.socket()
    s.connect(("10.0.0.1", 7))
    s.settimeout(2)
    raises(bc26.BC26Timeout, m.at, "AT+CSQ", 300)
    u.feed(RECV0)
    assert s.read(5) == b"hello"
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]


def test_a_late_plain_answer_with_pushed_data_around_it_aio():
    import asyncio

    import bc26.aio

    u, m = late_module(PUSH1 + LATE_CSQ + PUSH2)
    out = []

    async def main():
        am = bc26.aio.AsyncModem(m)
        am.start()
        a = await am.open("TCP", "10.0.0.1", 7, mode=bc26.PUSH, connect_id=0)
        try:
            await am.command("AT+CSQ", expect=(b"+CSQ:",), timeout=300)
        except bc26.BC26Timeout as err:
            out.append(err)
        out.append(await am.command("AT+CSQ", expect=(b"+CSQ:",), timeout=300))
        got = b""
        while len(got) < 11:
            got += await a.recv(64, 1000)
        out.append(got)
        am.stop()

    asyncio.run(main())
    assert isinstance(out[0], bc26.BC26Timeout), out
    assert out[1:] == [[b"+CSQ: 20,99"], b"hello world"], out


# --- real modules' streams: ERROR to AT while booting -------------------------------------


def test_sync_waits_out_a_module_that_answers_error_while_booting():
    # A booting module answers AT with ERROR at once (the brief's real-module trait), here
    # for 1 s. sync(10) (start()'s, and a wake's) sends AT "until the module answers OK",
    # 10 tries of 300 ms: silence spends them in 3 s, but ten ERRORs spent them in 2 ms,
    # and start() failed with "no answer to AT" against a module ready 1 s later. Each try
    # must last its timeout, answered or not (still within sync's bound).
    from test_attacks7 import make as make7

    from fakeuart import ticks_diff, ticks_ms

    u, m = make7()
    t0 = ticks_ms()
    ran = u._run

    def booting(line):
        if line == b"AT\r" and ticks_diff(ticks_ms(), t0) < 1000:
            u.rx.extend(b"\r\nERROR\r\n")
        else:
            ran(line)

    u._run = booting
    m.sync(10)
    ms = ticks_diff(ticks_ms(), t0)
    assert 1000 <= ms < (2 * 10 + 4) * 300, ms
    assert u.lines.count(b"AT\r") <= 10, u.lines


def test_readinto_with_a_negative_count_is_no_end_of_stream():
    # readinto(buf, -1) returned 0, which a stream reader takes for the end of the stream
    # (the peer closed), with the data still waiting. MicroPython's streams take a count
    # they cannot use as no limit (the whole buffer); so does this now.
    u, m, pool = make()
    s = connected(u, pool, 1)
    u.feed(RECV0)
    u.reply(b"AT+QIRD=0,256\r", qird(256, b"abcd"))
    buf = bytearray(4)
    assert s.readinto(buf, -1) == 4 and buf == b"abcd"


# --- a late trailer URC of a lookup that gave up -----------------------------------------


def late_then_own(u, line, late, own):
    # The "a" command gets its OK only (it gives up waiting for its result); the "b" one gets
    # a's result, late, then its own OK and result.
    u.answers[line % b"a"] = OK
    u.answers[line % b"b"] = [late + OK + own]


def test_a_late_dns_answer_is_not_the_next_lookups():
    # resolve("a.example") gives up after OK, waiting for its "dnsgip" URCs (the user's
    # timeout, or an aio task cancelled). The resync before the next command is over in
    # well under a second; a lookup takes seconds. The module finishes a's lookup just as
    # b's line reaches it: a's URCs, then b's OK, then b's own URCs. resolve("b.example")
    # takes a's lines for its answer and returns a's address: a late answer taken for the
    # next command's (README "How the receiver works"), and a client connects to the wrong
    # host. The URCs carry no host name; only their place after the command's OK tells
    # them apart. (A module that refuses a second lookup while one runs answers 564, "DNS
    # busy"; one that accepts it widens this window to the whole lookup.)
    from test_attacks7 import make as make7

    def dns(ip):
        return b'\r\n+QIURC: "dnsgip",0,1,600\r\n\r\n+QIURC: "dnsgip","%s"\r\n' % ip

    u, m = make7()
    late_then_own(u, b'AT+QIDNSGIP=1,"%s.example"\r', dns(b"10.0.0.1"), dns(b"10.0.0.2"))
    raises(bc26.BC26Timeout, m.resolve, "a.example", 300)
    assert m.resolve("b.example", 3000) == (["10.0.0.2"], 600)


def test_a_late_ntp_or_ping_answer_is_not_the_next_ones():
    # The same class for the other two-phase commands whose results carry nothing that names
    # the command: +QNTP and +QPING. (+QIOPEN names its connectID: a late one goes to the
    # late-open URC handler, as it did.)
    from test_attacks7 import make as make7

    from bc26 import services

    def ntp(t):
        return b'\r\n+QNTP: 0,"%s"\r\n' % t

    u, m = make7()
    old, new = ntp(b"2026/01/01,00:00:00+00"), ntp(b"2026/12/07,16:30:00+00")
    late_then_own(u, b'AT+QNTP=1,"%s.example"\r', old, new)
    raises(bc26.BC26Timeout, m.ntp, "a.example", timeout=300)
    assert m.ntp("b.example", timeout=3000)[:5] == (2026, 12, 7, 16, 30)

    def pong(ms):
        return b'\r\n+QPING: 0,"10.0.0.9",32,%d,255\r\n' % ms

    summary = b"\r\n+QPING: 0,1,1,0,%d,%d,%d\r\n"
    late = pong(111) + summary % (111, 111, 111)
    late_then_own(u, b'AT+QPING=1,"%s.example",1,1\r', late, pong(7) + summary % (7, 7, 7))
    saved = services.PING_MARGIN_MS
    services.PING_MARGIN_MS = 0  # the ping's own 1 s, not 21 s
    try:
        raises(bc26.BC26Timeout, m.ping, "a.example", 1, 1)
        replies, got = m.ping("b.example", 1, 1)
    finally:
        services.PING_MARGIN_MS = saved
    assert replies == [(0, "10.0.0.9", 32, 7, 255)] and got[4] == 7, (replies, got)
