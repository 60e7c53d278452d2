# The AT engine: reads what the module prints into one preallocated buffer, finds records in
# place, hands each to the pending command or to a URC handler, and runs one command at a time.
#
# The receive buffer is a bytearray that is filled from the front and read by two indices.
# When everything read has been consumed (the usual case: a URC, a response) both indices go
# back to 0, so the next read lands at the start of the buffer with no memoryview slice and
# no allocation at all. Only when a record is left half-received at the very end of the
# buffer is its tail moved to the front, once. We chose this over a wrapping ring because a
# record then always lies in one piece: bytearray.find and int parsing work on it directly,
# and counted data is copied out with a single slice.
#
# A handler never gets a copy of its line: it gets (buf, start, end) and parses in place
# (see fields.py). Handlers run inside the receive loop, so they must be short and must not
# send commands; they set state that the caller acts on afterwards.

from ._compat import const, lazy, sleep_ms, ticks_add, ticks_diff, ticks_ms
from .errors import BC26Error, BC26Timeout
from .fields import Fields, as_text

# limits.py's values (tests_host/test_limits.py checks that they agree).
_WAIT_MAX = const(86400000)

_CR = const(13)
_LF = const(10)
_SPACE = const(32)
_QUOTE = const(34)
_GT = const(62)

# Command states. Private names (a leading underscore) are folded into the code by the
# compiler and cost no RAM; the public ones are what other modules import.
_IDLE = const(0)
_WAIT_PROMPT = const(1)  # sent, waiting for the '>' data prompt
_WAIT_FINAL = const(2)  # sent, waiting for OK / ERROR
_WAIT_TRAILER = const(3)  # OK seen, waiting for the result that comes later
_PROMPTED = const(4)  # the '>' prompt came: the caller writes its data now (sockets.py: 4)
_DONE = const(5)
_QUIET = const(6)  # resynchronising: reading until the module has been silent a while

# How long the '>' prompt is held for its data. A caller that never writes it (a cancelled
# task, a stalled UART) would otherwise leave the module in data mode and the engine busy.
_PROMPT_HOLD = const(2000)

# Command results.
_OK = const(1)
_FAILED = const(2)
_TIMEOUT = const(3)

# What a command's line handler returns.
LINE_MORE = const(0)  # taken; the command goes on
LINE_DONE = const(1)  # taken; the command is complete
LINE_NOT_MINE = const(2)  # not for this command: treat it as a URC


class Engine:
    def __init__(self, uart, rxbuf):
        # rxbuf: the receive buffer's size, or a bytearray to use as the buffer.
        buf = bytearray(rxbuf) if isinstance(rxbuf, int) else rxbuf
        if not isinstance(buf, bytearray) or len(buf) < 64:
            raise ValueError("rxbuf: a size or a bytearray of at least 64 bytes")
        self.uart = uart
        # machine.UART has any(); a non-blocking socket (the unix-port stand-in) has not, and
        # its readinto() returns None when there is nothing to read.
        self._any = getattr(uart, "any", None)
        self.buf = buf
        self.mv = memoryview(buf)
        self._size = len(buf)
        self._r = 0  # next byte to consume
        self._w = 0  # end of received bytes
        self._scan = 0  # buf[_r:_scan] holds no line end: never search it twice
        self._discard = False  # dropping an overlong record up to its line end
        # Counted data: the next _count bytes go to _sink(mv, start, end) whatever they hold.
        self._count = 0
        self._sink = None
        self._lf = False  # drop one LF before counted data (header ended in a lone CR)
        self._quote = 0  # 1: data may be quoted, decide; 2: drop the closing quote
        self._eol_open = False  # the line just parsed ended in a CR whose LF is not yet here
        self._counting = False  # counted data (or its closing quote, or its LF) is due
        self._data_deadline = 0
        self.truncated = 0  # counted data the module never finished sending, abandoned
        self.fields = Fields(buf)
        self._cmd = bytearray(256)  # the longest command line: QIOPEN with a 150-byte host
        self._cmdlen = 0
        # Who built the command line now in _cmd (0: nobody in particular). A caller that
        # repeats the same command (AT+QIRD in a loop) skips building it again.
        self.cmd_tag = 0
        self.urcs = []
        self.args = 0  # in a URC handler: where the line's arguments start
        self.on_unknown = None
        self.unknown = 0  # lines that were neither a response nor a known URC
        self.overflows = 0  # records longer than the buffer, dropped
        self.stale = False  # a command timed out or was abandoned: its answer may still come
        self.late = 0  # answers that came after their command gave up, dropped
        self.noise = 0  # lines a pending command recognised as its own but damaged, dropped
        # Trailers owed by commands that gave up (SEND OK / SEND FAIL, CLOSE OK): the module
        # answers in order, so the next such line pays the oldest debt, not the next command.
        # [[expect, deadline], ...], or None.
        self._owed = None
        self._paid = False  # the pending command's wait saw a debt paid
        # The payload of a fixed-length data-mode send (AT+QISEND=<id>,<len>): [data, off, k,
        # hex coder or None, then, once the send gave up before its '>': its expect, its
        # trailer ms; the echomode, for the echo of the data; last the bytes the module took
        # for data before its '>' was paid: a resync's ATs after the send gave up
        # (resync.py), or the part of the payload a stalled write put out]. The manual gives that
        # form no Esc: once the module prompts, it takes exactly <len> bytes, whatever they
        # are, so a '>' that comes after the send gave up gets the data (the next command
        # line would be taken for it). Filled by the send, without allocating; the next
        # begin() with a prompt forgets it (a send refused with ERROR owes nothing), and so
        # do a restart and a resync whose AT is answered in step (resync.py).
        # One more slot, for any send: the bytes the module's input still needs before a command
        # line can follow, because a stalled write cut a send (0: none): the Esc that a
        # Ctrl+Z-form data mode did not get, or 'X' and a CR that spoil an inline send's line
        # cut in the middle, which the resync's AT would complete (a plain payload cut 2 bytes
        # short went out as "helAT"). The resync pays it first.
        self.due = [None, 0, 0, None, None, 0, 0, 0, 0]
        self.wrote = 0  # bytes write() has written, ever: a payload cut by a stall owes the rest
        self._taken = False  # the module took the pending command (OK before a trailer, or '>')
        self.at_ok = None  # set after begin(): called when the command's OK is read
        self._quiet_ms = 0
        self._limit = 0
        self._listeners = None  # the user's URC listeners (listen()): [(prefix, handler)]
        self.state = _IDLE
        self.result = 0
        self.code = None
        self._reason = None
        self.matched = -1
        self._expect = None
        self._on_line = None
        self._lines = None
        self._collect_rest = False
        self._trailer_ms = 0
        self._deadline = 0
        # select.poll on the UART, where it can be polled natively (machine.UART, the unix
        # port's stand-in); None otherwise. bc26.aio waits in asyncio's poll when it is set.
        self.poller = None
        try:
            import select

            p = select.poll()
            p.register(uart, select.POLLIN)
            self.poller = p
        except Exception:
            pass

    def __getattr__(self, name):
        # The methods a program may never run live in engine_rare.py, loaded on first use.
        return lazy(
            self,
            name,
            (
                "|engine_rare on feed listen _tell _drop_data _give_up _pay shorten _ok_now _pay_due "
                "_cut busy remaining wait |resync quiet "
            ),
            True,
        )

    # --- counted data --------------------------------------------------------------

    def take(self, n, sink, start=-1, maybe_quoted=False):
        """From a handler: the next n bytes are data for sink(mv, start, end).

        With start=-1 the data follows the current line's end; with -2 it starts at the
        current read position (the echo of data-mode input, from outside a handler);
        otherwise at buf index ``start`` (inside the current line, for viewmode 1). With
        maybe_quoted the data may be wrapped in double quotes, as some firmware prints it.
        The sink gets the data in pieces as they arrive, so no record has to fit the buffer,
        and sink(None, 0, 0) if the module stops before the end (the rest is lost: its owner
        must report it). A sink that finds its data damaged (a byte hex cannot hold) returns
        the damaged byte's index: the data ends there, and records are read again from it.
        """
        if n <= 0:
            return
        self._count = n
        self._sink = sink
        self._quote = 1 if maybe_quoted else 0
        self._counting = True
        # The deadline for the data is set by step() only if the data does not complete
        # right away (see there).
        self._data_deadline = -1
        if start == -2:
            start = self._r
        if start >= 0:
            self._r = start
            self._scan = start
            self._lf = False
        else:
            self._lf = self._eol_open

    # --- receiving -------------------------------------------------------------------

    def _compact(self):
        # Move the unconsumed tail to the front. The copy goes in steps no longer than the
        # gap, so source and destination never overlap (memoryview copies with memcpy).
        r = self._r
        if r == 0:
            return False
        n = self._w - r
        mv = self.mv
        d = 0
        while d < n:
            k = n - d
            if k > r:
                k = r
            mv[d : d + k] = mv[r + d : r + d + k]
            d += k
        self._w = n
        self._scan = self._scan - r if self._scan > r else 0
        self._r = 0
        return True

    def _process(self):
        # One read of whatever the UART holds into the free end of the buffer, then every
        # complete record in the buffer consumed; the count read. This runs for every byte
        # the module sends, so it is one function (a call costs more than its bytecode:
        # reading, framing, counted data and dispatch are not split into methods), state
        # lives in locals and instance attributes are touched sparingly.
        buf = self.buf
        w = self._w
        got = 4096
        if self._any is not None:
            got = self._any()
        if got:
            if self._r >= w:
                self._r = self._w = self._scan = w = 0
            elif w == self._size:
                if self._compact():
                    w = self._w
                else:
                    got = 0
            if got:
                if got > self._size - w:
                    got = self._size - w
                if w == 0:
                    got = self.uart.readinto(buf, got)
                else:
                    got = self.uart.readinto(self.mv[w:], got)
                if got:
                    w += got
                    self._w = w
                else:
                    got = 0  # None from a non-blocking stream with nothing to read
        while True:
            if self._counting:
                # Counted data goes to its sink, whatever part of it has arrived.
                r = self._r
                if self._lf or self._quote or not self._count:
                    # The rare cases: a header's LF to drop first, data that may be quoted,
                    # the closing quote of quoted data.
                    if self._lf:
                        if r >= w:
                            return got
                        if buf[r] == _LF:
                            r += 1
                        self._lf = False
                    if self._count == 0:
                        # Only the closing quote of quoted data is left.
                        if r >= w:
                            self._r = r
                            return got
                        if buf[r] == _QUOTE:
                            r += 1
                        self._quote = 0
                        self._counting = False
                        self._r = r
                        continue
                    if self._quote == 1:
                        if r >= w:
                            self._r = r
                            return got
                        self._quote = 0
                        if buf[r] == _QUOTE:
                            k = self._count
                            if w - r < k + 2 and not (r == 0 and w == self._size):
                                self._quote = 1
                                self._r = r
                                return got
                            # Quoted data ends in a quote right after it; raw data that merely
                            # starts with a quote is followed by its line end instead.
                            if w - r >= k + 2 and buf[r + k + 1] == _QUOTE:
                                r += 1
                                self._quote = 2
                k = w - r
                if k <= 0:
                    self._r = r
                    return got
                if k > self._count:
                    k = self._count
                self._r = self._scan = r + k
                self._count -= k
                h = self._sink
                if not self._count and self._quote != 2:
                    self._sink = None
                    self._counting = False
                k = h(self.mv, r, r + k)
                if k is not None:
                    self._cut(k)  # the sink found the data damaged at k: it ends there
                continue
            r = self._r
            # Line ends, blank lines and the space of a '> ' prompt separate records.
            while r < w:
                c = buf[r]
                if c == _CR and r + 1 < w and buf[r + 1] == _LF:
                    r += 2
                elif c == _CR or c == _LF:
                    r += 1
                elif c == _SPACE:
                    r += 1
                    continue
                else:
                    break
                # A line end: if an overlong record was being dropped, it ends here.
                self._discard = False
            if r >= w:
                self._r = r
                return got
            c = buf[r]
            # Every command ends in OK: take the common final result without a search.
            if c == 79 and r + 2 < w and buf[r + 1] == 75 and buf[r + 2] == _CR and not self._discard:
                st = self.state
                if st == _WAIT_FINAL and not self._trailer_ms:
                    self._r = self._scan = r + 4 if r + 3 < w and buf[r + 3] == _LF else r + 3
                    self.state = _DONE
                    self.result = _OK
                    if self.at_ok is not None:
                        self._ok_now()
                    continue
            if c == _GT and not self._discard:
                if self.state == _WAIT_PROMPT:
                    self._r = r + 1
                    self.state = _PROMPTED
                    self._taken = True
                    self._deadline = ticks_add(ticks_ms(), _PROMPT_HOLD)
                    continue
                if r + 1 >= w or buf[r + 1] == _SPACE:
                    # A prompt that nobody awaits (its send gave up before it came): the
                    # module is in data mode and would send our next lines as payload.
                    # Esc ends the Ctrl+Z form; a fixed length is owed its data.
                    self.late += 1
                    self._r = r + 1
                    if self.due[4] is not None:
                        self._pay_due()
                    else:
                        self.uart.write(b"\x1b")
                    continue
            s = self._scan
            if s < r:
                s = r
            e = buf.find(b"\r", s, w)
            k = buf.find(b"\n", s, w if e < 0 else e)
            if k >= 0:
                e = k
            if e < 0:
                self._r = r
                self._scan = w
                if r == 0 and w == self._size:
                    # A record longer than the whole buffer: drop it up to its line end.
                    if not self._discard:
                        self.overflows += 1
                    self._discard = True
                    self._r = self._w = self._scan = 0
                return got
            k = e + 1  # the next record's start
            if buf[e] == _CR:
                if k < w:
                    if buf[k] == _LF:
                        k += 1
                    self._eol_open = False
                else:
                    self._eol_open = True
            else:
                self._eol_open = False
            self._r = self._scan = k
            if self._discard:
                self._discard = False
                continue
            # The record buf[s:e]: a final result, the pending command's line, or a URC.
            s = r
            while e > s and buf[e - 1] == _SPACE:
                e -= 1
            c = buf[s]
            # The module's echo of our command (echo is on after power-up until ATE0).
            if (c == 65 or c == 97) and e - s >= 2 and (buf[s + 1] == 84 or buf[s + 1] == 116):
                continue
            st = self.state
            if self._owed is not None and self._pay(s, e):
                continue
            if st == _WAIT_FINAL or st == _WAIT_TRAILER or st == _WAIT_PROMPT:
                k = e - s
                if k == 2 and c == 79 and buf[s + 1] == 75:  # OK
                    if st == _WAIT_TRAILER:
                        self.unknown += 1  # an OK the command already had
                        if self.on_unknown is not None:
                            self.on_unknown(buf, s, e)
                        continue
                    if st == _WAIT_PROMPT:
                        # A data-mode send answers '>' (or an error) first: an OK now is an
                        # earlier command's, late. Taken for ours, it made our '>' a stray.
                        self.late += 1
                        continue
                    if self._trailer_ms:
                        self._taken = True
                        self.state = _WAIT_TRAILER
                        self._deadline = ticks_add(ticks_ms(), self._trailer_ms)
                    else:
                        self.state = _DONE
                        self.result = _OK
                    if self.at_ok is not None:
                        self._ok_now()
                    continue
                if k == 5 and c == 69 and buf.startswith(b"ERROR", s):
                    self.code = None
                    self.state = _DONE
                    self.result = _FAILED
                    continue
                if c == 43 and buf[s + 1] == 67 and buf.startswith(b"+CME ERROR:", s):
                    h = self.fields
                    h.start(s + 11, e)
                    self.code = h.int()
                    self.state = _DONE
                    self.result = _FAILED
                    continue
                x = self._expect
                # A '+' result of a two-phase command (+QIOPEN, "dnsgip", +QPING, +QNTP) comes
                # after its OK: one before it is an earlier command's, late (it gave up),
                # and carries nothing that tells the two apart. It goes to the URCs. (The
                # trailer first: an AT+QIRD, which has none, pays one test a read.)
                if x is not None and (not self._trailer_ms or c != 43 or st != _WAIT_FINAL):
                    k = LINE_NOT_MINE
                    for i in range(len(x)):
                        if buf.startswith(x[i], s):
                            self.matched = i
                            h = self._on_line
                            if h is None:
                                if self._lines is not None:
                                    self._lines.append(bytes(buf[s:e]))
                                if self._trailer_ms:
                                    self.state = _DONE
                                    self.result = _OK
                                k = LINE_MORE
                            else:
                                k = h(buf, s, e)  # LINE_NOT_MINE: its handler declines it
                                if k == LINE_DONE:
                                    self.state = _DONE
                                    self.result = _OK
                            break
                    if k != LINE_NOT_MINE:
                        continue
            for head, rest, handler, owner in self.urcs:
                if buf.startswith(head, s):
                    p = s + len(head)
                    if rest:
                        while p < e and buf[p] == _SPACE:
                            p += 1
                        if not buf.startswith(rest, p):
                            continue
                        p += len(rest)
                    # Handlers find their arguments here instead of matching the prefix again.
                    self.args = p
                    if owner is not None:
                        # A named handler, looked up now that its URC came: once.
                        k = handler  # its name
                        handler = getattr(owner, k)
                        h = self.urcs
                        for i in range(len(h)):
                            x = h[i]
                            if x[3] is owner and x[2] is k:  # every prefix it handles
                                h[i] = (x[0], x[1], handler, None)
                    handler(buf, s, e)
                    if self._listeners is not None:
                        self._tell(s, e)
                    break
            else:
                # Bare lines (ATI, AT+CGSN) belong to a raw command; '+X:' lines never do.
                if self._collect_rest and c != 43 and (st == _WAIT_FINAL or st == _WAIT_TRAILER):
                    self._lines.append(bytes(buf[s:e]))
                elif self._listeners is not None and self._tell(s, e):
                    pass
                elif self.state == _QUIET:
                    self.late += 1  # resynchronising: what comes now is a late answer
                else:
                    self.unknown += 1  # neither a response nor a known URC
                    if self.on_unknown is not None:
                        self.on_unknown(buf, s, e)

    def abandon(self):
        """The caller of the pending command goes away (cancelled, or an error of its own):
        end the command so that the engine is free again; the next command resynchronises
        first. Does nothing when no command is pending."""
        st = self.state
        if st == _IDLE:
            return
        if st != _DONE:
            self._give_up()
        self.state = _IDLE
        self._expect = None
        self._on_line = None
        self._lines = None
        self._reason = None

    def prompted(self):
        """After the wait of a command begun with prompt=True: True once the '>' came (the
        caller writes its data now, then resume()). Otherwise its error is raised, or "no
        data prompt" when it completed without one (a timeout has sent Esc already, for a
        prompt that comes late)."""
        if self.state == _PROMPTED:
            return True
        self.finish()
        raise BC26Error(None, "no data prompt")

    def abort(self, reason, restart=False):
        """From a handler: end the pending command now with BC26Error(None, reason).

        The rest of its answer (its OK) may still be on its way: the next command
        resynchronises first, so that OK is not taken for its own. restart: the module
        restarted or powered down, and owes none of the trailers that commands which gave up
        were still owed (the first SEND OK after a restart, a new send's own, was dropped)."""
        if restart:
            self._owed = None
            d = self.due
            d[0] = d[4] = None  # nor the data a '>' that never comes was to get
            d[8] = 0  # and its input starts afresh
        if self.state != _IDLE and self.state != _DONE:
            self.code = None
            self._reason = reason
            self.stale = True
            self.state = _DONE
            self.result = _FAILED

    # --- commands --------------------------------------------------------------------

    def cmd(self, text):
        """Start building a command line with text (bytes or str, no CR), which put() and
        put_int() add to; or build it from a list or tuple of bytes, str and int parts (a user's
        command: each checked). One argument, so the hot paths (QIRD, QISEND) build their
        commands allocation-free.
        """
        self._cmdlen = 0
        self.cmd_tag = 0
        if not isinstance(text, (list, tuple)):
            self.put(text)
            return
        for p in text:
            if isinstance(p, int):
                self.put_int(p)
            else:
                if isinstance(p, str):
                    p = p.encode()
                for c in p:
                    # CR or LF would end the line and begin another command; Ctrl+Z and
                    # Esc act in data mode; no other control byte means anything.
                    if c < 32 or c == 127:
                        raise ValueError("a command cannot hold byte %d" % c)
                self.put(p)

    def put(self, data):
        if isinstance(data, str):
            data = data.encode()
        p = self._cmdlen
        n = len(data)
        if p + n >= len(self._cmd):
            raise ValueError("command too long")
        self._cmd[p : p + n] = data
        self._cmdlen = p + n

    def put_int(self, v):
        # Digits straight into the command buffer: str(v).encode() would allocate twice.
        cmd = self._cmd
        p = self._cmdlen
        if v < 0:
            cmd[p] = 45
            p += 1
            v = -v
        n = 1
        t = v
        while t >= 10:
            t //= 10
            n += 1
        if p + n >= len(cmd):
            raise ValueError("command too long")
        q = p + n
        while True:
            q -= 1
            cmd[q] = 48 + v % 10
            v //= 10
            if not v:
                break
        self._cmdlen = p + n

    def begin(
        self,
        expect=None,
        on_line=None,
        timeout=1000,
        trailer=0,
        prompt=False,
        collect=False,
        partial=False,
    ):
        """Send the built command and start waiting for its answer; step() drives it.

        expect: a tuple of line prefixes that belong to this command. on_line(buf, s, e)
        receives them and returns LINE_MORE / LINE_DONE / LINE_NOT_MINE; without on_line
        they are collected as bytes, and with a trailer the first one completes it.
        trailer: ms to wait after OK for the result that comes later (0: OK completes).
        prompt: wait for the '>' data prompt first. collect: also collect unprefixed lines.
        partial: the line goes out without its CR; the caller writes the rest (an inline
        payload, straight from its own buffer) and the CR with write().
        """
        st = self.state
        if st != _IDLE and st != _DONE:
            if ticks_diff(self._deadline, ticks_ms()) > 0:
                raise BC26Error(None, "busy: a command is pending")
            self.abandon()  # left behind by a caller that went away; it is overdue
            if self.due[4] is not None:
                # A fixed-length send, before its '>': were this line to go out, a late '>'
                # would take it for data. The next command resynchronises first.
                raise BC26Error(None, "busy: a send's data prompt may still come")
        if not (0 < timeout <= _WAIT_MAX and 0 <= trailer <= _WAIT_MAX):
            from .checks import check_range  # its message names the bad value

            check_range(timeout, 1, _WAIT_MAX, "timeout")
            check_range(trailer, 0, _WAIT_MAX, "trailer")
        # Dispatch what already arrived, so an earlier URC is never taken for this answer
        # (not when a UART with any() holds nothing: _process's frame is a heap block).
        if self._any is None or self._any() or self._r < self._w:
            st = self.stale
            self._process()
            if self.stale and not st:
                # A restart's banner was waiting (nothing else makes an idle engine stale):
                # this line would go to a booting module that echoes it. It fails as one
                # the restart interrupted; the next resynchronises and turns echo off.
                raise BC26Error(None, "module restarted")
        self._expect = expect
        self._on_line = on_line
        self._collect_rest = collect
        self._lines = [] if (on_line is None and (expect is not None or collect)) else None
        self._trailer_ms = trailer
        self.result = 0
        self.code = None
        self.matched = -1
        self._paid = False
        self._taken = False
        self.at_ok = None
        n = self._cmdlen
        self._cmd[n] = _CR
        if prompt:
            # A payload still owed is given up (this send's line may be taken for it), and
            # one left by a send refused before its prompt is forgotten; the send fills it
            # in after this. (Not for other commands: the AT+QIRD loop would pay two
            # stores a read; a debt only meets them after a resync, which settles it.)
            d = self.due
            d[0] = d[4] = None
            self.state = _WAIT_PROMPT
        else:
            self.state = _WAIT_FINAL
        self._deadline = ticks_add(ticks_ms(), timeout)
        if partial:
            self.write(self._cmd, 0, n)
            return
        k = self.uart.write(self._cmd, 0, n + 1)
        if k != n + 1:  # a UART that took only part (a non-blocking socket)
            k = k or 0
            self.write(self._cmd, k, n + 1 - k)

    def resume(self, timeout=1000, trailer=None):
        """After the prompt and the data: wait for the final result."""
        if not 0 < timeout <= _WAIT_MAX:
            from .checks import check_range

            check_range(timeout, 1, _WAIT_MAX, "timeout")
        if trailer is not None:
            self._trailer_ms = trailer
        self.state = _WAIT_FINAL
        self._deadline = ticks_add(ticks_ms(), timeout)

    def step(self, block=False):
        """Read and dispatch what arrived; True when the pending command needs attention.

        block=True: wait(), without the call in between (the hot paths use it)."""
        while True:
            fresh = self._process()
            if self._counting:
                # Counted data must not swallow the module's next answers forever if the
                # module stops mid-way (reboot, dropped bytes): allow about 1 ms a byte, 9600
                # baud, from the last byte that came. (Not from the first: a caller that did
                # not read for a while finds the record waiting whole, and each read brings
                # it nearer its end.)
                if self._data_deadline == -1 or fresh:
                    self._data_deadline = ticks_add(ticks_ms(), 1000 + self._count)
                elif ticks_diff(self._data_deadline, ticks_ms()) <= 0:
                    self._drop_data()
            st = self.state
            if st == _IDLE or st == _DONE:
                return True
            now = ticks_ms()
            if st == _QUIET:
                if fresh:
                    self._deadline = ticks_add(now, self._quiet_ms)
                if ticks_diff(self._deadline, now) <= 0 or ticks_diff(self._limit, now) <= 0:
                    self.state = _DONE
                    self.result = _OK
                    return True
            elif ticks_diff(self._deadline, now) <= 0:
                if st == _WAIT_FINAL and not self._trailer_ms:
                    # A plain command owes nothing when it gives up (_give_up, engine_rare.py,
                    # settles prompts and trailers): the first ATs of a cold boot or a wake,
                    # which the module often misses, need not load it.
                    self.stale = True
                    self.state = _DONE
                    self.result = _TIMEOUT
                else:
                    self._give_up()
                return True
            elif st == _PROMPTED:
                return True
            if not block:
                return False
            if not fresh:
                self.idle(ticks_diff(self._deadline, now))

    def poll(self):
        """Read and dispatch everything the UART holds now (a bounded number of reads)."""
        i = 0
        while i < 64 and self._process():
            i += 1
        if i and self._counting:
            self._data_deadline = -1  # it came nearer its end: step() counts from now
        st = self.state
        if self._counting or (st != _IDLE and st != _DONE):  # busy()
            self.step()

    def idle(self, ms):
        """Wait up to ms for input (select.poll where the UART supports it)."""
        if ms <= 0:
            return
        p = self.poller
        if p is not None:
            try:
                for _ in p.ipoll(ms):
                    break
                return
            except Exception:
                self.poller = None
        sleep_ms(1)

    def finish(self):
        """The outcome of the completed command: its lines, or an exception."""
        res = self.result
        self.state = _IDLE
        self._expect = None
        self._on_line = None
        lines = self._lines
        self._lines = None
        if res == _OK:
            return lines
        if res == _TIMEOUT:
            # Its answer may still come: the next command resynchronises first.
            self.stale = True
            raise BC26Timeout("timeout: " + as_text(self._cmd[: self._cmdlen]))
        reason = self._reason
        self._reason = None
        raise BC26Error(self.code, reason)

    def write(self, data, off=0, n=-1, timeout=2000):
        """Write all of data[off:off+n] to the UART; a stalled UART raises after timeout ms."""
        if n < 0:
            n = len(data) - off
        end = off + n
        t0 = ticks_ms()
        while off < end:
            k = self.uart.write(data, off, end - off)
            if k:
                off += k
                self.wrote += k
            elif ticks_diff(ticks_ms(), t0) > timeout:
                raise BC26Timeout("UART write stalled")
            else:
                sleep_ms(1)
