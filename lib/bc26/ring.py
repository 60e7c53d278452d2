# A bounded byte queue for data the module pushes (direct-push access mode).
#
# The module pushes data whether or not the application is reading, so each push-mode
# socket keeps what arrived here, up to a size fixed when the socket is opened. What does
# not fit is dropped and counted, never silently. For UDP each datagram is stored with a
# two-byte length in front, so a read returns one datagram, as recvfrom must.
#
# The socket table's handling of pushed data lives here too (on_push, push_sink: methods of
# sockets.Sockets loaded on first use), so a program without a push-mode socket never loads it.

from ._compat import const

# limits.py's values (tests_host/test_limits.py checks that they agree).
_URC_MAX = const(1400)


class Ring:
    def __init__(self, size, datagrams=False):
        # size: a byte count, or a bytearray to use as the buffer (allocated early by a
        # program that knows its heap fragments).
        buf = bytearray(size) if isinstance(size, int) else size
        self.buf = buf
        self.mv = memoryview(buf)
        self.size = len(buf)
        self.head = 0  # next byte to read
        self.used = 0
        self.datagrams = datagrams
        self.dropped = 0  # bytes that did not fit
        self._len_at = -1  # datagram being written: buffer index of its length field
        self._ready = 0  # bytes (with length fields) of whole datagrams, readable

    def _put(self, mv, s, e):
        # Copy mv[s:e] in at the tail, in two pieces where it wraps.
        size = self.size
        t = self.head + self.used
        if t >= size:
            t -= size
        n = e - s
        k = size - t
        if k > n:
            k = n
        self.mv[t : t + k] = mv[s : s + k]
        if k < n:
            self.mv[0 : n - k] = mv[s + k : e]
        self.used += n

    def _index(self, i):
        # Buffer index of the i-th stored byte.
        i += self.head
        return i - self.size if i >= self.size else i

    def start_datagram(self, n):
        """Make room for a datagram of n bytes; False (and counted) if it cannot fit."""
        if self._len_at >= 0:
            # The previous datagram never completed (the module stopped mid-way): drop it.
            self.dropped += self.used - self._ready - 2
            self.used = self._ready
        if n + 2 > self.size - self.used:
            self.dropped += n
            self._len_at = -2
            return False
        a = self._len_at = self._index(self.used)
        b = self._index(self.used + 1)
        self.buf[a] = n >> 8
        self.buf[b] = n & 0xFF
        self.used += 2
        return True

    def end_datagram(self):
        """The datagram started last is complete: readers may take it."""
        if self._len_at >= 0:
            self._ready = self.used
        self._len_at = -1

    def write(self, mv, s, e):
        """Append mv[s:e] (for UDP: a chunk of the datagram begun with start_datagram)."""
        n = e - s
        if self.datagrams:
            if self._len_at == -2:
                return 0
        elif self.dropped:
            # A gap is not reported yet: nothing after it may be read before the reader
            # hears of it (the bytes on both sides would join as if nothing were missing).
            self.dropped += n
            return 0
        elif n > self.size - self.used:
            e = s + self.size - self.used
            self.dropped += n - (e - s)
            n = e - s
        self._put(mv, s, e)
        return n

    def readable(self):
        return self._ready if self.datagrams else self.used

    def readinto(self, buf, n):
        """Copy up to n bytes (for UDP: one datagram, truncated to n) into buf; the count."""
        if not self.used:
            return 0
        size = self.size
        if self.datagrams:
            if not self._ready:
                return 0
            ln = self.buf[self.head] << 8 | self.buf[self._index(1)]
            self._skip(2)
            self._ready -= 2 + ln
            take = ln if ln < n else n
        else:
            ln = take = self.used if self.used < n else n
        h = self.head
        k = size - h
        if k > take:
            k = take
        buf[0:k] = self.mv[h : h + k]
        if k < take:
            buf[k:take] = self.mv[0 : take - k]
        self._skip(ln)
        return take

    def _skip(self, n):
        self.used -= n
        h = self.head + n
        self.head = h - self.size if h >= self.size else h
        if not self.used:
            self.head = 0


def on_push(self, buf, sock, n):
    # Sockets.on_recv's data: n bytes pushed for sock (None: not ours, counted and dropped),
    # after the fields the engine's Fields are at.
    e = self.e
    f = e.fields
    if not 0 < n <= (_URC_MAX // 2 if self.recv_hex else _URC_MAX):
        # A length no URC can carry: damaged on the wire, so its data cannot be counted.
        self.damaged += 1
        if sock is not None and sock.ring is not None:
            sock.ring.dropped += 1
        return
    if sock is not None and (sock.closed or sock.ring is None):
        sock = None  # closing, or never opened for its user: counted and dropped
    # The sink as a bound method kept on the instance, made once: handing over
    # self.push_sink would otherwise allocate one at every push.
    sink = self.push_sink
    self.push_sink = sink
    self._push = sock
    self._push_left = n
    if sock is not None and sock.udp:
        sock.ring.start_datagram(n)
    if self.recv_hex:
        self.hex.data(self.hex.push_hex, n, self.viewmode, f.pos, f.end)
    elif self.viewmode:
        q = f.pos  # right after the comma, as in Sockets.on_qird
        while buf[q - 1] == 32:
            q -= 1
        e.take(n, sink, q, True)
    else:
        e.take(n, sink)


def push_sink(self, mv, s, e):
    # The sink of pushed data (Engine.take), a Sockets method.
    if mv is None:
        self.drop_push()  # the module stopped before the end (Engine.take)
        return
    self._push_left -= e - s
    sock = self._push
    if sock is None:
        return
    sock.ring.write(mv, s, e)
    if self._push_left <= 0 and sock.udp:
        sock.ring.end_datagram()
