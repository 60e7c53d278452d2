# A scripted BC26 for the model-based test (modelcore.py): a small model of the module written
# for that test, not the emulator. Plain Python that the MicroPython unix port runs too.
#
# It plays the module behind a UART stand-in (the any/readinto/write surface the engine uses)
# and answers as the manual says, but as a real module is seen to: slowly (every answer up to
# 300 ms after its command), in pieces of 1-64 bytes a read, with the URCs it owes ("recv",
# "closed", late +QIOPEN) put between the records of whatever it is printing, trailers
# (SEND OK, CLOSE OK, +QIOPEN) that may come after the library stopped waiting, and, when
# asked, seeded damage: a byte dropped from a record, or a data header whose length is
# impossible. Its clock is Clock below: virtual milliseconds that the library reads through
# its own ticks_ms/sleep_ms (patched in), so a 300 ms answer or a 60 s deadline costs no real
# time; or real time (the asyncio layer, whose event loop keeps its own clock).
#
# Everything the library writes is checked against the command forms it documents (wire());
# everything the peers send is a seeded byte stream per socket that the checker compares
# with what reaches the user.

try:
    from time import sleep_ms as _real_sleep
    from time import ticks_add, ticks_diff
    from time import ticks_ms as _real_ticks
except ImportError:
    from bc26._compat import sleep_ms as _real_sleep
    from bc26._compat import ticks_add, ticks_diff
    from bc26._compat import ticks_ms as _real_ticks

_MASK = (1 << 30) - 1
PUSH_URC_MAX = 1400  # the manual's longest "recv" URC, header and data
READ_MAX = 512  # AT+QIRD
NODE_MAX = 1460  # bytes the module keeps per received packet (a buffer-mode node)
DATA_TEXT_MAX = 1460
DATA_HEX_MAX = 730
INLINE_TEXT_MAX = 1024
INLINE_HEX_MAX = 512


# Unsolicited lines a module prints at any record boundary (the library must take each as
# a URC, never as a part of the answer it is waiting for).
NOISE = (b"+CEREG: 1", b"+IP: 10.0.0.7", b'+QIURC: "pdpdeact",1', b'+CTZEU: "+32",0,"2019/06/11,03:08:20"')


class Rng:
    """xorshift32: the same sequence in CPython and MicroPython for the same seed, so a seed
    that fails in the unix port replays under CPython."""

    def __init__(self, seed):
        self.s = (seed * 2654435761 + 12345) & 0xFFFFFFFF or 1
        for _ in range(4):
            self.next()

    def next(self):
        x = self.s
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.s = x
        return x

    def below(self, n):
        return self.next() % n if n > 0 else 0

    def between(self, a, b):
        return a + self.below(b - a + 1)

    def chance(self, per_mille):
        return self.below(1000) < per_mille

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def bytes(self, n):
        out = bytearray(n)
        for i in range(n):
            out[i] = self.next() & 0xFF
        return out


class Clock:
    """Virtual milliseconds for the library (virtual=True) or real ones.

    Virtual time moves when the library sleeps, and by 1 ms every 16 reads of the clock (the
    CPU time a busy loop costs), so a loop that only reads the clock still reaches its
    deadline, and one that never reads it is caught by the hang guard in ScriptedModule.
    """

    NAMES = ("ticks_ms", "sleep_ms")

    def __init__(self, virtual=True, start=0):
        self.virtual = virtual
        self.now = start & _MASK
        self.reads = 0
        self._saved = []
        self.next_event = None  # ms until the module's next output, or -1 (ScriptedModule sets it)

    def ticks_ms(self):
        if not self.virtual:
            return _real_ticks()
        self.reads += 1
        if not self.reads & 15:
            self.now = (self.now + 1) & _MASK
        return self.now

    def sleep_ms(self, ms):
        if not self.virtual:
            _real_sleep(ms)
            return
        if ms <= 1:
            # A poll loop's short sleep: to the module's next output if that is soon, else a
            # coarser 20 ms step (a deadline is then seen at most 20 ms late), so a wait of
            # minutes for a module that stays silent costs thousands of loops, not millions.
            ms = 20
            nxt = self.next_event() if self.next_event is not None else -1
            if 0 <= nxt < ms:
                ms = nxt if nxt > 0 else 1
        self.now = (self.now + ms) & _MASK

    def advance(self, ms):
        if self.virtual:
            self.now = (self.now + ms) & _MASK
        else:
            _real_sleep(ms)

    def install(self, modules):
        # The library's modules bound ticks_ms/sleep_ms at import: replace those bindings.
        for mod in modules:
            for name in self.NAMES:
                if hasattr(mod, name):
                    self._saved.append((mod, name, getattr(mod, name)))
                    setattr(mod, name, getattr(self, name))

    def uninstall(self):
        for mod, name, fn in self._saved:
            setattr(mod, name, fn)
        self._saved = []


class Hang(BaseException):
    """The library read the UART far more often than any operation needs: a wait without end.
    (BaseException: the library's `except Exception` must not swallow it.)"""


class WireViolation(Exception):
    """The library wrote something that is none of the command forms it documents."""


class MSock:
    """One socket as the module sees it."""

    def __init__(self, serial, cid, kind, mode, peer_seed):
        self.serial = serial  # unique over the module's life: which user socket it is
        self.cid = cid
        self.kind = kind
        self.udp = kind == "UDP"
        self.mode = mode
        self.opened = False  # +QIOPEN: <id>,0 printed
        self.nodes = []  # buffer mode: data the module holds (bytearrays; one per datagram for UDP)
        self.armed = True  # buffer mode: the next data that arrives is announced
        self.peer = Rng(peer_seed)  # the peer's byte stream
        self.stream = bytearray()  # every byte the peer sent, in order
        self.produced = 0  # len(stream)
        self.datagrams = []  # UDP: (offset, length) of each datagram the peer sent
        self.lost = []  # (start, end) of stream bytes the module damaged beyond reading
        self.tainted = False  # a byte of its data was dropped on the wire: content unknowable
        self.remote_closed = False
        self.received = bytearray()  # what the host sent on it (SEND OK or not)
        self.sends = []  # (offset in received, length, ok) per send the module took
        self.sent_total = 0


def _digits(b, s, e):
    # int of b[s:e] if all digits (at least one), else -1.
    if s >= e or e - s > 9:
        return -1
    v = 0
    for i in range(s, e):
        c = b[i]
        if c < 48 or c > 57:
            return -1
        v = v * 10 + c - 48
    return v


def _hex_ok(b):
    for c in b:
        if not (48 <= c <= 57 or 97 <= c <= 102 or 65 <= c <= 70):
            return False
    return len(b) % 2 == 0


def _unhex(b):
    out = bytearray(len(b) // 2)
    for i in range(len(out)):
        out[i] = int(bytes(b[2 * i : 2 * i + 2]), 16)
    return out


def _hexlify(data):
    digits = b"0123456789abcdef"
    out = bytearray(2 * len(data))
    for i in range(len(data)):
        c = data[i]
        out[2 * i] = digits[c >> 4]
        out[2 * i + 1] = digits[c & 15]
    return out


def _host_ok(b):
    if not b or len(b) > 150:
        return False
    for c in b:
        if not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c in (45, 46, 58, 95)):
            return False
    return True


class ScriptedModule:
    """The module behind a UART stand-in: write() takes the library's bytes, any()/readinto()
    hand over the module's output as it comes due on the clock."""

    def __init__(self, clock, seed, viewmode=0, recv_hex=False, send_hex=False, showlength=0):
        self.clock = clock
        clock.next_event = self.pending_first
        self.rng = Rng(seed)
        self.viewmode = viewmode
        self.recv_hex = recv_hex
        self.send_hex = send_hex
        self.showlength = showlength
        # Knobs (the driver sets them per sequence).
        self.latency = 300  # ms: each answer comes 0..latency after its command
        self.trailer_ms = 2000  # ms: SEND OK / CLOSE OK / +QIOPEN come 0..trailer_ms after OK
        self.late_per_mille = 0  # of trailers: this many come 8-20 s late (after the library gave up)
        self.fail_per_mille = 0  # of sends: SEND FAIL; of opens: 566
        self.damage_per_mille = 0  # of records: one byte dropped
        self.bad_length_per_mille = 0  # of data headers: an impossible length
        self.chunk_max = 64
        self.hang_reads = 200000  # reads without a write or a clock move: Hang
        self.sockets = {}  # cid -> MSock
        self.serial = 0
        self._out = []  # [due, bytes] in due order: records not yet visible
        self.rx = bytearray()  # visible, not yet read
        self.tx = bytearray()  # every byte the library wrote
        self._line = bytearray()  # the command line being received
        self._data = None  # data mode: [cid, fixed length or -1, bytearray]
        self._lastch = {}  # channel -> due time of its last record
        self.violations = []  # (what, bytes) written outside the documented forms
        self.commands = []  # every command line, for the report
        self.banner_ms = 0
        self._idle_reads = 0
        self._last_now = -1
        self.damaged = 0
        self.bad_lengths = 0
        self.late_trailers = 0
        self.restarts = 0
        self.deaf_until = None  # restarting: bytes written before this time are not heard
        self.give_up = None  # virtual time at which a call that still waits is a Hang
        self.trace = None  # a list: every write and every record made visible, with the time

    # --- output --------------------------------------------------------------------------

    def _queue(self, data, delay, chan, after=None):
        # Records of one channel come out in order (an answer's lines; the trailers, which
        # the module prints in order; one socket's pushed data); channels interleave, but
        # only between whole records.
        now = self.clock.now if self.clock.virtual else _real_ticks()
        due = ticks_add(now, delay)
        last = self._lastch.get(chan)
        if last is not None and ticks_diff(due, last) < 0:
            due = last
        if after is not None and ticks_diff(due, after) < 0:
            due = after
        self._lastch[chan] = due
        out = self._out
        i = len(out)
        while i > 0 and ticks_diff(out[i - 1][0], due) > 0:
            i -= 1
        out.insert(i, [due, data])
        return due

    def _record(self, text, delay=-1, sock=None, chan="a", after=None):
        # One record (a line, or a header with its data), damaged now and then; its due time.
        if delay < 0:
            delay = self.rng.below(self.latency + 1)
        data = bytearray(b"\r\n" + text + (b"" if text[:1] == b">" else b"\r\n"))
        if self.damage_per_mille and self.rng.chance(self.damage_per_mille) and len(data) > 4:
            i = self.rng.between(2, len(data) - 3)
            data = data[:i] + data[i + 1 :]  # (MicroPython's bytearray has no item deletion)
            self.damaged += 1
            if sock is not None:
                sock.tainted = True
        return self._queue(data, delay, chan, after)

    def _urc(self, text, sock=None):
        # A URC: soon, between records (never inside one).
        return self._record(text, self.rng.below(50), sock, "u")

    def _later(self, text, after=None, sock=None):
        # A trailer: usually within trailer_ms, now and then after the library gave up.
        if self.late_per_mille and self.rng.chance(self.late_per_mille):
            self.late_trailers += 1
            delay = self.rng.between(8000, 20000) if self.clock.virtual else self.rng.between(600, 1200)
        else:
            delay = self.rng.below(self.trailer_ms + 1)
        return self._record(text, delay, sock, "t", after)

    def _release(self):
        now = self.clock.now if self.clock.virtual else _real_ticks()
        out = self._out
        while out and ticks_diff(now, out[0][0]) >= 0:
            data = out.pop(0)[1]
            self.rx.extend(data)
            if self.trace is not None:
                self.trace.append((now, "<", bytes(data)))

    def pending(self):
        """Output not yet visible (ms until the last of it is due), or -1 when none."""
        if not self._out:
            return -1
        now = self.clock.now if self.clock.virtual else _real_ticks()
        d = ticks_diff(self._out[-1][0], now)
        return d if d > 0 else 0

    def pending_first(self):
        if self.rx:
            return 0
        if not self._out:
            return -1
        d = ticks_diff(self._out[0][0], self.clock.now)
        return d if d > 0 else 0

    def any(self):
        self._release()
        now = self.clock.now
        if self.give_up is not None and ticks_diff(now, self.give_up) > 0:
            raise Hang("still waiting long after the call's deadline")
        if now == self._last_now:
            self._idle_reads += 1
            if self._idle_reads > self.hang_reads:
                raise Hang("the library polls the UART without end and without time passing")
        else:
            self._last_now = now
            self._idle_reads = 0
        n = len(self.rx)
        if n > 1:
            k = self.rng.between(1, self.chunk_max)
            if n > k:
                n = k
        return n

    def readinto(self, buf, n=None):
        avail = self.any()
        if n is None or n > len(buf):
            n = len(buf)
        if n > avail:
            n = avail
        if not n:
            return None
        buf[0:n] = self.rx[0:n]
        self.rx[0:n] = b""
        return n

    # --- input ---------------------------------------------------------------------------

    def write(self, buf, off=0, n=None):
        if n is None:
            n = len(buf) - off
        data = bytes(buf[off : off + n])
        self._idle_reads = 0
        self.tx.extend(data)
        if self.trace is not None:
            self.trace.append((self.clock.now, ">", data))
        for c in data:
            self._byte(c)
        return n

    def _byte(self, c):
        if self.deaf_until is not None:
            now = self.clock.now if self.clock.virtual else _real_ticks()
            if ticks_diff(now, self.deaf_until) < 0:
                return  # still booting: the UART is not listening yet
            self.deaf_until = None
        d = self._data
        if d is not None:
            fixed = d[1]
            if fixed < 0 and (c == 0x1A or c == 0x1B):
                self._data = None
                self._data_done(d[0], d[2], c == 0x1B)
                return
            if fixed < 0 and self.send_hex and not (48 <= c <= 57 or 97 <= c <= 102 or 65 <= c <= 70):
                self._violate("a non-hex byte in hex data mode", bytes([c]))
            d[2].append(c)
            if fixed >= 0 and len(d[2]) == fixed:
                self._data = None
                self._data_done(d[0], d[2], False)
            elif fixed < 0 and len(d[2]) > (2 * DATA_HEX_MAX if self.send_hex else DATA_TEXT_MAX):
                self._violate("data mode longer than the manual allows", bytes(d[2][:40]))
                self._data = None
            return
        if c == 13:
            line = bytes(self._line)
            self._line = bytearray()
            if line:
                self._command(line)
            return
        if c == 10 and not self._line:
            return
        if c == 0x1B and not self._line:
            return  # Esc outside data mode: harmless, documented (cancels a prompt that came late)
        self._line.append(c)
        if len(self._line) > 1100:
            self._violate("a command line longer than any documented form", bytes(self._line[:60]))
            self._line = bytearray()

    def _violate(self, what, data):
        self.violations.append((what, data))

    # --- commands ------------------------------------------------------------------------

    def _command(self, line):
        self.commands.append(line)
        # What the module printed before it took the command (URCs, pushed data) comes
        # before the command's answer on the wire; only trailers are independent.
        last = self._lastch.get("a")
        for ch in self._lastch:
            if ch != "t" and ch != "a":
                d = self._lastch[ch]
                if last is None or ticks_diff(d, last) > 0:
                    last = d
        if last is not None:
            self._lastch["a"] = last
        form = wire_form(line, self.send_hex)
        if form is None:
            self._violate("not a documented command form", line)
            self._record(b"ERROR")
            return
        name = form[0]
        args = form[1:]
        fn = getattr(self, "_at_" + name, None)
        if fn is None:
            self._record(b"OK")
        else:
            fn(*args)
        if self.rng.below(4) == 0:
            # A URC of the network, between two records of whatever is being printed.
            self._record(self.rng.choice(NOISE), self.rng.below(self.latency + 1), None, "u")

    def _at_csq(self):
        self._record(b"+CSQ: 19,99")
        self._record(b"OK", 0)

    def _at_qiopen(self, cid, kind, mode):
        if cid in self.sockets:
            self._later(b"+QIOPEN: %d,563" % cid, self._record(b"OK"))
            return
        if self.fail_per_mille and self.rng.chance(self.fail_per_mille):
            self._later(b"+QIOPEN: %d,566" % cid, self._record(b"OK"))
            return
        self.serial += 1
        s = MSock(self.serial, cid, kind, mode, self.rng.next())
        self.sockets[cid] = s
        self._later(b"+QIOPEN: %d,0" % cid, self._record(b"OK"))
        s.opened = True

    def _at_qiclose(self, cid):
        self.sockets.pop(cid, None)
        self._later(b"CLOSE OK", self._record(b"OK"))

    def _live(self, cid):
        s = self.sockets.get(cid)
        return s if s is not None and not s.remote_closed else None

    def _at_status(self, cid):
        s = self.sockets.get(cid)
        if s is None:
            self._record(b"+CME ERROR: 567")
            return
        self._record(b"+QISEND: %d,%d,0" % (s.sent_total, s.sent_total))
        self._record(b"OK", 0)

    def _at_inline(self, cid, payload):
        s = self._live(cid)
        if s is None:
            self._record(b"ERROR")
            return
        self._took(s, payload, self._record(b"OK"))

    def _took(self, s, payload, after):
        ok = not (self.fail_per_mille and self.rng.chance(self.fail_per_mille))
        s.sends.append((len(s.received), len(payload), ok))
        s.received.extend(payload)
        if ok:
            s.sent_total += len(payload)
        self._later(b"SEND OK" if ok else b"SEND FAIL", after)

    def _at_prompt(self, cid, fixed):
        s = self._live(cid)
        if s is None:
            self._record(b"ERROR")
            return
        self._record(b"> ")
        self._data = [cid, fixed * 2 if (fixed > 0 and self.send_hex) else fixed, bytearray()]

    def _data_done(self, cid, raw, cancel):
        s = self._live(cid)
        if cancel:
            self._record(b"OK" if self.rng.below(2) else b"+CME ERROR: 571")
            return
        if self.send_hex:
            if not _hex_ok(raw):
                self._violate("hex data that is not hex", bytes(raw[:40]))
                self._record(b"ERROR")
                return
            raw = _unhex(raw)
        if s is None or not raw:
            self._record(b"ERROR")
            return
        self._took(s, raw, self._record(b"OK"))

    def _at_qird(self, cid, n):
        s = self.sockets.get(cid)
        if s is None or not s.opened:
            self._record(b"+CME ERROR: 567")
            return
        if s.mode == 1:
            self._record(b"+CME ERROR: 572")
            return
        if not s.nodes:
            s.armed = True
            self._record(b"+QIRD: 0")
            self._record(b"OK", 0)
            return
        node = s.nodes[0]
        chunk = bytes(node[0][:n])
        start = node[1]
        node[0] = node[0][n:]
        node[1] += len(chunk)
        if not node[0]:
            s.nodes.pop(0)
        if not s.nodes:
            s.armed = True
        self._data_record(s, b"+QIRD: ", chunk, start, (b",%d" % len(node[0])) if self.showlength else b"", n)
        self._record(b"OK", 0)

    def _data_record(self, s, head, chunk, start, extra, limit, delay=-1, chan="a", after=None):
        # A header and its data, as one record: '+QIRD: <n>[,rem]' or '+QIURC: "recv",<id>,<n>',
        # the data after its line end (viewmode 0) or after a comma (viewmode 1), hex or not.
        body = _hexlify(chunk) if self.recv_hex else chunk
        n = len(chunk)
        if self.bad_length_per_mille and self.rng.chance(self.bad_length_per_mille):
            # An impossible length: beyond the manual's limit, or beyond what was asked.
            n = self.rng.choice((1200000, 99999, limit + 1 + self.rng.below(2000)))
            self.bad_lengths += 1
            s.lost.append((start, start + len(chunk)))
        text = head + (b"%d" % n) + extra + (b"," if self.viewmode else b"\r\n")
        if self.viewmode and self.rng.below(2):
            body = b'"' + body + b'"'
        self._record(text + body, delay, s, chan, after)

    def _at_swtmd(self, cid, mode):
        s = self.sockets.get(cid)
        if s is None:
            self._record(b"+CME ERROR: 567")
            return
        ok = self._record(b"OK")
        s.mode = mode
        if mode == 1:
            # What the module held comes out as push URCs, right after the OK.
            nodes = s.nodes
            s.nodes = []
            for data, start in nodes:
                self._push(s, data, start, ok)
        s.armed = True

    def _at_dns(self):
        self._later(b'+QIURC: "dnsgip",0,2,600', self._record(b"OK"))
        self._record(b'+QIURC: "dnsgip","10.0.0.1"', self.rng.below(30), None, "t")
        self._record(b'+QIURC: "dnsgip","10.0.0.2"', self.rng.below(30), None, "t")

    def _at_ping(self, count):
        ok = self._record(b"OK")
        for _ in range(count):
            self._later(b'+QPING: 0,"10.0.0.9",32,40,255', ok)
        self._record(b"+QPING: 0,%d,%d,0,40,40,40" % (count, count), self.rng.below(30), None, "t")

    def _at_state(self):
        for cid in sorted(self.sockets):
            s = self.sockets[cid]
            self._record(
                b'+QISTATE: %d,"%s","10.0.0.9",7,0,%d,1,%d'
                % (cid, s.kind.encode(), 4 if s.remote_closed else 2, s.mode),
                0,
            )
        self._record(b"OK", 0)

    def _at_geterror(self):
        self._record(b"+QIGETERROR: 550,unknown error")
        self._record(b"OK", 0)

    def _at_qicfg(self, name):
        v = {
            b"dataformat": b"%d,%d" % (self.send_hex, self.recv_hex),
            b"viewmode": b"%d" % self.viewmode,
            b"showlength": b"%d" % self.showlength,
            b"echomode": b"0",
        }[name]
        self._record(b'+QICFG: "' + name + b'",' + v)
        self._record(b"OK", 0)

    # --- the peers -----------------------------------------------------------------------

    def peer_send(self, cid, n):
        """The peer of socket cid sends n bytes (one datagram for UDP); False if none there."""
        s = self.sockets.get(cid)
        if s is None or not s.opened or s.remote_closed:
            return False
        start = s.produced
        data = s.peer.bytes(n)
        s.stream.extend(data)
        s.produced += n
        if s.udp:
            s.datagrams.append((start, n))
        if s.mode == 1:
            self._push(s, data, start)
            return True
        if s.udp:
            s.nodes.append([data, start])
        else:
            while data:
                if s.nodes and len(s.nodes[-1][0]) < NODE_MAX and self.rng.below(2):
                    last = s.nodes[-1]
                    k = NODE_MAX - len(last[0])
                    last[0] = last[0] + data[:k]
                else:
                    k = NODE_MAX
                    s.nodes.append([data[:k], start])
                data = data[k:]
                start += k
        if s.armed:
            s.armed = False
            self._urc(
                (b'+QIURC: "recv",%d,%d' % (cid, n)) if self.showlength else (b'+QIURC: "recv",%d' % cid), s
            )
        return True

    def _push(self, s, data, start, after=None):
        head = b'+QIURC: "recv",%d,' % s.cid
        room = PUSH_URC_MAX - len(head) - 8
        if self.recv_hex:
            room //= 2
        if s.udp:
            # The manual (2.4, note 5): in push mode the module drops a UDP datagram whose URC
            # would be longer than 1400 bytes. The checker counts it as a datagram lost.
            if len(data) > room:
                return
            room = len(data)
        while data:
            self._data_record(
                s, head, data[:room], start, b"", PUSH_URC_MAX, self.rng.below(50), "d%d" % s.cid, after
            )
            start += len(data[:room])
            data = data[room:]

    def peer_close(self, cid):
        s = self.sockets.get(cid)
        if s is None or not s.opened or s.remote_closed:
            return False
        s.remote_closed = True
        self._urc(b'+QIURC: "closed",%d' % cid)
        return True

    def restart(self):
        """The module reboots: it forgets every socket, hears nothing until it prints RDY."""
        self.restarts += 1
        self.sockets = {}
        self._data = None
        self._line = bytearray()
        if self.rx:
            # It reboots in the middle of what it was printing: the record is cut short (a
            # fault the library can meet but not always see: counted data may swallow RDY).
            self.damaged += 1
        self._out = []
        self._lastch = {}
        self.rx = bytearray()
        self.deaf_until = self._record(b"RDY", self.rng.below(self.latency + 1))

    def open_ids(self):
        return sorted(self.sockets)


def wire_form(line, send_hex):
    """The documented command form of one line the library wrote: a tuple (name, args...) for
    the scripted module, or None if the line is none of them. Lines the library's README
    documents, with the limits of the manual's parameter tables."""
    if line in (b"AT", b"ATE0", b"AT+CMEE=1", b"AT+CEREG=2", b"AT+CEREG?", b"AT+CGPADDR", b"ATE1"):
        return ("plain",)
    if line == b"AT+CSQ":
        return ("csq",)
    if line == b"AT+QISTATE?":
        return ("state",)
    if line == b"AT+QIGETERROR":
        return ("geterror",)
    if line.startswith(b'AT+QICFG="') and line.endswith(b'"'):
        name = line[10:-1]
        if name in (b"dataformat", b"viewmode", b"showlength", b"echomode"):
            return ("qicfg", name)
        return None
    eq = line.find(b"=")
    if eq < 0:
        return None
    cmd = line[:eq]
    rest = line[eq + 1 :]
    if cmd == b"AT+QIOPEN":
        # 1,<id>,"TCP|UDP","<host>",<port>,<lport>,<mode>[,1]
        p = rest.split(b",")
        if len(p) not in (7, 8) or p[0] != b"1":
            return None
        cid = _digits(p[1], 0, len(p[1]))
        if not 0 <= cid <= 4 or p[2] not in (b'"TCP"', b'"UDP"'):
            return None
        h = p[3]
        if len(h) < 3 or h[0] != 34 or h[-1] != 34 or not _host_ok(h[1:-1]):
            return None
        port = _digits(p[4], 0, len(p[4]))
        lport = _digits(p[5], 0, len(p[5]))
        mode = _digits(p[6], 0, len(p[6]))
        if not (1 <= port <= 65535 and 0 <= lport <= 65535 and mode in (0, 1)):
            return None
        if len(p) == 8 and p[7] != b"1":
            return None
        return ("qiopen", cid, p[2][1:-1].decode(), mode)
    if cmd == b"AT+QICLOSE":
        cid = _digits(rest, 0, len(rest))
        return ("qiclose", cid) if 0 <= cid <= 4 else None
    if cmd == b"AT+QIRD":
        p = rest.split(b",")
        if len(p) != 2:
            return None
        cid = _digits(p[0], 0, len(p[0]))
        n = _digits(p[1], 0, len(p[1]))
        return ("qird", cid, n) if 0 <= cid <= 4 and 1 <= n <= READ_MAX else None
    if cmd == b"AT+QISWTMD":
        p = rest.split(b",")
        if len(p) != 2:
            return None
        cid = _digits(p[0], 0, len(p[0]))
        mode = _digits(p[1], 0, len(p[1]))
        return ("swtmd", cid, mode) if 0 <= cid <= 4 and mode in (0, 1) else None
    if cmd == b"AT+QIDNSGIP":
        if rest.startswith(b'1,"') and rest.endswith(b'"') and _host_ok(rest[3:-1]):
            return ("dns",)
        return None
    if cmd == b"AT+QPING":
        if not rest.startswith(b'1,"'):
            return None
        q = rest.find(b'"', 3)
        if q < 0 or not _host_ok(rest[3:q]):
            return None
        opts = rest[q + 1 :]
        vals = [] if not opts else opts[1:].split(b",") if opts[0] == 44 else None
        if vals is None or len(vals) > 3:
            return None
        nums = [_digits(v, 0, len(v)) for v in vals]
        lims = ((1, 255), (1, 10), (32, 200))
        for i in range(len(nums)):
            if not lims[i][0] <= nums[i] <= lims[i][1]:
                return None
        return ("ping", nums[1] if len(nums) > 1 else 4)
    if cmd == b"AT+QISEND" or cmd == b"AT+QISENDEX":
        c1 = rest.find(b",")
        if c1 < 0:
            if cmd != b"AT+QISEND":
                return None
            cid = _digits(rest, 0, len(rest))
            return ("prompt", cid, -1) if 0 <= cid <= 4 else None
        cid = _digits(rest, 0, c1)
        if not 0 <= cid <= 4:
            return None
        c2 = rest.find(b",", c1 + 1)
        n = _digits(rest, c1 + 1, len(rest) if c2 < 0 else c2)
        if c2 < 0:
            if cmd != b"AT+QISEND":
                return None
            if n == 0:
                return ("status", cid)
            return ("prompt", cid, n) if 1 <= n <= (DATA_HEX_MAX if send_hex else DATA_TEXT_MAX) else None
        data = rest[c2 + 1 :]
        quoted = len(data) >= 2 and data[0] == 34 and data[-1] == 34
        if quoted:
            data = data[1:-1]
        if cmd == b"AT+QISENDEX" or send_hex:
            if cmd == b"AT+QISENDEX" and not quoted:
                return None
            if not 1 <= n <= INLINE_HEX_MAX or len(data) != 2 * n or not _hex_ok(data):
                return None
            return ("inline", cid, _unhex(data))
        if not 1 <= n <= INLINE_TEXT_MAX or len(data) != n:
            return None
        for c in data:
            # Printable, no ';' (the module would take it for a second command); a quote only
            # never, as the library documents (quoted form for anything but letters and digits).
            if c < 32 or c > 126 or c == 59 or c == 34:
                return None
            if not quoted and not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122):
                return None
        return ("inline", cid, bytes(data))
    return None
