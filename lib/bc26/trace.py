# An AT trace that changes nothing: wrap the UART, hand the wrapper to Modem, and every byte
# in both directions is recorded with its time, while the engine reads and writes exactly as
# it would without it.
#
#   from bc26.trace import Trace
#   t = Trace(uart, lines=40, out=None)    # keep the last 40 lines, print nothing
#   modem = bc26.Modem(t)
#   try:
#       ...
#   except Exception:
#       print(t)                           # what was said before it went wrong
#
# A line looks like "   12345 > AT+CSQ\r" or "   12350 < +CSQ: 19,99\r\n": milliseconds since
# the trace started, ">" from the MCU to the module, "<" from the module; CR, LF, backslash
# and every byte outside printable ASCII are escaped (\r \n \\ \xHH), so binary data and line
# ends are visible and a line is always one line. A line ends after LF (and after CR going
# to the module, whose commands end in CR), when the direction turns, or when it is full;
# the empty line the module puts before each answer stays with that answer.
#
# Why it cannot change what the engine does: every call goes to the UART with the same
# arguments and returns the UART's own value (None included); the bytes are recorded only
# after the UART has answered. The engine looks for any() and for select.poll support; the
# wrapper has any() exactly when the UART has it (__getattr__), and select.poll accepts the
# wrapper exactly when it accepts the UART (probed once here), so the engine waits the same
# way. The unix port's socket is then still polled natively, through its file descriptor.
#
# RAM: the lines live in one bytearray of lines x width bytes allocated here, written in
# place; keeping lines allocates nothing per byte. Printing or a callback needs a str per
# line, and its time is spent inside the engine's read: use the ring where timing matters.
# Loaded only by `import bc26.trace`.

import sys

from ._compat import ticks_diff, ticks_ms

if sys.implementation.name == "micropython":
    # select.poll takes a Python object only as an io.IOBase with ioctl().
    from io import IOBase
else:  # CPython's select.poll needs only fileno(); its IOBase would close and flush on GC
    IOBase = object

_HEX = b"0123456789abcdef"
_PREFIX = 11  # "   12345 > ": 8 digits of ms, the direction, two spaces


class Trace(IOBase):  # type: ignore  (IOBase is object on CPython: a union to pyright)
    def __init__(self, uart, lines=0, width=100, out=print):
        """uart: a machine.UART, a socket or anything with the same surface.

        lines: how many of the last lines to keep for print(trace) (0: none). width: bytes per
        line, time stamp included (24-255). out: called with each line as a str (print; None:
        nothing). At least one of lines and out.
        """
        if not isinstance(lines, int) or not 0 <= lines <= 10000:
            raise ValueError("lines: 0-10000")
        if not isinstance(width, int) or not 24 <= width <= 255:
            raise ValueError("width: 24-255")
        if out is not None and not callable(out):
            raise TypeError("out: a function taking one str, or None")
        if not lines and out is None:
            raise ValueError("nothing to do: give lines or out")
        self.uart = uart
        self.out = out
        self._keep = lines
        self._slots = lines or 1
        self._width = width
        self._buf = bytearray(self._slots * width)
        self._len = bytearray(self._slots)  # length of each kept line
        self._head = 0  # the slot being written
        self._count = 0  # slots holding a finished line
        self._n = 0  # bytes in the line being written (0: none started)
        self._dir = 0  # its direction: 62 '>' to the module, 60 '<' from it
        self._text = False  # it holds more than line ends
        self._t0 = ticks_ms()
        self.bytes_in = 0  # bytes read from the module
        self.bytes_out = 0  # bytes written to it
        # Whether select.poll takes the UART itself: the wrapper must be pollable exactly then.
        self._pollable = False
        try:
            import select

            p = select.poll()
            p.register(uart, 1)
            p.unregister(uart)
            self._pollable = True
        except Exception:
            pass

    # --- the UART's surface: same arguments, same return values ---------------------------

    def readinto(self, buf, n=-1):
        k = self.uart.readinto(buf) if n < 0 else self.uart.readinto(buf, n)
        if k:
            self.bytes_in += k
            self._add(buf, 0, k, 60)
        return k

    def read(self, n=-1):
        data = self.uart.read() if n < 0 else self.uart.read(n)
        if data:
            self.bytes_in += len(data)
            self._add(data, 0, len(data), 60)
        return data

    def readline(self):
        data = self.uart.readline()
        if data:
            self.bytes_in += len(data)
            self._add(data, 0, len(data), 60)
        return data

    def write(self, buf, a=-1, b=-1):
        # MicroPython's stream forms: write(buf), write(buf, max_len), write(buf, off, max_len).
        u = self.uart
        if a < 0:
            k = u.write(buf)
            a = 0
        elif b < 0:
            k = u.write(buf, a)
            a = 0
        else:
            k = u.write(buf, a, b)
        if k:
            self.bytes_out += k
            self._add(buf, a, a + k, 62)
        return k

    def fileno(self):
        return self.uart.fileno()

    def ioctl(self, op, arg):
        # MicroPython's select.poll asks here. 10 (GET_FILENO): the UART's descriptor, so the
        # unix port polls the socket natively; no descriptor (a board's UART): -22, and poll
        # asks 3 (POLL) instead, answered from any() as the UART's own ioctl would.
        if not self._pollable:
            raise OSError(22)  # select.poll refuses the UART, so it refuses the wrapper
        if op == 10:
            f = getattr(self.uart, "fileno", None)
            return f() if f is not None else -22
        if op == 3:
            f = getattr(self.uart, "ioctl", None)
            if f is not None:
                return f(op, arg)
            ready = arg & 4  # POLLOUT: a UART takes bytes into its buffer
            if arg & 1 and self.uart.any():
                ready |= 1
            return ready
        return -22

    def __getattr__(self, name):
        # any(), init(), deinit()...: the UART's own, or AttributeError as the UART gives it.
        if name == "uart":
            raise AttributeError(name)  # not set yet: the constructor refused its arguments
        return getattr(self.uart, name)

    # --- recording ---------------------------------------------------------------------------

    def _add(self, data, start, end, d):
        # Escape data[start:end] into the line being written, in place; never allocates. This
        # runs for every byte: p is the write position in the ring, lim where a line is full.
        if d != self._dir and self._n:
            self._end()
        self._dir = d
        buf = self._buf
        width = self._width
        base = self._head * width
        lim = base + width - 4
        p = base + self._n
        text = self._text
        for i in range(start, end):
            if p == base:
                p = base + self._begin(base, d)
                text = False
            c = data[i]
            if 32 <= c < 127 and c != 92:
                buf[p] = c
                p += 1
                text = True
                if p <= lim:
                    continue
            elif c == 13 or c == 10 or c == 92:
                buf[p] = 92
                buf[p + 1] = 114 if c == 13 else (110 if c == 10 else 92)
                p += 2
                # The blank line before an answer stays with it: "\r\nOK\r\n" is one line.
                if c == 92:
                    text = True
                    if p <= lim:
                        continue
                elif not ((c == 10 and text) or (c == 13 and d == 62)) and p <= lim:
                    continue
            else:
                buf[p] = 92
                buf[p + 1] = 120
                buf[p + 2] = _HEX[c >> 4]
                buf[p + 3] = _HEX[c & 15]
                p += 4
                text = True
                if p <= lim:
                    continue
            # The line is complete (a line end) or full: hand it on, start the next slot.
            self._n = p - base
            self._end()
            base = self._head * width
            lim = base + width - 4
            p = base
        self._n = p - base
        self._text = text

    def _begin(self, base, d):
        # The time stamp and direction of a new line; returns its length so far.
        t = ticks_diff(ticks_ms(), self._t0)
        if t < 0:  # ticks wrapped after days: count again from here
            self._t0 = ticks_ms()
            t = 0
        buf = self._buf
        for k in range(7, -1, -1):
            buf[base + k] = 48 + t % 10 if (t or k == 7) else 32
            t //= 10
        buf[base + 8] = 32
        buf[base + 9] = d
        buf[base + 10] = 32
        return _PREFIX

    def _end(self):
        # The line being written is complete: hand it out, keep it, start the next slot.
        n = self._n
        self._n = 0
        if not n:
            return
        h = self._head
        if self.out is not None:
            base = h * self._width
            self.out(bytes(self._buf[base : base + n]).decode())
        if self._keep:
            self._len[h] = n
            self._head = (h + 1) % self._slots
            if self._count < self._slots:
                self._count += 1

    def end_line(self):
        """End the line being written now (it would end with its line end or the next turn).

        (Not flush(): that is the UART's own, waiting for its transmit buffer, as ever.)
        """
        self._end()

    # --- reading the trace back --------------------------------------------------------------

    def lines(self):
        """The kept lines, oldest first, and the one being written (a list of str)."""
        out = []
        self.dump(out.append)
        return out

    def dump(self, out=print):
        """Call out(line) for each kept line, oldest first; builds no string of them all."""
        w = self._width
        buf = self._buf
        if self._keep:
            # In a full ring the line being written has taken the oldest line's slot.
            first = 1 if self._n and self._count == self._slots else 0
            for k in range(first, self._count):
                h = (self._head - self._count + k) % self._slots
                out(bytes(buf[h * w : h * w + self._len[h]]).decode())
        if self._n:
            base = self._head * w
            out(bytes(buf[base : base + self._n]).decode() + " ...")

    def __str__(self):
        return "\n".join(self.lines())
