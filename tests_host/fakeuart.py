# A stand-in for machine.UART on the host: the test plays the module.
#
# Runs under CPython and the MicroPython unix port alike, so the same tests prove both.
# The test side feeds module output with feed() (or a scripted reply when the driver writes a
# given command) and reads what the driver wrote from .tx. ``chunk`` limits how many bytes
# one any()/readinto() call may see, to exercise every split point of a record.

try:
    from time import ticks_add, ticks_diff, ticks_ms
except ImportError:
    from bc26._compat import ticks_add, ticks_diff, ticks_ms


class FakeUART:
    def __init__(self, chunk=0):
        self.rx = bytearray()  # module output the driver has not read yet
        self.tx = bytearray()  # everything the driver wrote
        self.chunk = chunk
        self._script = []  # [trigger, [(delay_ms, reply), ...]] answered in order
        self._seen = 0  # tx before this index already matched a trigger
        self._later = []  # [due_ticks, bytes] not yet visible
        self._auto = []  # (trigger, reply) answered every time, after the script

    def feed(self, data):
        self.rx.extend(data)

    def reply(self, trigger, *replies, delay=0):
        """When the driver has written ``trigger``, the module prints each reply.

        A reply is bytes (printed at once, or ``delay`` ms later) or a (delay_ms, bytes) pair.
        Triggers are matched in the order they were scripted.
        """
        parts = []
        for r in replies:
            if isinstance(r, tuple):
                parts.append(r)
            else:
                parts.append((delay, r))
        self._script.append((trigger, parts))

    def auto(self, trigger, reply, delay=0):
        """Answer every write that ends with ``trigger`` with ``reply`` (after the script),
        ``delay`` ms later."""
        self._auto.append((trigger, reply, delay))

    def pending_script(self):
        return len(self._script)

    def _release(self):
        if self._later:
            now = ticks_ms()
            while self._later and ticks_diff(now, self._later[0][0]) >= 0:
                self.rx.extend(self._later.pop(0)[1])

    def any(self):
        self._release()
        n = len(self.rx)
        if self.chunk and n > self.chunk:
            n = self.chunk
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

    def read(self, n=None):
        avail = self.any()
        if n is None or n > avail:
            n = avail
        if not n:
            return None
        data = bytes(self.rx[0:n])
        self.rx[0:n] = b""
        return data

    def write(self, buf, off=0, n=None):
        if n is None:
            n = len(buf) - off
        self.tx.extend(bytes(buf[off : off + n]))
        self._match()
        for trigger, reply, delay in self._auto:
            if self.tx.endswith(trigger):
                if delay:
                    now = ticks_ms()
                    self._later.append([ticks_add(now, delay), reply])
                    self._later.sort(key=lambda x: ticks_diff(x[0], now))
                else:
                    self.rx.extend(reply)
        return n

    def _match(self):
        while self._script:
            trigger, parts = self._script[0]
            i = self.tx.find(trigger, self._seen)
            if i < 0:
                return
            self._seen = i + len(trigger)
            self._script.pop(0)
            now = ticks_ms()
            for delay, data in parts:
                if delay:
                    self._later.append([ticks_add(now, delay), data])
                else:
                    self.rx.extend(data)
            self._later.sort(key=lambda x: ticks_diff(x[0], now))

    def take_tx(self):
        """What the driver wrote since the last call."""
        data = bytes(self.tx)
        self.tx = bytearray()
        self._seen = 0
        return data
