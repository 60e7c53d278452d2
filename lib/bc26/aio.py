# asyncio on top of the engine's non-blocking core: sockets, DNS and ping as awaitables that
# never block the event loop, so many coroutines share one module.
#
#     am = bc26.aio.AsyncModem(modem)     # modem started and on the network (sync)
#     am.start()                          # the task that reads the UART while idle
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
# This mirrors the blocking code of sockets.py and services.py step by step (open, send,
# read, close, ping, lookup), reusing their line handlers; a change there belongs here too.
# Blocking parts that remain: writing to the UART (a UART write blocks until its buffer
# takes the bytes), and reading the module's AT+QICFG values if Modem.start() did not.

import asyncio
import sys
from binascii import hexlify

from ._compat import ticks_diff, ticks_ms
from .engine import PROMPTED, TIMEOUT
from .errors import BC26Error, BC26Timeout, DataLost, SendFailed
from .sockets import _QIRD, _SEND, BUFFER, _inline_kind

_EMPTY = bytearray(0)

if sys.implementation.name == "micropython":
    _sleep_ms = asyncio.sleep_ms

    def _within(aw, ms):
        return asyncio.wait_for_ms(aw, ms)

else:  # CPython, for host tests

    async def _sleep_ms(ms):
        await asyncio.sleep(ms / 1000)

    def _within(aw, ms):
        return asyncio.wait_for(aw, ms / 1000)


class AsyncModem:
    """asyncio access to a Modem: open(), resolve(), ping(), command(); see the top of aio.py.

    tick_ms: how often to look at a UART that asyncio cannot poll (and how often, with no
    poller task, a waiting coroutine reads the UART itself).
    """

    def __init__(self, modem, tick_ms=5):
        self.modem = modem
        self.e = modem.engine
        self.net = modem.net
        self.lock = asyncio.Lock()
        self.tick_ms = tick_ms
        self.error = None  # the last exception the poller caught (it carries on)
        self._news = asyncio.Event()
        self._task = None
        # bc26.usocket keeps out of the engine while this holds it.
        modem.aio = self

    # --- the poller ------------------------------------------------------------------

    def start(self):
        """Start the poller task (call from a coroutine); returns it. Idempotent."""
        if self._task is None:
            self._task = asyncio.create_task(self._poll())
        return self._task

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
        if e._poller is not None and sys.implementation.name == "micropython":
            waiter = asyncio.StreamReader(e.uart)
        while True:
            if waiter is not None:
                await waiter.readinto(_EMPTY)
            else:
                await _sleep_ms(self.tick_ms)
            try:
                e.poll()
                if not self.lock.locked():
                    work = self.net.service(True)  # deferred closes, echo off after a restart
                    if work is not None:
                        async with self.lock:
                            await self._drive(work)
            except Exception as err:  # a bad URC must not end URC delivery
                self.error = err
            self._pulse()

    def _pulse(self):
        # Wake every coroutine waiting in _idle(); set() then clear() wakes those already
        # waiting and leaves the event clear for the next round.
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
            await _within(self._news.wait(), ms)
        except asyncio.TimeoutError:
            pass

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
        finally:
            steps.close()  # cancelled: run the steps' cleanup

    async def _complete(self):
        # Drive the begun command until it completes, prompts or times out.
        e = self.e
        while not e.step():
            await self._idle(e.remaining())

    async def _run(
        self, expect=None, on_line=None, timeout=1000, trailer=0, tcpip=False, data=None, quote=False
    ):
        e = self.e
        e.begin(expect, on_line, timeout, trailer, False, False, data, quote)
        await self._complete()
        try:
            return e.finish()
        except BC26Error as err:
            if tcpip:
                await self._explain(err)
            raise

    async def _explain(self, err):
        # Modem._explain for a TCP/IP command, awaiting its AT+QIGETERROR.
        await self._drive(self.modem._explain(err, True))

    async def _ready(self):
        # Modem.ready(): after a timeout, resynchronise first.
        if self.e.stale:
            await self._drive(self.modem.sync_steps(3, 200))

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
        steps = self.net.open_steps(kind, host, port, local_port, mode, ipv6, connect_id, timeout, rxsize)
        return AsyncSocket(self, await self.run(steps))

    async def _send(self, sock, data):
        # As Socket.send, under the lock: inline AT+QISEND for short printable data, the
        # fixed-length data mode for the rest, in pieces within the manual's limits.
        net = self.net
        n = len(data)
        inline_max = 512 if net.send_hex else 1024
        data_max = 730 if net.send_hex else 1460
        off = 0
        while off < n:
            if sock.released or sock.closed:
                raise BC26Error(567)
            left = n - off
            try:
                if left <= inline_max:
                    kind = 1 if net.send_hex else _inline_kind(data, off, n)
                    if kind:
                        await self._send_inline(sock, data, off, left, kind == 2)
                        return n
                k = left if left < data_max else data_max
                await self._send_data(sock, data, off, k)
                off += k
            except SendFailed as err:
                err.sent = off
                raise
        return n

    def _payload(self, data, off, n):
        payload = data if off == 0 and n == len(data) else memoryview(data)[off : off + n]
        return hexlify(payload) if self.net.send_hex else payload

    async def _send_inline(self, sock, data, off, n, quote):
        net = self.net
        e = self.e
        await self._ready()
        e.cmd(b"AT+QISEND=")
        e.put_int(sock.id)
        e.put(b",")
        e.put_int(n)
        e.put(b",")
        await self._run(
            _SEND, net._send_line, net.cmd_timeout, net.send_timeout, True, self._payload(data, off, n), quote
        )
        if e.matched == 1:
            raise SendFailed(0)

    async def _send_data(self, sock, data, off, n):
        net = self.net
        e = self.e
        await self._ready()
        e.cmd(b"AT+QISEND=")
        e.put_int(sock.id)
        e.put(b",")
        e.put_int(n)
        e.begin(_SEND, net._send_line, net.cmd_timeout, net.send_timeout, True)
        await self._complete()
        if e.state != PROMPTED:
            if e.result == TIMEOUT:  # a late prompt would leave the module in data mode
                e.write(b"\x1b")
            try:
                e.finish()
            except BC26Error as err:
                await self._explain(err)
                raise
            raise BC26Error(None, "no data prompt")
        payload = self._payload(data, off, n)
        if net.echomode:
            e.take(len(payload), net._discard, e.read_pos())
        e.write(payload)
        e.resume(net.cmd_timeout + n, net.send_timeout)
        await self._complete()
        try:
            e.finish()
        except BC26Error as err:
            await self._explain(err)
            raise
        if e.matched == 1:
            raise SendFailed(0)

    async def _read(self, sock, buf, n):
        # One AT+QIRD into buf, under the lock: the count (0: the module holds nothing).
        net = self.net
        e = self.e
        await self._ready()
        if n > 512:
            n = 512
        e.cmd(b"AT+QIRD=")
        e.put_int(sock.id)
        e.put(b",")
        e.put_int(n)
        net._dst = buf
        net._got = 0
        try:
            await self._run(_QIRD, net._on_qird, net.cmd_timeout + 2 * n, 0, True)
        finally:
            net._dst = None
        return net._got

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
        if isinstance(data, str):
            data = data.encode()
        if not len(data):
            return 0
        async with self.am.lock:
            return await self.am._send(self.sock, data)

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
        if n == 0:
            return 0
        t0 = ticks_ms()
        last = t0
        while True:
            if s.closed:
                raise BC26Error(567)
            ring = s.ring
            if ring is not None and ring.readable():
                return ring.readinto(buf, n)
            if s.released and not s.remote_closed:
                raise BC26Error(567)
            due = ticks_diff(ticks_ms(), last) >= s.poll_ms
            if s.mode == BUFFER and not s.released and (s.pending or s.remote_closed or due):
                # Read until +QIRD: 0 whenever data was announced (buffer mode sends no new
                # "recv" URC before that), and now and then anyway. The flag is cleared
                # before the read: a "recv" URC that comes with the empty answer sets it again.
                async with am.lock:
                    s.pending = False
                    k = 0 if s.released else await am._read(s, buf, n)
                last = ticks_ms()
                if k:
                    s.pending = True
                    return k
            if ring is not None and ring.dropped:
                s.lost = True
                ring.dropped = 0
            if s.lost:
                s.lost = False
                if not s.udp:
                    raise DataLost("socket %d (%d x buff full)" % (s.id, s.buff_full))
            if s.remote_closed:
                await am.run(s.net.release_steps(s))
                return 0
            if timeout == 0:
                return None
            left = -1 if timeout is None else timeout - ticks_diff(ticks_ms(), t0)
            if timeout is not None and left <= 0:
                raise BC26Timeout("recv: no data on socket %d" % s.id)
            if s._ready():
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
        await self.am.run(s.net.release_steps(s))

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()
