# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
# A UART write that stalls in the middle of a send (flow control held, a UART that stops taking
# bytes), in every layer that sends: the blocking Socket, bc26.aio and bc26.usocket, in each
# send form the layer reaches and in both data formats (issue 13, the class helper stall7
# closed). After the stall the call must raise a clear error within its deadline, the module
# must be back in command mode, the next command and the next send must work, and no byte of
# the next send may be lost or taken as filler.
#
# The module side is StallModule: test_attacks6's ModuleUART (which keeps the fixed-length data
# mode, the Ctrl+Z one and the inline form's length check) with a stall that starts a given
# number of bytes after a trigger and lasts past the engine's 2 s write deadline, so the
# give-up's own writes (Esc, filler) meet the stall too, as they would on a held line.
import asyncio
import gc

from test_attacks import make as attacks_make
from test_attacks6 import OK, ModuleUART

import bc26
import bc26.usocket as us
from bc26.aio import AsyncModem, AsyncSocket
from fakeuart import ticks_add, ticks_diff, ticks_ms
from testutil import raises

CSQ = b"\r\n+CSQ: 20,99\r\n" + OK
# How long a stalled send may take: the engine's 2 s write deadline, then up to 2 s more for
# the fixed-length form's filler (it meets the same stall), plus slack for a loaded machine.
SEND_MAX = 5000
# The stall outlasts the write deadline, so the give-up's Esc or filler meets it too, and ends
# within the next write's deadline, as a held line that lets go. Most cases shorten the
# engine's 2 s deadline to QUICK_MS (make(real=False)): each stall costs its deadline in real
# time, and the matrix has dozens of them. One case in each test keeps the real one.
STALL_MS = 2300
QUICK_MS = 300
QUICK_STALL_MS = 450


class StallModule(ModuleUART):
    def __init__(self):
        super().__init__()
        self.cut = None  # [trigger, bytes taken after it, ms, until (once begun), tx mark]
        self.stall_ms = STALL_MS

    def stall_after(self, trigger, k):
        # Once the driver has written trigger and k bytes after it, the UART takes nothing
        # for stall_ms (from the first write it refuses).
        self.cut = [trigger, k, self.stall_ms, None, len(self.tx)]

    def write(self, buf, off=0, n=None):
        if n is None:
            n = len(buf) - off
        c = self.cut
        if c is not None:
            if c[3] is not None:
                if ticks_diff(c[3], ticks_ms()) > 0:
                    return 0
                self.cut = None
            else:
                seen = bytes(self.tx[c[4] :]) + bytes(buf)[off : off + n]
                i = seen.find(c[0])
                if i >= 0:
                    room = c[4] + i + len(c[0]) + c[1] - len(self.tx)
                    if room < n:
                        n = room if room > 0 else 0
                        c[3] = ticks_add(ticks_ms(), c[2])
                        if not n:
                            return 0
        return ModuleUART.write(self, buf, off, n)

    def in_command_mode(self):
        # Nothing half-typed, no data mode, no prompt held back.
        return not self.need and not self.ctrlz and not self.held and not self.line and not self.inq


def make(hexed=False, real=False):
    gc.collect()  # each case builds a modem: the unix port's 256 KB heap is shared by all of them
    u, m = attacks_make(StallModule())
    u.engine = m.engine
    if not real:
        # Engine.write's own timeout argument, which every caller in the library leaves at its
        # 2 s default: the library's code runs as it is, with a shorter deadline.
        write = m.engine.write

        def quick(data, off=0, n=-1, timeout=2000):
            return write(data, off, n, QUICK_MS)

        m.engine.write = quick
        u.stall_ms = QUICK_STALL_MS
    m.sockets.send_hex = u.hexed = hexed
    m.sockets.cmd_timeout = 300
    u.answers[b"AT+CSQ\r"] = CSQ
    u.answers[b"AT+QICLOSE=0\r"] = OK + b"\r\nCLOSE OK\r\n"
    return u, m


def opened(u, m):
    s = m.open("TCP", "10.0.0.1", 7, connect_id=0)
    u.take_tx()
    return s


def wire(data, hexed):
    # What the module's data mode (or the inline form) takes for data: hex digits in hex.
    return bytes(data).hex().encode() if hexed else bytes(data)


def cases(hexed):
    # (form, payload, the line after which the payload goes out, the bytes of it the UART
    # takes): the fixed-length data mode (binary data; in hex, more than the inline form's
    # 512 bytes), cut after 10 bytes, and the inline form (text of letters; in hex, any bytes
    # up to 512), cut 2 bytes short, where the resync's "AT" fits.
    big = bytes(range(256)) * 3
    fixed = big[:600] if hexed else big[:40]
    inline = b"ABCDEFGHIJ" * 4
    return (
        ("fixed", fixed, b"AT+QISEND=0,%d\r" % len(fixed), 10),
        ("inline", inline, b"AT+QISEND=0,40,", 78 if hexed else 38),
    )


def cut_reached_peer(got, form, data, hexed, k):
    # What the peer got of a send cut after k bytes: nothing in the inline and Ctrl+Z forms
    # (the module refuses the line, Esc cancels); in the fixed-length form, which has no
    # cancel, the k bytes and '0' filler for the rest, so that the module leaves data mode.
    # Never the data whole: the send raised, so the user's retry would duplicate it.
    if form != "fixed" or k < 0:  # (k < 0: the command line was cut, so no '>' came)
        return got == []
    w = wire(data, hexed)
    return got == [w[:k] + b"0" * (len(w) - k)]


def check_after(u, m, before, what):
    # The stalled send left the engine free; the next command works and finds the module in
    # command mode (its resync at the latest brought it there).
    form, data, hexed, k = what[:4]
    assert not m.engine.busy(), what
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"], (what, u.lines[-6:])
    assert u.in_command_mode(), (what, u.need, u.ctrlz, bytes(u.line))
    assert cut_reached_peer(u.payloads[before:], form, data, hexed, k), (what, u.payloads[before:])


def next_send_whole(u, send, form, hexed):
    # The next send goes out whole: no byte of it lost or taken for filler.
    n = len(u.payloads)
    data = b"nextsend" if form == "inline" else b"next\x00\xff\r\nsend"
    assert send(data) == len(data)
    assert u.payloads[n:] == [wire(data, hexed)], u.payloads[n:]
    assert u.in_command_mode()


def timed(fn, *args):
    t0 = ticks_ms()
    err = None
    try:
        fn(*args)
    except Exception as x:
        err = x
    return err, ticks_diff(ticks_ms(), t0)


# --- the blocking layer: every form, both data formats ------------------------------------


def blocking_case(hexed, form, data, line, k, echo=False, real=False):
    u, m = make(hexed, real)
    s = opened(u, m)
    if echo:
        u.echo = True  # AT+QICFG="echomode",1: the module repeats data-mode input
        m.sockets.echomode = 1
    before = len(u.payloads)
    u.stall_after(line, k)
    send = {"fixed": s.send_fixed, "inline": s.send_inline, "stream": s.send_stream}[form]
    err, ms = timed(send, data)
    what = (form, data, hexed, k, echo)
    assert isinstance(err, bc26.BC26Timeout), (what, err)
    assert ms < SEND_MAX, (what, ms)
    check_after(u, m, before, what)
    next_send_whole(u, send, form, hexed)


STREAM = ("stream", bytes(range(65, 105)), b"AT+QISEND=0\r", 5)


def test_blocking_sends_recover_from_a_write_stalled_mid_payload():
    # The Ctrl+Z form is reached only here (send_stream): its give-up's Esc met the stall and
    # was lost, so the module stayed in data mode and took every later AT for data: "no
    # answer to AT" for every command after it, for good.
    blocking_case(False, *STREAM, real=True)  # with the library's own 2 s write deadline
    for hexed in (False, True):
        for case in cases(hexed) + (STREAM,):
            blocking_case(hexed, *case)
    # The data-mode forms' command lines cut before their CR: the '>' never comes, and the
    # Esc the give-up owes goes into the cut line (which the module refuses with the AT).
    blocking_case(False, "fixed", b"\x00" * 40, b"AT+QISEND=0,40\r", -1)
    blocking_case(False, "stream", b"A" * 40, b"AT+QISEND=0\r", -1)
    # The data whole, and only its Ctrl+Z stalled: Esc (owed, then paid) cancels it all.
    blocking_case(False, "stream", b"A" * 40, b"AT+QISEND=0\r", 40)


def test_blocking_data_mode_sends_recover_under_echomode():
    # Under echomode 1 the module repeats data-mode input. The echo was counted for the whole
    # payload before it went out: cut short, the count took the Esc's OK and the resync's ATs'
    # answers for the rest of it ("no answer to AT" for 1 command, 3 or more in hex).
    for hexed in (False, True):
        blocking_case(hexed, *cases(hexed)[0], echo=True)
        blocking_case(hexed, *STREAM, echo=True)


# --- bc26.aio -------------------------------------------------------------------------------


def _aio_send(u, m, data, cancel_ms=0):
    # AsyncSocket.send with the poller running; with cancel_ms, inside wait_for (the task is
    # cancelled while its write is stalled: the write blocks, so the cancel lands after it).
    # Returns (the exception, ms taken, the next command's answer, the next send's count).
    am = AsyncModem(m)
    a = AsyncSocket(am, m.sockets.table[0])
    out = []

    async def main():
        am.start()
        t0 = ticks_ms()
        err = None
        try:
            if cancel_ms:
                await asyncio.wait_for(a.send(data), cancel_ms / 1000)
            else:
                await a.send(data)
        except BaseException as x:  # CancelledError is a BaseException in CPython
            err = x
        out.append(err)
        out.append(ticks_diff(ticks_ms(), t0))
        out.append(m.engine.busy() or am.lock.locked())
        out.append(await am.command("AT+CSQ", expect=(b"+CSQ:",)))
        out.append(u.in_command_mode())
        out.append(list(u.payloads))
        out.append(await a.send(b"nextsend"))
        am.stop()

    asyncio.run(main())
    return out


def test_aio_sends_recover_from_a_write_stalled_mid_payload():
    # Every form and format as it is, and a task cancelled in the stall in two of them (the
    # fixed form in text, the inline form in hex: the give-up path is the same for the others).
    for hexed in (False, True):
        for form, data, line, k in cases(hexed):
            for cancel_ms in (0, 300) if (form == "fixed") != hexed else (0,):
                real = not hexed and form == "inline" and not cancel_ms
                u, m = make(hexed, real)
                opened(u, m)
                before = len(u.payloads)
                u.stall_after(line, k)
                err, ms, busy, csq, clean, got, n = _aio_send(u, m, data, cancel_ms)
                what = (form, data, hexed, k, cancel_ms)
                # A clear error: the stall's timeout (the write blocks the loop, so the
                # cancel of wait_for lands after it: the send raises its own error).
                assert isinstance(err, bc26.BC26Timeout), (what, repr(err))
                assert ms < SEND_MAX, (what, ms)
                assert not busy, what
                assert csq == [b"+CSQ: 20,99"] and clean, (what, u.lines[-6:])
                assert cut_reached_peer(got[before:], form, data, hexed, k), (what, got[before:])
                assert n == 8 and u.payloads[len(got) :] == [wire(b"nextsend", hexed)], (
                    what,
                    u.payloads[before:],
                )


# --- bc26.usocket ---------------------------------------------------------------------------


def test_socket_module_writes_recover_from_a_write_stalled_mid_payload():
    # usocket's write() and send() run Socket.send; a failed send frees the connectID (a
    # stream with a hole cannot go on), so the next send is a new connection's.
    # (Non-blocking sockets differ only before the send: in two of the cases.)
    for hexed in (False, True):
        for blocking in (True, False):
            for form, data, line, k in cases(hexed):
                if not blocking and (form == "fixed") != hexed:
                    continue
                u, m = make(hexed, not hexed and blocking and form == "inline")
                pool = us.SocketPool(m)
                sk = pool.socket()
                sk.connect(("10.0.0.1", 7))
                sk.setblocking(blocking)
                before = len(u.payloads)
                u.stall_after(line, k)
                err, ms = timed(sk.write if blocking else sk.send, data)
                what = (form, data, hexed, k, blocking)
                assert isinstance(err, OSError) and err.args[0] == 110, (what, repr(err))  # ETIMEDOUT
                assert ms < SEND_MAX + 1000, (what, ms)  # and the close that frees the connectID
                raises(OSError, sk.write, b"more")  # the stream has a hole: ENOTCONN
                check_after(u, m, before, what)
                sk2 = pool.socket()
                sk2.connect(("10.0.0.1", 7))
                sk2.setblocking(blocking)
                n = len(u.payloads)
                assert sk2.send(b"nextsend") == 8
                assert u.payloads[n:] == [wire(b"nextsend", hexed)], u.payloads[n:]
                assert u.in_command_mode()


# --- 2: the inline form cut by a stall ------------------------------------------------------


def quoted(send_inline):
    def send(data):
        return send_inline(data, True)

    return send


def test_an_inline_send_cut_by_a_stall_is_refused_not_completed_by_the_resync():
    # AT+QISEND=<id>,<len>,<data> cut by a stalled write: the module holds part of the line,
    # and the next bytes it gets complete it. The resync's "AT\r" did: the module answers
    # ERROR when the length no longer matches, but a plain payload cut exactly 2 bytes short
    # was completed to its length ("hel" + "AT"): the module sent "helAT" with OK and SEND OK,
    # while the send had raised; the user's retry then put "helAThello" on the wire. Every
    # cut here (mid-data, 2 short, 1 short, only the CR, in the header) must leave the peer
    # without a payload, and the retry must send the data once.
    for hexed, send, data, prefix in (
        (False, "send_inline", b"a", b"AT+QISEND=0,1,"),  # one byte: "X" alone would be it
        (False, "send_quoted", b"a", b"AT+QISEND=0,1,"),  # the same, before its quote
        (False, "send_inline", b"hello", b"AT+QISEND=0,5,"),  # plain
        (False, "send_quoted", b"hello", b"AT+QISEND=0,5,"),  # in double quotes
        (True, "send_inline", b"hello", b"AT+QISEND=0,5,"),  # hex, plain digits
        (False, "send_hex", b"hello", b"AT+QISENDEX=0,5,"),  # AT+QISENDEX, quoted hex
    ):
        digits = len(data) * (2 if hexed or send == "send_hex" else 1)
        closing = 1 if send != "send_inline" else 0
        # Every kind of cut for the plain form; for the others the two the resync's "AT" fits
        # best: 2 short (its length) and only the CR missing.
        cuts = (-3, 1, digits - 2, digits - 1, digits) if send == "send_inline" and not hexed else ()
        if len(data) == 1:
            cuts = (0,)  # the whole command, none of its data
        for k in cuts or (digits - 2, digits + closing):
            u, m = make(hexed, k == 3 and cuts != ())  # the real deadline: "hel" + "AT"
            s = opened(u, m)
            fn = getattr(s, send if send != "send_quoted" else "send_inline")
            if send == "send_quoted":
                fn = quoted(fn)
            u.stall_after(prefix, k)  # k < 0: inside the command's header
            err, ms = timed(fn, data)
            what = (send, hexed, k)
            assert isinstance(err, bc26.BC26Timeout), (what, err)
            assert ms < SEND_MAX, (what, ms)
            assert u.payloads == [], (what, u.payloads, u.lines[-4:])  # no silent send
            assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"], (what, u.lines[-6:])
            assert u.payloads == [] and u.in_command_mode(), (what, u.payloads, u.lines[-6:])
            assert fn(data) == len(data)
            want = data.hex().encode() if hexed or send == "send_hex" else data
            assert u.payloads == [want], (what, u.payloads)


def inline_send_cut_after_3():
    # "hello" sent inline, cut after "hel" by a stall that then ends: a spoiler is owed.
    u, m = make()
    s = opened(u, m)
    u.stall_after(b"AT+QISEND=0,5,", 3)
    raises(bc26.BC26Timeout, s.send_inline, b"hello")
    assert m.engine.due[8] == b"X\r"
    u.cut = None
    return u, m, s


def test_a_spoiler_whose_own_write_stalls_is_paid_only_the_rest():
    # The resync writes the spoiler first; a UART that stalls again in the middle of it makes
    # the resync raise, and the next one pays only what did not go out: the module's line
    # ends up with exactly one 'X' after the cut data ("hel" + "X": 4 bytes, not 5). Were the
    # 'X' paid twice, "helXX" would be the length, and go out.
    u, m, s = inline_send_cut_after_3()
    u.stall_after(b"X", 0)  # the X goes, the CR meets the stall
    raises(bc26.BC26Timeout, m.at, "AT+CSQ", 300)  # "UART write stalled", in the resync
    assert m.engine.due[8] == b"\r" and m.engine.stale
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]  # the stall ends meanwhile
    assert b"AT+QISEND=0,5,helX\r" in u.lines and b"AT+CSQ\r" in u.lines, u.lines
    assert u.payloads == [] and not m.engine.due[8]
    assert s.send_inline(b"hello") == 5 and u.payloads == [b"hello"]


def test_a_restart_forgets_what_a_cut_send_owed_the_modules_input():
    # A module that restarted reads its input afresh: no Esc, no spoiler is owed any more.
    u, m, s = inline_send_cut_after_3()
    u.line = bytearray()  # the restart: what it had of the line is gone
    u.answers[b"ATE0\r"] = OK
    u.take_tx()
    u.feed(b"\r\nRDY\r\n")
    m.poll()  # the restart, then echo off again (a command, so a resync first)
    assert not m.engine.due[8]
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]
    assert b"X" not in u.take_tx()
