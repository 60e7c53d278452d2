# The Engine's methods that a program may never run, loaded on first use (Engine.__getattr__,
# _compat.lazy): giving up a command, paying owed trailers, the at_ok hook, the user's
# listeners, URC handlers added after Modem(), feeding the receiver without a UART. (The quiet
# wait of a resync is in resync.py: the sync after every restart runs it, and nothing here.)
# They are Engine methods written as functions of self, so they use its state as its own code
# does; only engine.py calls the private ones. Every method costs heap whether it runs or not:
# these are what a sensor node that never meets trouble does not keep. (Nothing a tidy stream
# runs belongs here: a method loaded in the middle of one would grow the heap there, which the
# soak forbids.)

from ._compat import const, ticks_add, ticks_diff, ticks_ms

# engine.py's numbers (tests_host/test_limits.py checks that the two agree).
_SPACE = const(32)
_IDLE = const(0)
_WAIT_PROMPT = const(1)
_WAIT_FINAL = const(2)
_WAIT_TRAILER = const(3)
_PROMPTED = const(4)
_DONE = const(5)
# How much longer than its own wait a trailer that a command gave up on is still expected.
_OWED_GRACE = const(5000)
_TIMEOUT = const(3)


def on(self, prefix, handler, rest=None, listen=False):
    """Call handler(buf, start, end) for every unsolicited line starting with prefix.

    handler may also be (object, "method name"), looked up the first time such a line
    comes, so that a method which lives in a module loaded on first use is loaded then.

    Spaces after the first ':' are optional on the wire: b'+QIURC:"recv"' also matches
    '+QIURC: "recv"'. ``end`` excludes the line end. A later registration of the same
    prefix replaces the earlier one: this is the library's own table (a user's handler
    goes beside it, with listen()). (The library's own URCs are in Modem.__init__'s
    table; power.py adds the PSM ones here while PSM is watched.)
    """
    head = prefix
    if rest is None:
        rest = b""
        k = prefix.find(b":")
        if 0 <= k < len(prefix) - 1:
            head = prefix[: k + 1]
            rest = prefix[k + 1 :].lstrip()
    if listen:
        if self._listeners is None:
            self._listeners = []
        self._listeners.append((head, rest, handler))
        return
    owner = None
    if type(handler) is tuple:
        owner, handler = handler
    entry = (head, rest, handler, owner)
    urcs = self.urcs
    for i in range(len(urcs)):
        if urcs[i][0] == head and urcs[i][1] == rest:
            urcs[i] = entry
            return
    # Before the first shorter prefix, so '+QIURC:"recv"' is tried before a bare '+QIURC:'.
    i = 0
    while i < len(urcs) and len(urcs[i][0]) + len(urcs[i][1]) >= len(head) + len(rest):
        i += 1
    urcs.insert(i, entry)


def feed(self, data):
    """Receive data (bytes-like) as if the UART had sent it, and dispatch what it completes.

    The receiver without a UART behind it: tests drive the framing, counted data and URC
    dispatch with it (the engine reads its UART too, which may be one that never has
    anything), and so may a caller whose bytes come from elsewhere. A pending command is
    not stepped (step() does that: its deadlines)."""
    size = self._size
    off = 0
    n = len(data)
    while off < n:
        w = self._w
        if self._r >= w:
            self._r = self._w = self._scan = w = 0
        elif w == size and self._compact():
            w = self._w
        k = size - w
        if k > n - off:
            k = n - off
        if k > 0:
            self.buf[w : w + k] = data[off : off + k]
            self._w = w + k
            off += k
        # A buffer full of one record that has no end: the record loop drops it.
        self._process()


def listen(self, prefix, handler):
    """Also call handler(buf, start, end) for every unsolicited line starting with prefix
    (spaces after its ':' optional, as with on()).

    Listeners hear a line after the library has handled it, so they can never take a URC
    away from the library ("closed" still closes the socket); several may share a prefix.
    """
    if not isinstance(prefix, (bytes, bytearray)) or not prefix:
        raise TypeError("prefix must be non-empty bytes")
    self.on(bytes(prefix), handler, None, True)


def _tell(self, s, e):
    # The user's listeners for the line buf[s:e]; True if one heard it.
    heard = False
    buf = self.buf
    for head, rest, handler in self._listeners:
        if buf.startswith(head, s):
            p = s + len(head)
            while p < e and buf[p] == _SPACE:
                p += 1
            if buf.startswith(rest, p):
                handler(buf, s, e)
                heard = True
    return heard


def _drop_data(self):
    # Counted data the module stopped sending: its owner hears that the rest is lost
    # (Engine.take: sink(None, 0, 0)).
    sink = self._sink if self._count else None
    self._count = 0
    self._quote = 0
    self._lf = False
    self._sink = None
    self._counting = False
    if sink is not None:
        self.truncated += 1
        sink(None, 0, 0)


def _cut(self, q):
    # A sink found its data damaged at buf index q (Engine.take): the module stopped printing
    # it and printed something else there (a boot banner after a restart, the next record
    # after a dropped byte). The data ends at q and records are read again from q, so what
    # the module printed instead is seen, never counted as data.
    if self._count:
        self.truncated += 1
    self._sink = None  # it knows already
    self._drop_data()
    self._r = self._scan = q


def _give_up(self):
    # The pending command is given up (its deadline passed, or its caller went away):
    # whatever it may still answer must not be taken for the next command's answer.
    st = self.state
    exp = self._expect
    if st == _WAIT_PROMPT or st == _PROMPTED:
        # A prompt that came, or comes late, would take the next command line for data:
        # Esc ends the Ctrl+Z form without sending anything; a fixed length gets its data
        # (Engine.due), now or when its prompt comes (the resync waits for it first).
        d = self.due
        if d[0] is None:
            if not self.uart.write(b"\x1b"):
                # The UART is stalled (the payload's write gave up so): the module would stay in
                # data mode and take the resync's ATs for data. The resync writes it first.
                d[8] = b"\x1b"
        else:
            d[4] = exp
            d[5] = self._trailer_ms
            # Settled first: a UART that stalls the payment too leaves a command that gave
            # up, not one still prompted.
            self.stale = True
            self.state = _DONE
            self.result = _TIMEOUT
            if st == _PROMPTED:
                self._pay_due()
            return
    if (
        self._trailer_ms
        and self._taken
        and (st == _WAIT_FINAL or st == _WAIT_TRAILER)
        and exp is not None
        and exp[0][0] != 43
        and not self._paid
    ):
        # SEND OK / CLOSE OK carry no connectID: once the module took the command, the
        # next one is this command's. (Not when this wait took a debt in its place: then
        # ours was the one that came.)
        if self._owed is None:
            self._owed = []
        self._owed.append([exp, ticks_add(ticks_ms(), self._trailer_ms + _OWED_GRACE)])
    self.stale = True
    self.state = _DONE
    self.result = _TIMEOUT


def _pay_due(self):
    # The data a fixed-length send that gave up still owes its '>': written whole (data the
    # module takes in place of our next command line would be worse), and its SEND OK /
    # SEND FAIL owed in turn, so that it is never taken for the next send's.
    d = self.due
    data = d[0]
    d[0] = None
    if d[6]:
        # echomode 1: the module repeats the data, which is no record: were it parsed, a
        # payload holding '+QIURC: "closed",0' would close a socket.
        self.take(2 * d[2] if d[3] is not None else d[2], _echo, -2)
    # Owed before the payment goes out: a UART that stalls it leaves the trailer counted.
    if self._owed is None:
        self._owed = []
    self._owed.append([d[4], ticks_add(ticks_ms(), d[5] + _OWED_GRACE)])
    w = self.wrote
    try:
        if d[7]:
            # The module took bytes for the first of the data already: a resync's ATs that
            # went out before the '>' came, or the part of the payload a stalled write put
            # out. What is left gets filler ('0' is a hex digit too), so that the module
            # leaves data mode; the payload is damaged either way.
            n = (2 * d[2] if d[3] is not None else d[2]) - d[7]
            while n > 0:
                k = n if n < 16 else 16
                self.write(_FILLER, 0, k)
                n -= k
        elif d[3] is not None:
            d[3].hex_out(data, d[1], d[2])
        else:
            self.write(data, d[1], d[2])
    except BaseException:
        # The payment stalled too: the debt stays (d[4]), and what went out is counted, so
        # that the resync's ATs, which the module takes for the rest, are counted on.
        d[7] += self.wrote - w
        raise
    d[4] = None


_FILLER = b"0000000000000000"


def _echo(mv, s, e):
    pass


def _pay(self, s, e):
    # A trailer that a command which gave up still owed: dropped (True), in order.
    owed = self._owed
    now = ticks_ms()
    while owed and ticks_diff(owed[0][1], now) <= 0:
        owed.pop(0)  # overdue: it is not coming any more
    if not owed:
        self._owed = None
        return False
    for prefix in owed[0][0]:
        if self.buf.startswith(prefix, s) and e - s == len(prefix):
            owed.pop(0)
            if not owed:
                self._owed = None
            self.late += 1
            self._paid = True
            return True
    return False


def shorten(self, ms):
    """Let the pending command's current wait end within ms from now, if it ends later."""
    soon = ticks_add(ticks_ms(), ms)
    if ticks_diff(self._deadline, soon) > 0:
        self._deadline = soon


def _ok_now(self):
    # The pending command's OK: its at_ok runs before any record after it is read.
    fn = self.at_ok
    self.at_ok = None
    fn()


# The engine's queries that no read or send runs: loaded with the first caller (bc26.aio, the
# socket module, a deferred close).


def busy(self):
    """Whether a command is pending (begun and not yet finished)."""
    st = self.state
    return st != _IDLE and st != _DONE


def remaining(self):
    """ms until the pending command's current wait ends."""
    return ticks_diff(self._deadline, ticks_ms())


def wait(self):
    """Block until the pending command completes, prompts or times out: step(True), which the
    library's own loops call directly."""
    self.step(True)
