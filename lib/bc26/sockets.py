# TCP and UDP sockets: AT+QIOPEN, QICLOSE, QISTATE, QISEND, QISENDEX, QIRD, QISWTMD, QICFG
# and the "recv" and "closed" URCs, in both access modes and both data formats.
#
# The way the module frames received data depends on four AT+QICFG values it keeps in
# NVRAM (dataformat, viewmode, showlength) or per boot (echomode), so the driver always
# knows them: it reads them before the first socket opens, and records what it sets.

from ._compat import const, lazy, ticks_add, ticks_diff, ticks_ms
from .engine import LINE_DONE, LINE_MORE
from .errors import BC26Error, BC26Timeout

# limits.py's values (tests_host/test_limits.py checks that they agree).
_DATA_HEX_MAX = const(730)
_DATA_TEXT_MAX = const(1460)
_INLINE_HEX_MAX = const(512)
_INLINE_TEXT_MAX = const(1024)
_READ_MAX = const(512)
_WAIT_MAX = const(86400000)

BUFFER = const(0)  # access mode: data waits in the module until AT+QIRD
PUSH = const(1)  # access mode: data comes at once in the "recv" URC

_QUOTE = const(34)

_SEND = (b"SEND OK", b"SEND FAIL")


def done_line(buf, s, end):
    # The line handler of a command whose one expected line (SEND OK, CLOSE OK) completes it.
    return LINE_DONE


class Socket:
    """A socket on the module (connectID 0-4). Made by Modem.open().

    Also, from sockextra.py on first use: send_inline, send_fixed, send_stream, send_hex,
    send_status, set_mode, available.
    """

    # The <remaining_length> of this socket's last AT+QIRD (showlength 1), or None.
    remaining = None

    def __init__(self, net, cid, kind, mode, rxsize):
        self.sockets = net
        self.id = cid
        self.kind = kind
        self.udp = kind == "UDP"
        self.mode = mode
        self.rxsize = rxsize
        self.ring = None
        if mode == PUSH:
            from .ring import Ring  # push mode's code, loaded with its first socket

            self.ring = Ring(rxsize, self.udp)
        self.closed = False  # closed by the user: recv raises
        self.released = False  # AT+QICLOSE done: the connectID is free on the module
        self.remote_closed = False  # "closed" URC: readable until drained, then EOF
        self.pending = False  # buffer mode: the module holds unread data
        self.hint = 0  # bytes the last "recv" URC announced (showlength)
        self.info = None  # the SocketInfo of a socket reattach() took over from the module
        self.buff_full = 0  # "buff full" URCs seen
        # Data was dropped; raised once for TCP: True after the data still held (the module's
        # buffer was full, so what came after it is gone), 2 before anything else (a read
        # that gave up or was damaged: the gap is here).
        self.lost = False
        self.timeout = 30000  # ms a blocking recv waits; None: no limit but the module's
        self.poll_ms = 5000  # buffer mode: read anyway this often while waiting

    def __repr__(self):
        return "<Socket %d %s %s>" % (self.id, self.kind, "push" if self.mode else "buffer")

    # --- receiving -------------------------------------------------------------------

    def recv_into(self, buf, nbytes=0, timeout=-1):
        """Read into buf; the count, 0 at end of stream, None with timeout=0 and no data.

        Blocks up to timeout ms (-1: self.timeout) and raises BC26Timeout after that.
        For UDP one call returns one datagram. In buffer mode the data goes from the
        receive buffer straight into buf.
        """
        # (Few names, nbytes the count and timeout the deadline once known: a call whose
        # state fits in 11 words allocates no frame on the heap, and this runs for every read.)
        if not 0 < nbytes < len(buf):
            nbytes = len(buf)
        if timeout == -1:
            timeout = self.timeout
        if timeout is not None and not 0 <= timeout <= _WAIT_MAX:
            raise ValueError("timeout must be 0..%d ms or None" % _WAIT_MAX)
        if nbytes == 0:
            return 0
        k = self.take(buf, nbytes, False)
        if k is not None or timeout == 0:
            return k
        if timeout is not None:
            timeout = ticks_add(ticks_ms(), timeout)
        last = ticks_ms()
        while True:
            k = -1 if timeout is None else ticks_diff(timeout, ticks_ms())  # ms left
            if timeout is not None and k <= 0:
                raise BC26Timeout("recv: no data on socket %d" % self.id)
            self.sockets.modem.poll()
            if not self.readable():
                self.sockets.e.idle(50 if k < 0 or k > 50 else k)
                self.sockets.modem.poll()
            # Buffer mode reads now and then even unannounced: firmware is known to announce
            # late, and the module never announces twice.
            k = self.mode == BUFFER and ticks_diff(ticks_ms(), last) >= self.poll_ms
            if k:
                last = ticks_ms()
            if k or self.readable():
                k = self.take(buf, nbytes, k)
                if k is not None:
                    return k

    def recv(self, n, timeout=-1):
        """Like recv_into, returning a new bytes object (b"" at end of stream)."""
        buf = bytearray(n)
        k = self.recv_into(buf, n, timeout)
        if k is None:
            return None
        return bytes(buf[:k]) if k < n else bytes(buf)

    def readable(self):
        # Whether a receive has something to act on without waiting: data, a notification,
        # the end (bc26.aio and bc26.usocket ask before they wait).
        if self.ring is not None and self.ring.readable():
            return True
        return self.pending or self.remote_closed or self.lost or self.closed or self.released

    def take(self, buf, n, poll_anyway, begin=True, wait=True):
        # What a receive gets now: a count (from the ring, or read from the module with
        # AT+QIRD), 0 at the end of the stream (AT+QICLOSE), None, or an error. This waits
        # for the module; bc26.aio runs the same phases and awaits instead (TAKE at the end
        # of this file names the answers): begin=False only says -1 when a read is due;
        # wait=False begins it and returns -1 (wait for it, then took()) or -2
        # (resynchronise, then call again), and -3 at the end of the stream (release the
        # connectID, then 0). Numbers, not const names: a name interned up here would move
        # every hot attribute name below in MicroPython's map lookup cache (tools/bench/bench_ir.sh).
        if self.closed:
            raise BC26Error(567)
        ring = self.ring
        # (Not past a gap a read left: what a switch to push mode brought came after it.)
        if ring is not None and ring.readable() and self.lost != 2:
            return ring.readinto(buf, n)
        released = self.released
        if released and not self.remote_closed:
            raise BC26Error(567)
        if self.lost == 2 or (ring is not None and ring.dropped):
            # A gap comes before anything read after it: report it first (a UDP socket, which
            # raises nothing for a lost datagram, may be at its end, which is released below).
            k = self.took(None, None)
        elif self.mode == BUFFER and not released and (self.pending or self.remote_closed or poll_anyway):
            if not begin:
                return -1
            net = self.sockets
            e = net.e
            if e.stale:
                if not wait:
                    return -2
                net.modem.sync()
            # The module sends no new "recv" URC until its buffer was read empty: read until
            # +QIRD: 0 whenever data was announced. The flag is cleared before the read, so
            # a "recv" URC that arrives with the empty answer sets it again.
            self.pending = False
            if n > _READ_MAX:
                n = _READ_MAX
            # The hot path of buffer mode: the same command over and over is built once.
            tag = 0x10000 | self.id << 12 | n
            if e.cmd_tag != tag:
                e.cmd(b"AT+QIRD=")
                e.put_int(self.id)
                e.put(b",")
                e.put_int(n)
                e.cmd_tag = tag
            # (Within _WAIT_MAX: a cmd_timeout set near it would make begin() refuse the read
            # after the notice was cleared.)
            e.begin((b"+QIRD:",), net.on_qird, min(net.cmd_timeout + 2 * n, _WAIT_MAX))
            net._dst = buf
            net._got = 0
            net._room = n
            net._reader = self
            net.remaining = None
            if not wait:
                return -1
            try:
                e.step(True)  # Engine.wait()
                k = self.took(net, e)
            except BC26Error as err:
                net.modem.drive(net.modem.explain(err, True))
                raise
            except BaseException:
                net.abandon_read(e)  # interrupted (KeyboardInterrupt): the read is given up
                raise
        else:
            k = self.took(None, None)
        if k == -3 and wait:
            net = self.sockets
            net.modem.drive(net.release_steps(self))
            return 0
        return k

    def took(self, net, e):
        # After the AT+QIRD that take() began has completed (net: self.sockets, e: its engine;
        # None when nothing was read): the count read; else data lost raises (TCP), -3 at
        # the end of the stream (release, then 0), otherwise None. The read's error is
        # raised (the caller adds Modem.explain).
        if e is not None:
            net._dst = None  # no data comes after the command completed
            try:
                e.finish()  # raises the read's error
            except BaseException:
                net._read_failed(self)  # sockets_rare.py
                raise
            self.remaining = net.remaining
            k = net._got
            if k:
                self.pending = True
                return k
        ring = self.ring
        if ring is not None and ring.dropped:
            self.lost = True
            ring.dropped = 0
        if self.lost:
            self.lost = False
            if not self.udp:
                from .dataerrors import DataLost

                raise DataLost("socket %d (%d x buff full)" % (self.id, self.buff_full))
        # A "recv" URC that came with the empty answer announced data the module still holds.
        if self.remote_closed and not self.pending:
            return -3
        return None

    # --- sending ---------------------------------------------------------------------
    #
    # A send runs in phases that never wait: qisend builds the command for the next piece
    # and begins it; sent puts the data out after the '>' prompt (data mode), then reads
    # SEND OK / SEND FAIL. send() waits between them with Engine.wait(), bc26.aio awaits;
    # both call the same phases, public for that (as take/took/readable for a receive).
    # (Not generators: one would allocate per send.)

    def send(self, data, form=0, cancel=False):
        """Send all of data (bytes-like or str), choosing the command form by itself.

        Inline AT+QISEND for short printable data (quoted when it holds more than letters
        and digits); the fixed-length data mode, which carries any byte value, for the
        rest, in pieces within the manual's limits. Returns len(data); SEND FAIL raises
        SendFailed with the count already sent. (form and cancel: for send_inline,
        send_fixed, send_stream and send_hex, which check the data first.)
        """
        if type(data) is not bytes and type(data) is not bytearray:
            from .checks import as_bytes  # a str, a memoryview, an array of samples

            data = as_bytes(data)
        if self.closed or self.released:
            raise BC26Error(567)
        net = self.sockets
        modem = net.modem
        e = net.e
        n = len(data)
        end = None if form != 4 else b"\x1b" if cancel else b"\x1a"
        off = 0
        while off < n:
            # The phases of a send (bc26.aio drives the same ones, awaiting).
            if e.stale:
                modem.sync(3, 300)  # Modem.ready()
            try:
                k = self.qisend(data, off, n, form)
                e.step(True)  # Engine.wait()
                if k > 0:
                    k = self.sent(data, off, k, end)  # the data, after the '>' prompt
                    e.step(True)  # Engine.wait()
                    if cancel:
                        break
                self.sent(data, off, k)  # SEND OK
                k = -k
            except BC26Error as err:
                e.abandon()  # a UART write that stalled leaves the command pending
                modem.drive(modem.explain(err, True))
                raise
            except BaseException:
                e.abandon()
                raise
            off += k
        if not cancel:
            return n
        try:
            e.finish()
        except BC26Timeout:
            raise
        except BC26Error:
            pass  # Esc is answered ERROR (571 Cancel send) by some firmware, OK by others
        return 0

    sendall = send  # send() already sends it all

    def qisend(self, data, off, n, form=0):
        # A send's first phase: builds the command for the next piece of data[off:n] and
        # begins it. form 0 chooses as send() says; 1 / 2 inline, plain / in double quotes;
        # 3 the fixed-length data mode; 4 the data mode ended by Ctrl+Z; 5 AT+QISENDEX.
        # Returns the piece's length, negative when the data went with the command; in the
        # data mode the module is to prompt for it ('>'): then sent(), twice.
        net = self.sockets
        e = net.e
        hexed = net.send_hex
        k = n - off
        if form == 0:
            if k <= (_INLINE_HEX_MAX if hexed else _INLINE_TEXT_MAX):
                form = 1
                if not hexed:
                    # Plain for letters and digits, quoted for other printable bytes, not
                    # inline for a byte the command line would misread.
                    for i in range(off, n):
                        c = data[i]
                        if c < 32 or c > 126 or c == 34 or c == 59:
                            form = 0
                            break
                        if not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122):
                            form = 2
            if form == 0:
                form = 3
                m = _DATA_HEX_MAX if hexed else _DATA_TEXT_MAX
                if k > m:
                    k = m
        if form >= 3 and form < 5:
            # Bulk sends repeat the same command line: build it once (as AT+QIRD does).
            tag = 0x20000 | self.id << 12 | (k if form == 3 else 0xFFF)
            if e.cmd_tag != tag:
                e.cmd(b"AT+QISEND=")
                e.put_int(self.id)
                if form == 3:
                    e.put(b",")
                    e.put_int(k)
                e.cmd_tag = tag
            e.begin(_SEND, done_line, net.cmd_timeout, net.send_timeout, True)
            if form == 3:
                # What the prompt is owed even if this send gives up before it (Engine.due).
                d = e.due
                d[0] = data
                d[1] = off
                d[2] = k
                d[3] = net.hex if hexed else None
                d[6] = net.echomode
                d[7] = 0
            return k
        e.cmd(b"AT+QISENDEX=" if form == 5 else b"AT+QISEND=")
        e.put_int(self.id)
        e.put(b",")
        e.put_int(k)
        e.put(b",")
        quote = form != 1
        w = e.wrote
        try:
            e.begin(_SEND, done_line, net.cmd_timeout, net.send_timeout, False, False, True)
            # Where the line ends: the payload follows the command on it, straight from the
            # caller's buffer.
            w = e.wrote + (2 * k if hexed or form == 5 else k) + (3 if quote else 1)
            if quote:
                e.write(b'"')
            if hexed or form == 5:
                net.hex.hex_out(data, off, k)
            else:
                e.write(data, off, k)
            e.write(b'"\r' if quote else b"\r")
        except BaseException:
            w -= e.wrote  # the line's bytes still unwritten; < 0: cut in the command itself
            if w:
                # Cut by a stalled write: the module holds part of the line, and the next
                # bytes complete it. It gets 'X' and a CR first (Engine.due): a line then
                # shorter than its length, or longer (two when one data byte is missing, or
                # the payload is one byte: a quoted one cut before its quote would be "X"), or
                # no command ('X' is no digit); never the resync's AT as the data's last 2.
                e.due[8] = b"XX\r" if k == 1 or w == (3 if quote else 2) else b"X\r"
            raise
        return -k

    def sent(self, data, off, k, end=None):
        # Each later phase, once the command's wait ended (k: what qisend returned, then
        # what this returned). k > 0, the data mode: the '>' came, else the command's
        # error (or "no data prompt") is raised; data[off:off+k] goes out, then end (Ctrl+Z,
        # or Esc to cancel; None after a fixed length), the wait for the result begins, and
        # -k is returned: wait, then call again with it. k <= 0: SEND OK returns 0, SEND
        # FAIL raises SendFailed (off: the count sent before), and the command's error is
        # raised (the caller adds Modem.explain). (Few names: a call whose state fits in
        # 11 words allocates no frame on the heap.)
        e = self.sockets.e
        if k <= 0:
            e.finish()
            if e.matched == 1:
                from .dataerrors import SendFailed as e  # (e: one name fewer in the frame)

                raise e(off)
            return 0
        e.prompted()
        d = e.due
        owed = d[0]  # a fixed length's data: the module takes exactly that many bytes
        d[0] = None  # going out now: never twice
        w = e.wrote
        try:
            if self.sockets.send_hex:
                self.sockets.hex.hex_out(data, off, k)
            else:
                e.write(data, off, k)
        except BaseException:
            if owed is not None:
                # Cut by a stalled write: the give-up pays the rest as filler (Engine.due).
                d[0] = owed
                d[7] = e.wrote - w
            if self.sockets.echomode and e.wrote != w:
                # Only what went out comes back: an echo counted for all of it took the
                # answers to the Esc and the resync's ATs for the rest.
                self.sockets.skip_echo(e.wrote - w, True)
            raise
        # (Counted once written: nothing is read meanwhile, and a cut payload echoes less.)
        if self.sockets.echomode:
            self.sockets.skip_echo(k)  # sockcfg.py, which set or read the echomode
        if end is not None:
            e.write(end)
            if end == b"\x1b":
                e.resume(self.sockets.cmd_timeout, 0)
                return -k
        e.resume(min(self.sockets.cmd_timeout + k, _WAIT_MAX), self.sockets.send_timeout)
        return -k

    # --- other -------------------------------------------------------------------------

    def close(self):
        """AT+QICLOSE (OK, then CLOSE OK). Closing twice does nothing."""
        if self.closed:
            return
        self.closed = True
        net = self.sockets
        net.modem.drive(net.release_steps(self))

    def __getattr__(self, name):
        return lazy(
            self,
            name,
            "|sockextra send_inline send_fixed send_stream send_hex send_status set_mode available ",
        )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Sockets:
    """The socket table and the socket URCs of one modem (Modem.sockets).

    Also, loaded on first use: state (sockstate.py); hex, hex_in, hex_out (hexcode.py).
    """

    # Deadlines in ms; setting one on the instance overrides it (a class attribute costs the
    # instance nothing until then).
    cmd_timeout = 2000  # OK / ERROR of a socket command
    open_timeout = 60000  # +QIOPEN (manual: 60 s)
    send_timeout = 10000  # SEND OK / SEND FAIL
    close_timeout = 10000  # CLOSE OK

    def __getattr__(self, name):
        if name == "hex" or name == "hex_in" or name == "hex_out":
            # The hex coder, made the first time a socket sends or receives in hex; hex_in
            # and hex_out are its methods.
            from .hexcode import HexCoder

            self.hex = HexCoder(self)
            return getattr(self, name) if name == "hex" else getattr(self.hex, name)
        return lazy(
            self,
            name,
            (
                "|openclose open_steps open_line release_steps close_steps "
                "|sockets_rare on_late_open defer_close _service damage abandon_read drop_push _read_failed "
                "|sockstate state |ring on_push push_sink |sockcfg qird_format skip_echo "
            ),
            True,
        )

    def __init__(self, modem):
        self.modem = modem
        self.e = modem.engine
        self.table: list = [None, None, None, None, None]  # a Socket or None per connectID
        # The module's AT+QICFG values, as last read or set.
        self.send_hex = False
        self.recv_hex = False
        self.viewmode = 0
        self.showlength = 0
        self.echomode = 0
        self.known = False
        self.orphans = 0  # connectIDs (bits) the module opened after we gave up on them
        self.closing = 0  # connectIDs (bits) to close at the next poll
        # The AT+QIRD in progress (Socket.take): into _dst, at most _room bytes, for _reader
        # (kept after the read, for an answer that comes after the read gave up).
        self._dst = None
        self._got = 0
        self._room = 0
        self._reader = None
        self.remaining = None  # its <remaining_length> (showlength 1)
        # ring.py sets self.push_sink, _push and _push_left with the first pushed data.
        # self.hex, the hex data format's coder (hexcode.py), is made by __getattr__ the first
        # time it is used: a program in the text format never loads its code.
        # The AT+QIOPEN in progress.
        self._open_id = -1
        self._open_err = -1
        # Bound methods made once and kept under their own names, so the instance finds them
        # first: handing over self.method would otherwise allocate a bound method every time.
        self.read_sink = self.read_sink
        self.on_qird = self.on_qird
        self.restarts = 0
        # The module restarted and echoes commands: ATE0 is due (the resync that the next
        # command runs first sends it, or the next poll that finds the module free).
        self.echo_on = False
        self.service_errors = 0  # deferred closes / ATE0 the module did not answer
        self.damaged = 0  # hex data that was not hex (damaged on the wire), dropped
        self._retry_at = -1

    # --- open, close, state ------------------------------------------------------------

    def on_closed(self, buf, s, end):
        f = self.e.fields
        f.start(self.e.args + 1, end)
        cid = f.int(-1)
        if 0 <= cid <= 4:
            sock = self.table[cid]
            if sock is None:
                self.closing |= 1 << cid
                return
            sock.remote_closed = True
            if sock.mode == PUSH:
                # Pushed data is all here already: the module's side can go now.
                self.closing |= 1 << cid

    def on_restart(self, buf, s, end):
        # The module restarted (RDY, the boot banner) or is off (POWERED DOWN, 'P'): either
        # way it answers nothing pending and has forgotten every socket. Only a restarted
        # module needs echo turned off again; one that is off gets ATE0 from start().
        # (Resident, with Engine.abort: a module that powers on after the board prints its
        # banner at every cold boot, and loading the rare modules for it cost 5.6 KB.)
        if buf[s] == 80:
            self.e.abort("module powered down", True)
        else:
            self.restarts += 1
            self.echo_on = True
            self.e.abort("module restarted", True)
            # A booting module may miss or garble what is sent right after its banner: the
            # next command resynchronises first (silence, then AT).
            self.e.stale = True
        for sock in self.table:
            if sock is not None:
                # Its connectID no longer exists on the module: reads raise 567.
                sock.released = True
                sock.pending = False
        self.table = [None, None, None, None, None]
        self.orphans = self.closing = 0
        self.echomode = 0  # not kept in NVRAM, unlike the other AT+QICFG values

    def service(self, steps=False):
        """Deferred work that handlers may not do themselves: closing sockets, echo off.

        Called from Modem.poll() and before opening a socket. It never raises: if the module
        does not answer, the work waits for the next call, at least 2 s later (sockets_rare.py),
        so a silent module does not make every poll() wait. With steps=True: the work as
        steps (see Modem.drive), or None when there is none to do now (bc26.aio).
        """
        todo = self.orphans | self.closing
        if not (todo or self.echo_on) or self.e.busy():
            return None
        if self._retry_at != -1 and ticks_diff(self._retry_at, ticks_ms()) > 0:
            return None
        work = self._service()
        if steps:
            return work
        self.modem.drive(work)

    # --- receiving -------------------------------------------------------------------

    def on_qird(self, buf, s, end):
        # The answer of AT+QIRD, or one that comes after its read gave up (a URC then, with
        # _dst None: its data is counted and dropped, and the reader learns of the loss).
        # '+QIRD: <n>' is parsed here digit by digit: this runs for every 512 bytes read.
        # (Few names: a call whose state fits in 11 words allocates no frame on the heap.)
        s += 6
        while s < end and buf[s] == 32:
            s += 1
        n = 0
        while s < end:
            c = buf[s] - 48
            if c < 0 or c > 9:
                break
            n = n * 10 + c
            s += 1
        if n > _READ_MAX:
            # No read asks for more: a length damaged on the wire. Its data cannot be
            # counted; the read fails and the socket reports the loss.
            self.damage()
            self.e.abort("impossible AT+QIRD length")
        elif self.viewmode or self.recv_hex or self.showlength:
            self.qird_format(s, end, n)  # the other formats: sockcfg.py, which set them
        elif n > 0:
            self.e.take(n, self.read_sink)
        return LINE_MORE

    def read_sink(self, mv, s, e):
        dst = self._dst
        if dst is None or mv is None:
            self.damage()  # data of a read that gave up, or the rest of one that never came
            return
        k = self._got
        if e - s > self._room - k:
            # More than was asked for: never written past it; the rest is lost.
            e = s + self._room - k
            self.damage()
        dst[k : k + e - s] = mv[s:e]
        self._got = k + e - s

    def on_recv(self, buf, s, end):
        # (s is reused for the connectID, then the length: a frame of at most 11 words is
        # not allocated on the heap, and this runs for every "recv" URC.)
        f = self.e.fields
        f.start(self.e.args + 1, end)
        s = f.int(-1)
        sock = self.table[s] if 0 <= s <= 4 else None
        if f.pos >= f.end:
            if sock is not None:
                sock.pending = True
            return
        if buf[f.pos] == _QUOTE:  # "buff full": the module dropped data
            if sock is not None:
                sock.buff_full += 1
                sock.lost = True
                sock.pending = True
            return
        s = f.int(-1)
        if sock is not None and sock.mode == BUFFER:
            sock.pending = True
            sock.hint = s if s > 0 else 0
            return
        if sock is None and (self.viewmode == 0 or buf[end - 1] != 44):
            # Not ours: with viewmode 0 a push URC and a buffer-mode one look alike; with
            # viewmode 1 pushed data follows a comma, a buffer-mode notice ends in its length.
            return
        # Pushed data: ring.py, loaded when a push-mode socket opens (or by data pushed for
        # none, to count and drop it), so a buffer-mode program never holds its code.
        self.on_push(buf, sock, s)


# Socket.take's answers, for bc26.aio: AT+QIRD begun (or due), resynchronise first, release.
TAKE = (-1, -2, -3)
