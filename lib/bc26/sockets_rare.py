# The methods of the socket table (sockets.Sockets) that a program may never run, loaded on
# first use (Sockets.__getattr__, _compat.lazy): deferred closes and echo after a restart,
# reads given up, data damaged on the wire. They are Sockets methods written as functions of
# self, so they use its state as its own code does; only sockets.py, hexcode.py and bc26.aio
# call them, by the names Sockets declares in its lazy table.

from ._compat import const, ticks_add, ticks_ms
from .errors import BC26Error

_SERVICE_RETRY_MS = const(2000)  # deferred work the module did not answer waits this long


def defer_close(self, sock):
    """Close sock at the next poll that finds the module free (while a command runs)."""
    sock.closed = True
    sock.released = True
    self.closing |= 1 << sock.id


def _service(self):
    todo = self.orphans | self.closing
    try:
        if self.echo_on:
            # A restart turns echo on. The resync it made due ends with ATE0 (resync.py); a
            # module in step already gets ATE0 alone.
            if self.e.stale:
                yield from self.modem.sync_steps(3, 300)  # Modem.ready()
            if self.echo_on:
                # Cleared first, as in the resync (a restart with its OK sets it again).
                self.echo_on = False
                try:
                    yield from self.modem.command_steps(("ATE0",), timeout=self.cmd_timeout)
                except BaseException:
                    self.echo_on = True
                    raise
        for cid in range(5):
            if todo & (1 << cid):
                s = self.table[cid]
                yield from (self.close_steps(cid) if s is None or s.released else self.release_steps(s))
        self._retry_at = -1
    except BC26Error:
        self.service_errors += 1
        self._retry_at = ticks_add(ticks_ms(), _SERVICE_RETRY_MS)


def damage(self):
    # A read's data was damaged or lost on the wire: the reader hears of it.
    self.damaged += 1
    if self._reader is not None:
        self._reader.lost = 2


def abandon_read(self, e):
    """The AT+QIRD in progress is given up (its caller went away): what it has read and
    not handed over is lost, and what it still brings is dropped, both reported."""
    if self._dst is not None and self._got and self._reader is not None:
        self._reader.lost = 2
    self._dst = None
    if self._reader is not None:
        self._reader.pending = True  # the module may hold more
    e.abandon()


def _read_failed(self, sock):
    # Socket.took of an AT+QIRD that did not complete OK, before its error is raised: what
    # it read and did not hand over is lost, and the module may hold more.
    if self._got:
        sock.lost = 2  # read from the module, never handed over
    sock.pending = True


def drop_push(self):
    """The pushed data in progress was damaged on the wire: what it held is lost, and the
    socket says so (a TCP socket keeps the bytes before the damage; a UDP datagram goes
    whole, and a stream takes nothing more until its reader has heard of the gap)."""
    self.damaged += 1
    sock = self._push
    if sock is not None:
        if sock.udp:
            sock.ring.start_datagram(0)  # drop the datagram it began
        sock.ring.dropped += 1
    self._push = None


def on_late_open(self, buf, s, end):
    # A +QIOPEN after its command gave up: if the socket did open, close it later.
    f = self.e.fields
    f.start(s + 8, end)
    cid = f.int(-1)
    if 0 <= cid <= 4 and f.int(-1) == 0 and self.table[cid] is None:
        self.orphans |= 1 << cid
