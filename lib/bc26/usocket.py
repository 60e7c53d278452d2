# A stand-in for MicroPython's socket module over the module's sockets, so that socket users
# written for WiFi (umqtt.simple, umqtt.robust, requests, asyncio streams) run unmodified:
#
#     import bc26, bc26.usocket
#     modem = bc26.Modem(uart); modem.start(); modem.wait_network()
#     bc26.usocket.install(modem)          # before the client library is imported
#     from umqtt.simple import MQTTClient  # its "import socket" now gets this module
#
# It follows MicroPython's socket semantics, not CPython's: sockets are streams; read(n),
# readinto(buf) and write(buf) on a blocking socket move all n bytes (short only at end of
# stream); in non-blocking mode the stream methods return None when they would block while
# recv/recv_into/send raise OSError(EAGAIN); a timeout raises OSError(ETIMEDOUT); end of
# stream is b"" (0 from readinto). Errors are OSError with the errno a socket user expects;
# the module's own code and text are in the message.
#
# Each socket is a bc26 Socket (sockets.py) in buffer access mode by default: the module keeps
# received data until asked (AT+QIRD), so nothing is lost however slowly the application
# reads. Small reads go through a 256-byte read-ahead, so umqtt's read(1)/read(2) and
# requests' readline() cost one AT+QIRD per 256 bytes, not one per call. The socket is an
# io.IOBase subclass whose ioctl(MP_STREAM_POLL) reads the UART first, so select.poll and
# asyncio streams see data the moment the module announces it.
#
# Two things block where a WiFi socket would not: connect() waits for +QIOPEN even on a
# non-blocking socket (it never raises EINPROGRESS), and every send waits for SEND OK. The
# module runs one AT command at a time; while bc26.aio holds it, these calls return None or
# raise OSError(EAGAIN) instead of waiting.

import sys

from ._compat import const
from .dataerrors import SendFailed
from .errors import BC26Error, BC26Timeout
from .sockets import BUFFER

if sys.implementation.name == "micropython":
    from io import IOBase
else:  # CPython's IOBase adds closing on garbage collection and a read-only .closed
    IOBase = object

# Public names: a socket module has them (so no const(), which would hide them).
AF_INET = 2
AF_INET6 = 10
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOCK_RAW = 3
IPPROTO_IP = 0
IPPROTO_TCP = 6
IPPROTO_UDP = 17
SOL_SOCKET = 1
SO_REUSEADDR = 2
SO_KEEPALIVE = 9
TCP_NODELAY = 1

# errno values (py/mperrno.h, the same as Linux).
_EIO = const(5)
_EBADF = const(9)
_EAGAIN = const(11)
_ENOMEM = const(12)
_EINVAL = const(22)
_EAFNOSUPPORT = const(97)
_ECONNRESET = const(104)
_EISCONN = const(106)
_ENOTCONN = const(107)
_ETIMEDOUT = const(110)
_ECONNREFUSED = const(111)
_EHOSTUNREACH = const(113)
_EAI_NONAME = const(-2)  # getaddrinfo errors are negative, as on the ESP32 port

# ioctl requests and poll flags (py/stream.h).
_FLUSH = const(1)
_POLL = const(3)
_CLOSE = const(4)
_RD = const(0x01)
_WR = const(0x04)
_ERR = const(0x08)
_HUP = const(0x10)

_AHEAD = const(256)  # read-ahead for small reads and readline


def _errno(err):
    # The errno a socket user expects for a module error (BC26Error.code, 550-574).
    c = err.code
    if c == 566:  # Socket connection failed
        return _ECONNREFUSED
    if c == 567:  # Socket has been closed
        return _ENOTCONN
    if c == 569 or c == 110:  # Operation timeout
        return _ETIMEDOUT
    if c == 553 or c == 563:  # Memory not enough; the connectID is in use (all five are)
        return _ENOMEM
    if c == 552:
        return _EINVAL
    if c == 561 or c == 570:  # PDP context failed / broke down: no network
        return _EHOSTUNREACH
    if isinstance(err, SendFailed):
        return _ECONNRESET
    return _EIO


def _oserror(err):
    if isinstance(err, BC26Timeout):
        return err  # already OSError(ETIMEDOUT)
    return OSError(_errno(err), str(err))


def _is_ipv4(host):
    parts = host.split(".")
    if len(parts) != 4:
        return False
    for p in parts:
        if not p or not p.isdigit() or int(p) > 255:
            return False
    return True


class SocketPool:
    """A modem's sockets as a socket module: getaddrinfo(), socket() and the constants.

    install() makes one and puts this module in sys.modules; Adafruit libraries take a pool
    object directly (adafruit_requests.Session(pool), MQTT(..., socket_pool=pool)).
    mode: bc26.BUFFER (default) or bc26.PUSH for new sockets; rxsize: a push-mode socket's
    buffer; max_wait_ms: a ceiling on blocking waits for data (None: wait as long as the
    peer takes, as on other ports). coalesce: bytes of a per-socket buffer that gathers TCP
    writes into one AT+QISEND (0: off, each write is sent at once). Held bytes go out before
    the socket waits for data, on poll, flush() and close(): right for request/response
    clients (requests sends a header in ten writes, then reads). Leave it off for umqtt: a
    QoS 0 publish would wait for the next read, and a failed send would surface in
    wait_msg(), where umqtt.robust reconnects and then waits for a reply to a message it
    never sent again.
    """

    AF_INET = AF_INET
    AF_INET6 = AF_INET6
    SOCK_STREAM = SOCK_STREAM
    SOCK_DGRAM = SOCK_DGRAM
    IPPROTO_TCP = IPPROTO_TCP
    IPPROTO_UDP = IPPROTO_UDP

    def __init__(self, modem, mode=BUFFER, rxsize=1024, max_wait_ms=None, coalesce=0):
        self.modem = modem
        self.mode = mode
        self.rxsize = rxsize
        self.max_wait_ms = max_wait_ms
        self.coalesce = coalesce

    def getaddrinfo(self, host, port, af=0, type=0, proto=0, flags=0):
        """[(AF_INET or AF_INET6, type, proto, "", (address, port))], one per address
        (AT+QIDNSGIP); af AF_INET or AF_INET6 keeps only that family."""
        if isinstance(host, (bytes, bytearray)):
            host = bytes(host).decode()
        if _is_ipv4(host) or ":" in host:  # an address, IPv4 or IPv6
            addrs = (host,)
        else:
            if _busy(self.modem):
                raise OSError(_EAGAIN)
            try:
                addrs = self.modem.resolve(host)[0]
            except BC26Error as err:
                if err.code in (564, 565):  # DNS busy / parse failed
                    raise OSError(_EAI_NONAME, str(err))
                raise _oserror(err)
        t = type or SOCK_STREAM
        out = [
            (AF_INET6 if ":" in a else AF_INET, t, proto, "", (a, port))
            for a in addrs
            if not af or (af == AF_INET6) == (":" in a)
        ]
        if not out:
            raise OSError(_EAI_NONAME)
        return out

    def socket(self, af=AF_INET, type=SOCK_STREAM, proto=0):
        return socket(af, type, proto, self)


_pool = None


def install(modem, mode=BUFFER, rxsize=1024, max_wait_ms=None, coalesce=0):
    """Make "import socket" and "import usocket" give this module, its sockets on modem.

    Call it before importing the client library (umqtt, requests): a module that already
    imported the built-in socket keeps it. Returns the SocketPool (see there for the rest).
    """
    global _pool
    _pool = SocketPool(modem, mode, rxsize, max_wait_ms, coalesce)
    me = sys.modules[__name__]
    for name in ("socket", "usocket"):
        was = sys.modules.get(name)
        if was is not me:
            _replaced[name] = was
        sys.modules[name] = me
    return _pool


_replaced = {}


def uninstall():
    """Undo install() (modules imported meanwhile keep this one)."""
    global _pool
    _pool = None
    me = sys.modules[__name__]
    for name in ("socket", "usocket"):
        if sys.modules.get(name) is me:
            was = _replaced.pop(name, None)
            if was is None:
                del sys.modules[name]
            else:
                sys.modules[name] = was


def _need():
    if _pool is None:
        raise RuntimeError("call bc26.usocket.install(modem) first")
    return _pool


def getaddrinfo(host, port, af=0, type=0, proto=0, flags=0):
    return _need().getaddrinfo(host, port, af, type, proto, flags)


def _reclaim(net):
    # Out of connectIDs: free those whose peer has closed, or whose last read failed (a
    # timeout). Their data is lost, but a socket a client abandoned without close() after
    # an error (umqtt.robust reconnects so, requests drops it) would otherwise hold its
    # connectID for good: MicroPython runs no finaliser that would close it.
    freed = False
    for s in net.table:
        if s is not None and not s.released and (s.remote_closed or getattr(s, "failed", False)):
            try:
                net.modem.drive(net.release_steps(s))
                freed = True
            except OSError:
                pass
    return freed


def _busy(modem):
    # The engine runs one command at a time: an asyncio command (bc26.aio) may be halfway.
    if modem.engine.busy():
        return True
    aio = getattr(modem, "aio", None)
    return aio is not None and aio.lock.locked()


class socket(IOBase):  # type: ignore  (IOBase is object on CPython: a union to pyright)
    """A TCP or UDP socket on the module; socket(af, type, proto) as in MicroPython."""

    def __init__(self, af=AF_INET, type=SOCK_STREAM, proto=0, pool=None):
        super().__init__()
        if af != AF_INET and af != AF_INET6:
            raise OSError(_EAFNOSUPPORT)
        if type != SOCK_STREAM and type != SOCK_DGRAM:
            raise OSError(_EINVAL)
        self._pool = pool or _need()
        self._ipv6 = af == AF_INET6
        self._udp = type == SOCK_DGRAM
        self._s = None  # the bc26 Socket, once connected
        self._peer = None
        self._local = 0
        self._ms = None  # None: blocking; 0: non-blocking; else a timeout in ms
        self._closed = False
        self._ahead = None  # read-ahead buffer, made on the first small read
        self._mv = None
        self._r = 0
        self._w = 0
        self._out = None  # coalesced writes not sent yet (SocketPool coalesce)
        self._held = 0

    def __repr__(self):
        return "<bc26 socket %s %s>" % ("UDP" if self._udp else "TCP", self._s)

    # --- setup -----------------------------------------------------------------------

    def settimeout(self, t):
        """None: block; 0: non-blocking; t > 0: OSError(ETIMEDOUT) after t seconds (at most
        a day: a board's clock cannot time a longer wait)."""
        if t is None:
            self._ms = None
            return
        if not 0 <= t <= 86400:  # also refuses nan; inf is a day
            if t == float("inf"):
                t = 86400
            else:
                raise ValueError("timeout must be 0..86400 s or None")
        # Rounded up: a timeout under a millisecond is still one (0 is non-blocking).
        self._ms = int(t * 1000) or (1 if t else 0)

    def setblocking(self, flag):
        self._ms = None if flag else 0

    def setsockopt(self, *args):
        pass

    def makefile(self, mode="rb", buffering=0):
        return self

    def bind(self, addr):
        """Only the local port is used (AT+QIOPEN's <local_port>)."""
        self._local = addr[1]

    def connect(self, addr, conntype=None):
        """AT+QIOPEN to addr = (host, port); waits for +QIOPEN even when non-blocking."""
        if self._closed:
            raise OSError(_EBADF)
        if self._s is not None:
            raise OSError(_EISCONN)
        host = addr[0]
        if isinstance(host, (bytes, bytearray)):
            host = bytes(host).decode()
        port = addr[1]
        p = self._pool
        m = p.modem
        if _busy(m):
            raise OSError(_EAGAIN)
        ms = self._ms or None  # non-blocking: the module's own limit, as with no timeout
        kind = "UDP" if self._udp else "TCP"
        # AT+QIOPEN's <protocol_type>: an address says which; a name goes by the socket's family.
        v6 = ":" in host or (self._ipv6 and not _is_ipv4(host))
        try:
            try:
                self._s = m.open(kind, host, port, self._local, p.mode, v6, None, ms, p.rxsize)
            except BC26Error as err:
                if err.code != 563 or not _reclaim(m.sockets):
                    raise
                self._s = m.open(kind, host, port, self._local, p.mode, v6, None, ms, p.rxsize)
        except BC26Error as err:
            raise _oserror(err)
        self._peer = (host, port)

    def getpeername(self):
        return self._peer

    # --- receiving -------------------------------------------------------------------

    def _live(self):
        s = self._s
        if s is None:
            raise OSError(_EBADF if self._closed else _ENOTCONN)
        return s

    def _pump(self):
        # Read what the module sent and dispatch it (the "recv" and "closed" URCs).
        m = self._pool.modem
        if _busy(m):
            m.engine.poll()
        else:
            m.poll()

    def _fetch(self, buf, n):
        # One read from the module into buf: the count, 0 at end of stream, None if
        # non-blocking and nothing is there. A timeout raises OSError(ETIMEDOUT).
        s = self._live()
        ms = self._ms
        m = self._pool.modem
        if _busy(m):
            if ms == 0:
                m.engine.poll()
                return None
            raise OSError(_EAGAIN)
        if self._held:
            self._flush()  # the peer may be waiting for what we hold
        if ms is None:
            ms = self._pool.max_wait_ms
        elif ms == 0:
            m.poll()
        try:
            return s.recv_into(buf, n, ms)
        except BC26Timeout as err:
            s.failed = True  # kept for its user, but reclaimed if the connectIDs run out
            raise _oserror(err)
        except BC26Error as err:
            # Data lost, or the connection gone: a stream with a hole cannot go on, so the
            # connectID is freed now (as after a failed send).
            self._s = None
            self._let_go(s)
            raise _oserror(err)

    def _get(self, buf, off, n):
        # Up to n bytes into buf[off:], read-ahead first: count, 0 (end), None (would block).
        r = self._r
        w = self._w
        if r == w:
            if n >= _AHEAD or self._udp:
                return self._fetch(memoryview(buf)[off:] if off else buf, n)
            k = self._fill()
            if not k:
                return k
            r = 0
            w = k
        k = w - r
        if k > n:
            k = n
        buf[off : off + k] = self._mv[r : r + k]
        self._r = r + k
        return k

    def _fill(self):
        if self._ahead is None:
            self._ahead = bytearray(_AHEAD)
            self._mv = memoryview(self._ahead)
        self._r = self._w = 0
        k = self._fetch(self._ahead, _AHEAD)
        if k:
            self._w = k
        return k

    def _keep(self, data, k):
        # A wait that raises after part of a read came (a timeout, or EAGAIN while bc26.aio
        # holds the module) leaves the socket usable: those k bytes are the stream's next,
        # and the next read gets them first (dropped, the stream went on past a hole). The
        # read-ahead is empty then: the wait began because it was.
        if not k or self._s is None:  # nothing came, or the read lost data: no stream to keep
            return
        if self._ahead is None or len(self._ahead) < k:
            self._ahead = bytearray(k if k > _AHEAD else _AHEAD)
            self._mv = memoryview(self._ahead)
        self._mv[:k] = memoryview(data)[:k]
        self._r = 0
        self._w = k

    def readinto(self, buf, nbytes=None):
        """Fill buf (or its first nbytes): all of it unless the stream ends (blocking);
        what is there, or None, when non-blocking. 0 at end of stream."""
        n = len(buf)
        if nbytes is not None and 0 <= nbytes < n:  # a negative count: no limit, as MicroPython
            n = nbytes
        got = 0
        while got < n:
            try:
                k = self._get(buf, got, n - got)
            except OSError:
                self._keep(buf, got)
                raise
            if k is None:
                return got or None
            if not k:
                break
            got += k
            if self._udp:
                break
        return got

    def read(self, n=-1):
        """n bytes (fewer only at end of stream); no n: everything until the end.
        Non-blocking: what is there, None if nothing, b"" at end of stream."""
        if n is None or n < 0:
            return self._read_all()
        if not n:
            return b""
        r = self._r
        if self._w - r >= n:  # all in the read-ahead: one allocation
            self._r = r + n
            return bytes(self._mv[r : r + n])
        buf = bytearray(n)
        k = self.readinto(buf, n)
        if k is None:
            return None
        return bytes(buf) if k == n else bytes(buf[:k])

    def _read_all(self):
        out = bytearray()
        buf = bytearray(_AHEAD)
        while True:
            try:
                k = self._get(buf, 0, _AHEAD)
            except OSError:
                self._keep(out, len(out))
                raise
            if k is None:
                if not out:
                    return None
                break
            if not k:
                break
            out.extend(memoryview(buf)[:k])
        return bytes(out)

    def readline(self):
        """One line with its b"\\n"; b"" at end of stream; None (non-blocking, nothing)."""
        out = None
        while True:
            r = self._r
            w = self._w
            if r < w:
                i = self._ahead.find(b"\n", r, w)
                e = w if i < 0 else i + 1
                part = bytes(self._mv[r:e])
                self._r = e
                out = part if out is None else out + part
                if i >= 0:
                    return out
            try:
                k = self._fill()
            except OSError:
                if out is not None:
                    self._keep(out, len(out))
                raise
            if k is None:
                return out
            if not k:
                return out or b""

    def recv_into(self, buf, nbytes=0, flags=0):
        """One read (may be short): the count, 0 at end; OSError(EAGAIN) if non-blocking."""
        n = len(buf)
        if 0 < nbytes < n:
            n = nbytes
        if not n:
            return 0
        k = self._get(buf, 0, n)
        if k is None:
            raise OSError(_EAGAIN)
        return k

    def recv(self, n, flags=0):
        buf = bytearray(n)
        k = self.recv_into(buf, n)
        return bytes(buf) if k == n else bytes(buf[:k])

    def recvfrom(self, n, flags=0):
        """(datagram, (host, port)); the module only receives from the connected peer."""
        return self.recv(n), self._peer

    # --- sending ---------------------------------------------------------------------

    def write(self, buf, a=None, b=None):
        """write(buf), write(buf, n) or write(buf, off, n): the count sent (all of it);
        None on a non-blocking socket while bc26.aio holds the module."""
        if type(buf) is not bytes and type(buf) is not bytearray:
            from .checks import as_bytes  # a str, a memoryview, an array of samples

            buf = as_bytes(buf)
        if b is not None:
            off = a
            n = b
        else:
            off = 0
            n = len(buf) if a is None else a
        if off < 0:  # a slice from the end would send other bytes, or none, and count n
            raise ValueError("offset must be >= 0")
        if n > len(buf) - off:
            n = len(buf) - off
        if n <= 0:
            return 0
        s = self._live()
        if _busy(self._pool.modem):
            if self._ms == 0:
                return None
            raise OSError(_EAGAIN)
        cap = self._pool.coalesce
        if cap and not self._udp:
            if self._held + n > cap:
                self._flush()
            if n <= cap:
                if self._out is None:
                    self._out = bytearray(cap)
                h = self._held
                self._out[h : h + n] = memoryview(buf)[off : off + n]
                self._held = h + n
                return n
        self._send(s, buf if off == 0 and n == len(buf) else memoryview(buf)[off : off + n])
        return n

    def _send(self, s, data):
        try:
            s.send(data)
        except BC26Error as err:
            # A stream with a hole cannot go on: free the connectID now. A client that
            # reconnects after an error (umqtt.robust) never closes the old socket, and
            # MicroPython runs no finaliser that would.
            self._held = 0
            self._s = None
            self._let_go(s)
            raise _oserror(err)

    def _flush(self):
        h = self._held
        self._held = 0
        self._send(self._live(), memoryview(self._out)[:h])

    def flush(self):
        """Send the writes that coalescing holds (nothing to do without coalesce)."""
        if self._held:
            if _busy(self._pool.modem):
                raise OSError(_EAGAIN)
            self._flush()

    def send(self, data, flags=0):
        k = self.write(data)
        if k is None:
            raise OSError(_EAGAIN)
        return k

    def sendall(self, data, flags=0):
        self.send(data)

    def sendto(self, data, addr):
        """UDP: connect to addr first (again, if it names another peer), then send."""
        peer = (addr[0], addr[1])
        if self._s is not None and peer != self._peer:
            self._s.close()
            self._s = None
        if self._s is None:
            self.connect(peer)
        return self.send(data)

    # --- the rest --------------------------------------------------------------------

    def close(self):
        """AT+QICLOSE; a second close does nothing. Deferred while bc26.aio holds the module.
        Writes that coalescing held go first; if they cannot, the error is raised after the close."""
        if self._closed:
            return
        err = None
        if self._held:
            # write() counted these bytes as sent: if they cannot go, close says so.
            if _busy(self._pool.modem):
                err = OSError(_EIO, "close: held writes not sent (the module was busy)")
            else:
                try:
                    self._flush()
                except OSError as x:
                    err = x
        self._closed = True
        s = self._s
        self._s = None
        if s is not None:
            self._let_go(s)
        if err is not None:
            raise err

    def _let_go(self, s):
        # AT+QICLOSE now, or by the next poll that finds the module free.
        self._ahead = self._mv = self._out = None
        self._r = self._w = self._held = 0
        if not _busy(self._pool.modem):
            try:
                s.close()
                return
            except OSError:
                pass
        self._pool.modem.sockets.defer_close(s)

    def ioctl(self, req, arg):
        # The stream protocol: select.poll, asyncio and TLS call this (py/stream.h).
        if req == _POLL:
            s = self._s
            if s is None:
                # Closed, or its connection failed: wake a waiting reader, whose read raises.
                return _ERR | _HUP if self._closed or self._peer is not None else 0
            try:
                if self._held and not _busy(self._pool.modem):
                    self._flush()
                self._pump()
            except Exception:
                pass
            s = self._s
            if s is None:  # the flush failed: the connection is gone
                return _ERR | _HUP
            ret = _WR
            if self._r < self._w or s.readable():
                ret |= _RD
            return ret & arg
        if req == _CLOSE:
            self.close()
            return 0
        if req == _FLUSH:
            try:
                self.flush()
            except OSError as err:
                return -err.args[0] if err.args[0] > 0 else -_EIO
            return 0
        return -_EINVAL

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
