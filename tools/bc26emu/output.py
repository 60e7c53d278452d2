"""What leaves the emulated module: the transcript, output faults and pacing at a baud rate."""

import collections
import random
import threading
import time


def escape(data):
    """Bytes as one printable line: \\r, \\n, \\x1a and friends spelled out."""
    return repr(bytes(data))[2:-1]


class Transcript:
    """Everything that crossed the UART, with timestamps relative to the emulator's start.

    entries: (seconds, kind, payload); kind is "in" and "out" (bytes as they crossed the wire),
    "cmd" (one command line as the module parsed it, str), "data" ((connectID, bytes) sent in
    data mode or inline) and "event" (str: reboot, registration, faults).
    commands: just the command lines, in order, so a test can prove nothing extra reached the module.
    """

    def __init__(self, path=None, start=None):
        self.start = time.monotonic() if start is None else start
        self.entries = []
        self.commands = []
        self._lock = threading.Lock()
        self._file = open(path, "a", encoding="utf-8") if path else None

    def _add(self, kind, payload, shown):
        t = time.monotonic() - self.start
        with self._lock:
            self.entries.append((t, kind, payload))
            if kind == "cmd":
                self.commands.append(payload)
            if self._file:
                self._file.write("%10.6f %-5s %s\n" % (t, kind.upper(), shown))
                self._file.flush()

    def received(self, data):
        self._add("in", bytes(data), escape(data))

    def sent(self, data):
        self._add("out", bytes(data), escape(data))

    def command(self, line):
        self._add("cmd", line, line)

    def payload(self, connect_id, data):
        self._add("data", (connect_id, bytes(data)), "%d %s" % (connect_id, escape(data)))

    def event(self, text):
        self._add("event", text, text)

    def bytes_in(self):
        with self._lock:
            return b"".join(p for _, k, p in self.entries if k == "in")

    def bytes_out(self):
        with self._lock:
            return b"".join(p for _, k, p in self.entries if k == "out")

    def payloads(self):
        with self._lock:
            return [p for _, k, p in self.entries if k == "data"]

    def clear(self):
        with self._lock:
            self.entries.clear()
            self.commands.clear()

    def close(self):
        with self._lock:
            if self._file:
                self._file.close()
                self._file = None


class OutputPipe:
    """Module output waiting to be read, released no faster than the configured baud rate.

    Bytes pushed together are stamped with the moment each one finishes on the wire (10 bits per
    byte: start, 8 data, stop), so a reader polling any()/read() sees them trickle in as on a
    real UART. Drop and corrupt faults apply here, to what the module prints, with a seeded RNG.

    With chunk_max, each push is cut into pieces of 1..chunk_max bytes with up to chunk_gap
    seconds between them, and a piece becomes readable whole once its last byte is on the wire
    (a UART driver hands over what its FIFO and interrupt gave it, not byte by byte). A push may
    be held back (hold seconds: a slow answer); whatever is pushed later still comes after it,
    as a module prints its output in order.
    """

    MAX_BUFFERED = 1 << 20

    def __init__(
        self, transcript, baud=None, drop_rate=0.0, corrupt_rate=0.0, seed=0, chunk_max=0, chunk_gap=0.0
    ):
        self.transcript = transcript
        self.baud = baud
        self.drop_rate = drop_rate
        self.corrupt_rate = corrupt_rate
        self.chunk_max = chunk_max
        self.chunk_gap = chunk_gap
        self._rng = random.Random(seed)
        # Its own stream, so pieces do not shift which bytes the faults hit (str seeds are stable).
        self._piece_rng = random.Random("pieces %d" % seed)
        self._chunks = collections.deque()  # [start, seconds per byte, data, consumed]
        self._busy_until = 0.0
        self._cond = threading.Condition()
        self._buffered = 0

    def _mangle(self, data):
        if not (self.drop_rate or self.corrupt_rate):
            return data
        out = bytearray()
        for byte in data:
            if self.drop_rate and self._rng.random() < self.drop_rate:
                continue
            if self.corrupt_rate and self._rng.random() < self.corrupt_rate:
                byte ^= 1 << self._rng.randrange(8)
            out.append(byte)
        return bytes(out)

    def push(self, data, hold=0.0):
        data = self._mangle(bytes(data))
        if not data:
            return
        self.transcript.sent(data)
        now = time.monotonic()
        with self._cond:
            per_byte = 10.0 / self.baud if self.baud else 0.0
            start = max(now + hold, self._busy_until)
            if self.chunk_max:
                rng = self._piece_rng
                i = 0
                while i < len(data):
                    piece = data[i : i + rng.randint(1, self.chunk_max)]
                    if i and self.chunk_gap:
                        start += rng.uniform(0.0, self.chunk_gap)
                    start += per_byte * len(piece)
                    self._chunks.append([start, 0.0, piece, 0])  # readable whole at its end
                    i += len(piece)
                self._busy_until = start
            else:
                self._busy_until = start + per_byte * len(data)
                self._chunks.append([start, per_byte, data, 0])
            self._buffered += len(data)
            while self._buffered > self.MAX_BUFFERED and len(self._chunks) > 1:
                old = self._chunks.popleft()
                self._buffered -= len(old[2]) - old[3]
            self._cond.notify_all()

    @staticmethod
    def _ready_in(chunk, now):
        start, per_byte, data, consumed = chunk
        if now < start:
            return 0  # held back, or a piece still on the wire
        if not per_byte:
            return len(data) - consumed
        done = min(len(data), int((now - start) / per_byte + 1e-9))
        return max(0, done - consumed)

    def available(self):
        now = time.monotonic()
        with self._cond:
            total = 0
            for chunk in self._chunks:
                ready = self._ready_in(chunk, now)
                total += ready
                if chunk[3] + ready < len(chunk[2]):
                    break
            return total

    def take(self, limit=None):
        """Up to `limit` bytes that have arrived by now (b"" when none)."""
        now = time.monotonic()
        out = bytearray()
        with self._cond:
            while self._chunks and (limit is None or len(out) < limit):
                chunk = self._chunks[0]
                ready = self._ready_in(chunk, now)
                if limit is not None:
                    ready = min(ready, limit - len(out))
                if ready <= 0:
                    break
                out += chunk[2][chunk[3] : chunk[3] + ready]
                chunk[3] += ready
                if chunk[3] >= len(chunk[2]):
                    self._chunks.popleft()
                else:
                    break
            self._buffered -= len(out)
        return bytes(out)

    def wait(self, timeout):
        """Block until some byte is ready or timeout passes; True when bytes are ready."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                if self._chunks:
                    chunk = self._chunks[0]
                    if self._ready_in(chunk, now) > 0:
                        return True
                    next_at = chunk[0] + chunk[1] * (chunk[3] + 1)
                else:
                    next_at = deadline
                if now >= deadline:
                    return False
                self._cond.wait(max(0.0, min(next_at, deadline) - now))

    def wake(self):
        with self._cond:
            self._cond.notify_all()

    def clear(self):
        with self._cond:
            self._chunks.clear()
            self._buffered = 0
