# asyncio on top of the engine's non-blocking core: sockets, DNS and ping as awaitables that
# never block the event loop, so many coroutines share one module.
#
#     am = bc26.aio.AsyncModem(modem)     # modem started and on the network (sync)
#     await am.start()                    # the task that reads the UART while idle
#     sock = await am.open("TCP", host, port)
#     await sock.send(b"reading 21.5")
#     reply = await sock.recv(64, timeout=5000)
#     await sock.close()
#
# The module runs one AT command at a time, so every command holds an asyncio.Lock from the
# line it sends to its final answer; in between the coroutine awaits, and the others run.
# Commands are begun with Engine.begin() and driven with Engine.step(), which reads what has
# arrived and never waits. While no command runs, a poller task reads the UART and
# dispatches URCs ("recv", "closed", +IP:, ...), then wakes every coroutine that waits for
# news (an Event pulsed after each read). Where the UART can be polled (machine.UART, the
# unix port's socket stand-in) the poller awaits it through asyncio's own select.poll, so
# an idle loop costs nothing; elsewhere (a UART written in Python) it looks every tick_ms.
#
# The logic of each operation is written once, in sockets.py, services.py and modem.py, and
# this layer runs it: operations of several commands (open and the AT+QICLOSE after a
# failure, close, ping, lookup, the resynchronisation after a timeout, the error query behind
# a bare ERROR) as steps, a generator that yields after each command it begins, which
# Modem.drive() runs blocking and _drive() here awaits; the hot paths (AT+QIRD, AT+QISEND) as
# phases that begin a command and interpret its answer, which Socket.recv_into / send call
# around Engine.wait() and this layer around its own step loop. Blocking parts that remain:
# writing to the UART (a UART write blocks until its buffer takes the bytes), and reading the
# module's AT+QICFG values if Modem.start() did not.

import asyncio
import sys

from ._compat import const, ticks_diff, ticks_ms
from .errors import BC26Error, BC26Timeout
from .sockets import BUFFER, TAKE

# limits.py's values (tests_host/test_limits.py checks that they agree).
_WAIT_MAX = const(86400000)

TAKE_READ, TAKE_SYNC, TAKE_RELEASE = TAKE

_EMPTY = bytearray(0)

if sys.implementation.name == "micropython":
    _sleep_ms = asyncio.sleep_ms

    def _within(aw, ms):
        return asyncio.wait_for_ms(aw, ms)

else:  # CPython, for host tests

    async def _sleep_ms(ms):
        await asyncio.sleep(ms / 1000)

    async def _within(aw, ms):
        # Not asyncio.wait_for: nested in a caller's wait_for, CPython 3.11's can swallow
        # the caller's cancellation when its own timeout falls at the same moment (the
        # cancelled open then ran on to its 60 s deadline).
        task = asyncio.ensure_future(aw)
        try:
            done, _ = await asyncio.wait((task,), timeout=ms / 1000)
        finally:
            if not task.done():
                task.cancel()
        if not done:
            raise asyncio.TimeoutError
        return task.result()


class _Started:
    # What AsyncModem.start() returns. CPython awaits through __await__, MicroPython
    # through __iter__; an empty iterator completes the await at once.
    def __init__(self, task):
        self.task = task

    def __await__(self):
        return iter(())

    __iter__ = __await__


class AsyncModem:
    """asyncio access to a Modem: open(), resolve(), ping(), command(); see the top of aio.py.

    tick_ms: how often to look at a UART that asyncio cannot poll (and how often, with no
    poller task, a waiting coroutine reads the UART itself).
    """

    def __init__(self, modem, tick_ms=5):
        self.modem = modem
        self.e = modem.engine
        self.sockets = modem.sockets
        self.lock = asyncio.Lock()
        self.tick_ms = tick_ms
        self.error = None  # the last exception the poller caught (it carries on)
        self._news = asyncio.Event()
        self._round = 0  # pulses so far
        self._task = None
        # bc26.usocket keeps out of the engine while this holds it.
        modem.aio = self

    # --- the poller ------------------------------------------------------------------

    def start(self):
        """Start the poller task (call from a coroutine). Idempotent.

        Both ``am.start()`` and ``await am.start()`` work: the poller runs until stop(), so
        what this returns is not the task (awaiting that would wait for ever) but an
        awaitable that completes at once; its .task is the poller.
        """
        if self._task is None:
            self._task = asyncio.create_task(self._poll())
        return _Started(self._task)

    def stop(self):
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _poll(self):
        e = self.e
        # The engine registers the UART with select.poll when it can be polled natively; a
        # Stream around it then waits in asyncio's own poll. Reading zero bytes consumes
        # nothing: the engine reads the data itself.
        waiter = None
        if e.poller is not None and sys.implementation.name == "micropython":
            waiter = asyncio.StreamReader(e.uart)
        while True:
            if waiter is not None:
                await waiter.readinto(_EMPTY)
            else:
                await _sleep_ms(self.tick_ms)
            try:
                e.poll()
                if not self.lock.locked():
                    work = self.sockets.service(True)  # deferred closes, echo off after a restart
                    if work is not None:
                        async with self.lock:
                            await self._drive(work)
            except Exception as err:  # a bad URC must not end URC delivery
                self.error = err
            self._pulse()

    def _pulse(self):
        # Wake every coroutine waiting in _idle(); set() then clear() wakes those already
        # waiting and leaves the event clear for the next round. The count tells a waiter
        # that news came before its wait was in place.
        self._round += 1
        self._news.set()
        self._news.clear()

    async def _idle(self, ms):
        # Wait up to ms for something to arrive from the module.
        if ms <= 0:
            await _sleep_ms(0)
            return
        if self._task is None:
            await _sleep_ms(ms if ms < self.tick_ms else self.tick_ms)
            self.e.poll()
            return
        try:
            await _within(self._news_since(self._round), ms)
        except asyncio.TimeoutError:
            pass

    async def _news_since(self, seen):
        # The wait runs as a task of its own (wait_for), which starts a round later than
        # the caller looked at the engine: the poller may have read the module's answer
        # ('>', OK) and pulsed in between, and nothing more comes until the caller acts.
        while self._round == seen:
            await self._news.wait()

    # --- commands ------------------------------------------------------------------------

    async def run(self, steps):
        """Run steps (see Modem.drive) under the lock, awaiting the module; their result.

        Any blocking operation written as steps can be awaited this way, for example
        ``await am.run(modem.command_steps(("AT+CSQ",), (b"+CSQ:",)))``.
        """
        async with self.lock:
            return await self._drive(steps)

    async def _drive(self, steps):
        # Modem.drive, awaiting (the caller holds the lock).
        e = self.e
        try:
            while True:
                next(steps)
                while not e.step():
                    await self._idle(e.remaining())
        except StopIteration as done:
            return done.value
        except BaseException:
            e.abandon()  # cancelled while a command runs: it gives up, the engine is free
            raise
        finally:
            steps.close()  # run the steps' cleanup

    async def _complete(self):
        # Drive the begun command until it completes, prompts or times out. A cancelled
        # caller leaves nothing pending: the command gives up (a prompt gets its Esc).
        e = self.e
        try:
            while not e.step():
                await self._idle(e.remaining())
        except BaseException:
            e.abandon()
            raise

    async def _explain(self, err):
        # Modem.explain for a TCP/IP command, awaiting its AT+QIGETERROR.
        await self._drive(self.modem.explain(err, True))

    async def command(self, *parts, expect=None, on_line=None, timeout=1000, trailer=0, tcpip=False):
        """Any command, as Modem.command (parts: bytes, str and int): its collected lines."""
        return await self.run(self.modem.command_steps(parts, expect, on_line, timeout, trailer, tcpip))

    # --- sockets -----------------------------------------------------------------------

    async def open(
        self,
        kind,
        host,
        port,
        local_port=0,
        mode=BUFFER,
        ipv6=False,
        connect_id=None,
        timeout=None,
        rxsize=1024,
    ):
        """AT+QIOPEN, as Modem.open: an AsyncSocket once +QIOPEN reports success."""
        steps = self.sockets.open_steps(kind, host, port, local_port, mode, ipv6, connect_id, timeout, rxsize)
        return AsyncSocket(self, await self.run(steps))

    async def _send(self, sock, data, n):
        # The phases of Socket.send, under the lock.
        e = self.e
        off = 0
        while off < n:
            if sock.released or sock.closed:
                raise BC26Error(567)
            if e.stale:
                await self._drive(self.modem.sync_steps(3, 300))  # Modem.ready()
            try:
                k = sock.qisend(data, off, n)
                await self._complete()
                if k > 0:
                    k = sock.sent(data, off, k)  # the data, after the '>' prompt
                    await self._complete()
                sock.sent(data, off, k)  # SEND OK
                k = -k
            except BC26Error as err:
                e.abandon()  # a UART write that stalled leaves the command pending
                await self._explain(err)
                raise
            off += k
        return n

    async def _take(self, sock, buf, n, due):
        # Socket.take with the module read under the lock, awaiting.
        k = sock.take(buf, n, due, True, False)
        if k == TAKE_SYNC:
            await self._drive(self.modem.sync_steps())  # as Socket.recv_into
            k = sock.take(buf, n, due, True, False)
        if k != TAKE_READ:
            return k
        try:
            await self._complete()
        except BaseException:
            self.sockets.abandon_read(self.e)  # cancelled: the next read raises DataLost
            raise
        try:
            return sock.took(self.sockets, self.e)
        except BC26Error as err:
            await self._explain(err)
            raise

    # --- services ----------------------------------------------------------------------

    async def resolve(self, host, timeout=60000):
        """AT+QIDNSGIP, as Modem.resolve: (addresses, ttl); 564/565 raise BC26Error."""
        from .services import resolve_steps

        return await self.run(resolve_steps(self.modem, host, timeout))

    async def ping(self, host, timeout=4, count=4, size=32):
        """AT+QPING, as Modem.ping: (replies, summary). The module is busy until it ends."""
        from .services import ping_steps

        return await self.run(ping_steps(self.modem, host, timeout, count, size))


class AsyncSocket:
    """A bc26 Socket (.sock) driven through an AsyncModem: send, recv, close awaitables."""

    def __init__(self, am, sock):
        self.am = am
        self.sock = sock

    def __repr__(self):
        return "<AsyncSocket %r>" % self.sock

    async def send(self, data):
        """Send all of data (bytes-like or str); returns len(data). SEND FAIL raises."""
        if type(data) is not bytes and type(data) is not bytearray:
            from .checks import as_bytes  # a str, a memoryview, an array of samples

            data = as_bytes(data)
        n = len(data)
        if not n:
            return 0
        async with self.am.lock:
            return await self.am._send(self.sock, data, n)

    sendall = send

    async def recv_into(self, buf, nbytes=0, timeout=-1):
        """As Socket.recv_into: the count, 0 at end of stream, None with timeout=0 and
        nothing there; BC26Timeout after timeout ms (-1: sock.timeout, None: no limit)."""
        s = self.sock
        am = self.am
        n = len(buf)
        if 0 < nbytes < n:
            n = nbytes
        if timeout == -1:
            timeout = s.timeout
        if timeout is not None and not 0 <= timeout <= _WAIT_MAX:
            raise ValueError("timeout must be 0..%d ms or None" % _WAIT_MAX)
        if n == 0:
            return 0
        t0 = ticks_ms()
        last = t0
        while True:
            # Socket.take's phases: the lock only when the module is to be read (and read
            # now and then anyway, as the blocking recv does).
            due = ticks_diff(ticks_ms(), last) >= s.poll_ms
            k = s.take(buf, n, due, False, False)  # never waits: -1 (read due) or -3 (release)
            if k == TAKE_READ:
                async with am.lock:
                    k = await am._take(s, buf, n, due)
                last = ticks_ms()
            if k == TAKE_RELEASE:
                await am.run(s.sockets.release_steps(s))
                return 0
            if k is not None:
                return k
            if timeout == 0:
                return None
            left = -1 if timeout is None else timeout - ticks_diff(ticks_ms(), t0)
            if timeout is not None and left <= 0:
                raise BC26Timeout("recv: no data on socket %d" % s.id)
            if s.readable():
                continue
            await am._idle(s.poll_ms if left < 0 or left > s.poll_ms else left)

    async def recv(self, n, timeout=-1):
        """Like recv_into, returning bytes (b"" at end of stream, None with timeout=0)."""
        buf = bytearray(n)
        k = await self.recv_into(buf, n, timeout)
        if k is None:
            return None
        return bytes(buf) if k == n else bytes(buf[:k])

    async def close(self):
        """AT+QICLOSE; closing twice does nothing."""
        s = self.sock
        if s.closed:
            return
        s.closed = True
        try:
            await self.am.run(s.sockets.release_steps(s))
        except BaseException:
            if not s.released:
                s.sockets.defer_close(s)  # cancelled before its AT+QICLOSE began: the next poll's
            raise

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()
