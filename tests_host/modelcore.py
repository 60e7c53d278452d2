# The model-based test's rules, model and invariants (issue 13): plain Python that the
# MicroPython unix port runs too. test_model.py drives the same rules from hypothesis'
# RuleBasedStateMachine under CPython and runs run() with seeds in both runtimes;
# tools/checks/soak.py runs many more seeds.
#
# A Harness is one library (bc26.Modem) attached to one ScriptedModule (scripted.py) on a
# virtual clock. Each rule is one call of the public API (open, the send forms, recv and
# recv_into with timeouts, close, set_mode, resolve, ping, sync, poll; the usocket layer as
# umqtt.robust and requests use it) or one act of the world (a peer sends or closes, time
# passes, the module restarts). After every rule the harness checks:
# - every byte a peer sent reaches the user in order and exactly once, or DataLost comes
#   first at the gap (UDP: whole datagrams, in order, none twice);
# - a send that returned success was taken whole by the module and answered SEND OK;
# - the call ended within its documented deadline plus one resynchronisation, and left no
#   command pending in the engine;
# - the library wrote only documented command forms (scripted.wire_form) and data-mode data;
# - only documented exceptions came out;
# and at settle points (after all trailers are due): the module's open sockets and the
# library's table agree, and no connectID is held by a socket its user dropped.
# The asyncio layer (bc26.aio) runs in real time (asyncio keeps its own clock) with
# asyncio.wait_for cancelling at random points: run_aio().
#
# A violation raises Finding(kind, detail); kind names the class, so a soak of many seeds
# counts classes instead of stopping at the first.

import sys

from scripted import Clock, Hang, Rng, ScriptedModule

import bc26
import bc26.engine
import bc26.modem
import bc26.raw
import bc26.services
import bc26.sockcfg
import bc26.sockets
import bc26.sockextra
import bc26.usocket
from bc26 import BC26Error, DataLost

MP = sys.implementation.name == "micropython"

# ms of one resynchronisation: sync(3, 300) ends within (2 x 3 + 4) x 300 = 3000 ms
# (Modem.sync_steps: two ATs a try and one quiet budget of 4 x 300), with a second's room.
RESYNC_MS = 4000
# errnos a bc26.usocket user may see (README: socket module for umqtt, requests).
USOCKET_ERRNOS = (5, 9, 11, 12, 22, 97, 104, 106, 107, 110, 111, 113, -2)


class Finding(AssertionError):
    def __init__(self, kind, detail):
        super().__init__("%s: %s" % (kind, detail))
        self.kind = kind
        self.detail = detail


def _where(exc):
    # Where in the library an undocumented exception came from (CPython only).
    tb = getattr(exc, "__traceback__", None)
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return ""
    return " at %s:%d" % (last.tb_frame.f_code.co_filename.split("/")[-1], last.tb_lineno)


def _lib_modules():
    return [m for name, m in sys.modules.items() if name.startswith("bc26") and m is not None]


class Handle:
    """A socket the test's user holds: the bc26 Socket (or usocket), and the module's socket."""

    def __init__(self, sock, msock, layer):
        self.sock = sock
        self.ms = msock
        self.layer = layer  # "sock" or "usocket"
        self.pos = 0  # next byte of the peer's stream the user should get
        self.dgram = 0  # UDP: next datagram index
        self.lost_seen = False  # DataLost raised since the last data
        self.eof = False
        self.dead = False  # restarted module / closed: reads may raise 567

    def __repr__(self):
        return "<Handle %s cid=%d serial=%d>" % (self.layer, self.ms.cid, self.ms.serial)


class Harness:
    def __init__(self, seed, virtual=True, damage=True, fmt=None):
        self.seed = seed
        self.rng = Rng(seed ^ 0x5A5A)
        r = self.rng
        # The module's AT+QICFG values, known to the library as after read_config().
        if fmt is None:
            fmt = (r.below(2), r.below(2) == 1, r.below(2) == 1, r.below(2))
        viewmode, recv_hex, send_hex, showlength = fmt
        self.clock = Clock(virtual, r.below(1 << 30) if r.below(4) == 0 else 0)
        mod = self.mod = ScriptedModule(self.clock, seed, viewmode, recv_hex, send_hex, showlength)
        if not virtual:
            mod.latency = 30
            mod.trailer_ms = 60
        if damage:
            mod.late_per_mille = r.choice((0, 0, 20, 80))
            mod.fail_per_mille = r.choice((0, 0, 30))
            mod.damage_per_mille = r.choice((0, 0, 0, 5, 20))
            mod.bad_length_per_mille = r.choice((0, 0, 20))
        self.modem = bc26.Modem(mod)
        net = self.sockets = self.modem.sockets
        net.known = True
        net.viewmode = viewmode
        net.recv_hex = recv_hex
        net.send_hex = send_hex
        net.showlength = showlength
        if not virtual:
            net.cmd_timeout = 400
            net.send_timeout = 400
            net.close_timeout = 400
            net.open_timeout = 800
        self.handles = []
        self.dropped = []  # usockets dropped after an error, without close (umqtt.robust)
        self.steps = 0
        self.log = []  # the calls, for a finding's report
        self.clock.install(_lib_modules())

    def close(self):
        self.clock.uninstall()

    # --- checking one call ---------------------------------------------------------------

    def now(self):
        return self.clock.ticks_ms()

    def call(self, what, fn, bound_ms, bad_arg=False, layer="sock"):
        """Run fn() as one API call and check what the rules ask of every call; (result, exc)."""
        self.steps += 1
        self.log.append(what)
        e = self.modem.engine
        t0 = self.clock.now
        exc = None
        res = None
        if self.clock.virtual:
            self.mod.give_up = (t0 + bound_ms + RESYNC_MS + 60000) & ((1 << 30) - 1)
        try:
            res = fn()
        except Hang as err:
            raise Finding("hang", "%s: %s" % (what, err))
        except Finding:
            raise
        except BaseException as err:  # noqa: B036 (judged below: documented or not)
            exc = err
        self.mod.give_up = None
        if exc is not None:
            self.log.append("  !! %r" % (exc,))
        took = (self.clock.now - t0) & ((1 << 30) - 1) if self.clock.virtual else 0
        if exc is not None:
            self.documented(what, exc, bad_arg, layer)
        if took > bound_ms + RESYNC_MS:
            raise Finding(
                "deadline", "%s took %d ms of virtual time (bound %d + resync)" % (what, took, bound_ms)
            )
        if e.state not in (0, 5):
            raise Finding("engine-left-pending", "%s left the engine in state %d" % (what, e.state))
        self.wire(what)
        return res, exc

    def documented(self, what, exc, bad_arg, layer):
        if isinstance(exc, BC26Error):
            if "busy" in str(exc):
                # One user, one thread: nothing else holds the engine.
                raise Finding("busy-for-good", "%s: %r" % (what, exc))
            return
        if layer == "usocket" and isinstance(exc, OSError) and exc.args and exc.args[0] in USOCKET_ERRNOS:
            return
        if bad_arg and isinstance(exc, (ValueError, TypeError)):
            return
        raise Finding(
            "undocumented-exception", "%s raised %s: %r%s" % (what, type(exc).__name__, exc, _where(exc))
        )

    def wire(self, what):
        v = self.mod.violations
        if v:
            self.mod.violations = []
            raise Finding("wire", "after %s the library wrote %r (%s)" % (what, v[0][1], v[0][0]))

    # --- data ------------------------------------------------------------------------------

    def got(self, h, data, what):
        """The user got data on h: is it the peer's next bytes (or after a reported gap)?"""
        if not data:
            return
        ms = h.ms
        st = ms.stream
        if ms.udp:
            return self._got_datagram(h, data, what)
        data = bytes(data)
        while data:
            # The longest run that continues where the user is.
            n = len(data)
            k = 0
            p = h.pos
            while k < n and p + k < len(st) and st[p + k] == data[k]:
                k += 1
            if h.lost_seen and k < 8 and k < n:
                k = 0  # after a reported gap a few equal bytes are chance, not continuity
            if k:
                h.pos += k
                h.lost_seen = False
                data = data[k:]
                continue
            probe = data[:16]
            if len(probe) < 8 and (h.lost_seen or ms.tainted):
                # Too short to say where after the gap it lies: the next data will (the gap
                # stays allowed until then).
                return
            i = st.find(probe, h.pos + 1)
            if i > h.pos and (h.lost_seen or ms.tainted):
                h.pos = i  # a gap the user was told of (or that the wire damage explains)
                h.lost_seen = False
                continue
            if ms.tainted:
                return  # a byte of this socket's data was dropped on the wire: unknowable
            if i > h.pos:
                raise Finding(
                    "silent-gap",
                    "%s: %d bytes of socket %d skipped at %d without DataLost"
                    % (what, i - h.pos, ms.cid, h.pos),
                )
            j = st.find(probe)
            if 0 <= j < h.pos:
                raise Finding(
                    "duplicate", "%s: bytes from %d of socket %d delivered twice" % (what, j, ms.cid)
                )
            raise Finding(
                "foreign-bytes",
                "%s: %d bytes the peer of socket %d never sent, at %d: %r (expected %r)"
                % (what, n, ms.cid, h.pos, data[:24], bytes(st[h.pos : h.pos + 24])),
            )

    def _got_datagram(self, h, data, what):
        # UDP: a datagram, whole or a piece of it (buffer mode reads a datagram with AT+QIRD
        # in pieces of what was asked), in order; datagrams may be dropped (counted).
        ms = h.ms
        st = ms.stream
        k0 = h.dgram - 1 if h.dgram > 0 else 0
        for k in range(k0, len(ms.datagrams)):
            a, n = ms.datagrams[k]
            i = bytes(st[a : a + n]).find(data)
            if i >= 0:
                h.dgram = k + 1 if i + len(data) == n else k
                return
        if ms.tainted:
            return
        for k in range(k0):
            a, n = ms.datagrams[k]
            if bytes(st[a : a + n]).find(data) >= 0:
                raise Finding("duplicate", "%s: datagram %d of socket %d delivered again" % (what, k, ms.cid))
        raise Finding(
            "foreign-bytes",
            "%s: a datagram socket %d's peer never sent: %r" % (what, ms.cid, bytes(data[:24])),
        )

    def eof(self, h, what):
        """The user saw the end of the stream: the peer closed, and nothing is missing."""
        ms = h.ms
        h.eof = True
        if not ms.remote_closed and self.mod.sockets.get(ms.cid) is ms:
            raise Finding(
                "false-eof", "%s: end of stream on socket %d, which its peer did not close" % (what, ms.cid)
            )
        if not ms.udp and h.pos < ms.produced and not h.lost_seen and not ms.tainted and not h.dead:
            raise Finding(
                "silent-gap",
                "%s: end of stream on socket %d with %d of its %d bytes never delivered"
                % (what, ms.cid, ms.produced - h.pos, ms.produced),
            )

    # --- settling --------------------------------------------------------------------------

    def settle(self, poll):
        """Let every trailer come due, poll until the module is quiet, then compare the
        module's open sockets with the library's table."""
        step = 1000 if self.clock.virtual else 100
        for _ in range(100):
            left = self.mod.pending()
            self.clock.advance(step if left < 0 or left > step else left + 1)
            poll()
            if left < 0 and not self.mod.rx:
                break
        # Deferred closes retry after 2 s, and one whose CLOSE OK came late (after its 400 ms
        # here in real time) needs a retry of its own: three rounds in real time as in
        # virtual time (aio seed 5002 ran out after one), ended early once none is left.
        for _ in range(3):
            if not self.clock.virtual and not (self.sockets.closing | self.sockets.orphans):
                break
            self.clock.advance(2100)
            poll()
        self.check_table()

    def check_table(self):
        lib = [i for i in range(5) if self.sockets.table[i] is not None]
        mod = self.mod.open_ids()
        extra = [c for c in mod if c not in lib]
        if extra:
            raise Finding(
                "connectid-leak",
                "the module holds sockets %r that the library's table %r lacks" % (extra, lib),
            )
        if not self.mod.damaged:
            gone = [c for c in lib if c not in mod]
            if gone:
                raise Finding(
                    "table-stale", "the library's table holds %r, closed on the module %r" % (gone, mod)
                )
        held = [h.ms.cid for h in self.handles if not h.dead]
        # A usocket dropped after a read timed out may keep its connectID until the
        # connectIDs run out (bc26.usocket reclaims it then): what its user sees is checked
        # at connect() (no ENOMEM while fewer than five are held).
        reclaimable = [x.ms.cid for x in self.dropped if self.mod.sockets.get(x.ms.cid) is x.ms]
        for c in lib:
            if c in mod and c not in held and c not in reclaimable:
                ms = self.mod.sockets.get(c)
                was = [x for x in self.handles if x.ms is ms]
                raise Finding(
                    "connectid-leak",
                    "connectID %d is held by a socket no user holds (held: %r; it was %r)" % (c, held, was),
                )

    def handle_for(self, sock, layer, before):
        # The module's socket this open made: the newest serial after `before`.
        best = None
        for ms in self.mod.sockets.values():
            if ms.serial > before and (best is None or ms.serial > best.serial):
                best = ms
        if best is None:
            raise Finding("phantom-open", "open returned a socket the module never opened")
        h = Handle(sock, best, layer)
        self.handles.append(h)
        return h


# --- the rules of the blocking API (bc26.Modem, bc26.Socket) -------------------------------


def _text(r, n, unicode=False):
    out = []
    for _ in range(n):
        k = r.below(40)
        if unicode and k == 0:
            out.append("\u00e9")
        elif k < 26:
            out.append(chr(97 + k))
        elif k < 36:
            out.append(chr(48 + k - 26))
        else:
            out.append(" .,-"[k - 36])
    return "".join(out)


SEND_FORMS = (
    "send",
    "sendall",
    "send_str",
    "send_fixed",
    "send_stream",
    "send_inline",
    "send_hex",
    "hostile",
)


class Rules:
    """The rules, each one call (or one act of the world), with its arguments drawn by the
    caller: hypothesis' strategies, or an Rng for the seeded driver."""

    def __init__(self, harness):
        self.h = harness

    def live(self):
        return [x for x in self.h.handles if x.layer == "sock" and not x.sock.closed]

    def open(self, kind, mode, rxsize=1024):
        h = self.h
        before = h.mod.serial
        res, exc = h.call(
            "open(%s, mode=%d)" % (kind, mode),
            lambda: h.modem.open(kind, "10.0.0.9", 7, mode=mode, rxsize=rxsize),
            2000 + 60000 + 12000,
        )
        if exc is None:
            return h.handle_for(res, "sock", before)
        return None

    def send(self, x, form, size, seed):
        h = self.h
        r = Rng(seed)
        hexed = h.sockets.send_hex
        s = x.sock
        bad = False
        if form == "send" or form == "sendall":
            data = r.bytes(size)
            fn = s.send if form == "send" else s.sendall
        elif form == "send_str":
            data = _text(r, size, True)
            fn = s.send
        elif form == "send_fixed":
            data = r.bytes(min(size, 730 if hexed else 1460))
            fn = s.send_fixed
        elif form == "send_stream":
            data = bytearray(r.bytes(min(size, 730 if hexed else 1460)))
            if not hexed:
                for i in range(len(data)):
                    if data[i] in (0x1A, 0x1B):
                        data[i] = 0x20
            fn = s.send_stream
        elif form == "send_inline":
            data = _text(r, min(size, 512 if hexed else 1024))
            fn = s.send_inline
        elif form == "send_hex":
            data = r.bytes(min(size, 512))
            fn = s.send_hex
        else:
            # Hostile: strings a user may pass that must not end data mode or the command line;
            # each a documented refusal (ValueError) or data.
            data, fn = r.choice(
                (
                    ("x\x1aAT+QPOWD=1\r", s.send_stream),
                    ("\x1b\r\nAT+QPOWD=1\r", s.send_stream),
                    ("\u00e9" * r.between(731, 1100), s.send_fixed),
                    ("\u00e9" * r.between(731, 1100), s.send_stream),
                    ("a;AT+QPOWD=1", s.send_inline),
                    ("\u00e9" * r.between(513, 1100), s.send_inline),
                    ('x"\r\nAT+QPOWD=1\r', s.send),
                )
            )
            bad = True
        n = len(data.encode()) if isinstance(data, str) else len(data)
        pieces = n // 700 + 1
        res, exc = h.call(
            "%s(%d bytes) on %r" % (form, n, x), lambda: fn(data), pieces * (2000 + 10000 + 2000 + n), bad
        )
        if exc is None:
            self.check_sent(x, data, res, form)
        return exc

    def check_sent(self, x, data, res, form):
        ms = x.ms
        if isinstance(data, str):
            data = data.encode()
        if self.h.mod.sockets.get(ms.cid) is not ms:
            return  # the module restarted meanwhile; the library may not know yet
        if not ms.sends:
            raise Finding("phantom-send", "%s returned %r but the module took no send" % (form, res))
        off, n, ok = ms.sends[-1]
        if not ok and not ms.tainted and not self.h.mod.damaged:
            raise Finding(
                "send-fail-reported-ok",
                "%s on socket %d returned %r; the module answered SEND FAIL" % (form, ms.cid, res),
            )
        if ms.received[len(ms.received) - len(data) :] != data and not self.h.mod.damaged:
            raise Finding(
                "send-mangled", "%s on socket %d: the module did not get the data whole" % (form, ms.cid)
            )

    def recv(self, x, n, timeout, into=False):
        h = self.h
        s = x.sock
        if x.ms.udp:
            n = 512
        buf = bytearray(n + 8)
        if into:
            fn = lambda: s.recv_into(buf, n, timeout)  # noqa: E731
        else:
            fn = lambda: s.recv(n, timeout)  # noqa: E731
        bound = (30000 if timeout == -1 else timeout) + 8 * (2000 + 2 * 512) + 10000
        what = "%s(%d, timeout=%d) on %r" % ("recv_into" if into else "recv", n, timeout, x)
        res, exc = h.call(what, fn, bound)
        h.log.append(
            "  -> %r" % (exc if exc is not None else res if res is None or isinstance(res, int) else len(res))
        )
        if exc is not None:
            if isinstance(exc, DataLost):
                x.lost_seen = True
            return exc
        if into:
            if res is None:
                return None
            if res > n or buf[n:] != bytearray(8):
                raise Finding("overrun", "%s wrote %r bytes into a %d-byte request" % (what, res, n))
            data = bytes(buf[:res])
        else:
            data = res
            if data is not None and len(data) > n:
                raise Finding("overrun", "%s returned %d bytes" % (what, len(data)))
        if data is None:
            if timeout != 0:
                raise Finding("undocumented-result", "%s returned None" % what)
            return None
        if not data:
            h.eof(x, what)
            return b""
        h.got(x, data, what)
        return data

    def close(self, x):
        h = self.h
        res, exc = h.call("close %r" % x, x.sock.close, 2000 + 10000)
        x.dead = True
        return exc

    def set_mode(self, x, mode):
        h = self.h
        res, exc = h.call("set_mode(%d) on %r" % (mode, x), lambda: x.sock.set_mode(mode), 2000)
        return exc

    def resolve(self):
        h = self.h
        res, exc = h.call("resolve", lambda: h.modem.resolve("example.com"), 2000 + 60000)
        if exc is None and res[0] != ["10.0.0.1", "10.0.0.2"] and not h.mod.damaged:
            raise Finding("wrong-answer", "resolve returned %r" % (res,))

    def ping(self, count):
        h = self.h
        h.call(
            "ping(count=%d)" % count, lambda: h.modem.ping("10.0.0.9", 1, count), 2000 + count * 1000 + 20000
        )

    def sync(self):
        h = self.h
        h.call("sync", h.modem.sync, 10 * 300 + 300)

    def poll(self):
        h = self.h
        h.call("poll", h.modem.poll, 2000 + 2 * 12000)

    def command(self):
        h = self.h
        res, exc = h.call("at(AT+CSQ)", lambda: h.modem.at("AT+CSQ"), 1000)
        if exc is None and res != ["+CSQ: 19,99"] and not (h.mod.damaged or h.mod.bad_lengths):
            raise Finding("wrong-answer", "at('AT+CSQ') returned %r" % (res,))

    def state(self):
        h = self.h
        h.call("socket_state", h.modem.socket_state, 2000)

    # The world.

    def peer_send(self, x, n):
        if x.ms.udp:
            n = 1 + n % 400
        self.h.log.append("peer of %r sends %d" % (x, n))
        self.h.mod.peer_send(x.ms.cid, n) if self.h.mod.sockets.get(x.ms.cid) is x.ms else None

    def peer_close(self, x):
        self.h.log.append("peer of %r closes" % x)
        if self.h.mod.sockets.get(x.ms.cid) is x.ms:
            self.h.mod.peer_close(x.ms.cid)

    def wait(self, ms):
        h = self.h
        h.log.append("wait %d" % ms)
        h.clock.advance(ms)

    def restart(self):
        h = self.h
        h.log.append("module restarts")
        h.mod.restart()
        for x in h.handles:
            x.dead = True

    def settle(self):
        h = self.h
        h.log.append("settle")
        h.settle(lambda: h.call("poll (settling)", h.modem.poll, 2000 + 2 * 12000))


# --- the usocket layer, as umqtt.robust and requests use it ----------------------------------


class USocketRules:
    """A client on bc26.usocket that, like umqtt.robust and requests, drops a socket after an
    error without closing it and connects a new one."""

    def __init__(self, harness, max_wait_ms):
        self.h = harness
        self.pool = bc26.usocket.SocketPool(harness.modem, max_wait_ms=max_wait_ms)
        self.cur = None

    def connect(self, udp=False):
        h = self.h
        live = len([x for x in h.handles if not x.dead])
        s = self.pool.socket(
            bc26.usocket.AF_INET, bc26.usocket.SOCK_DGRAM if udp else bc26.usocket.SOCK_STREAM
        )
        before = h.mod.serial
        # When the connectIDs have run out, connect() first closes every socket a user dropped
        # after an error (bc26.usocket._reclaim): each close has its own deadline (OK, then
        # CLOSE OK: 2 + 10 s) after a resync of its own (model seed 5314: a damaged CLOSE OK).
        reclaim = [
            x
            for x in h.sockets.table
            if x is not None and not x.released and (x.remote_closed or getattr(x, "failed", False))
        ]
        bound = 2000 + 60000 + 12000 + len(reclaim) * (12000 + RESYNC_MS)
        res, exc = h.call("usocket.connect", lambda: s.connect(("10.0.0.9", 1883)), bound, layer="usocket")
        if exc is not None:
            if exc.args and exc.args[0] == 12 and live < 5:
                raise Finding(
                    "connectid-leak",
                    "usocket.connect: ENOMEM with %d sockets held by the user (%d dropped after errors)"
                    % (live, len(h.dropped)),
                )
            return None
        x = h.handle_for(s, "usocket", before)
        self.cur = x
        return x

    def drop(self, x):
        # What umqtt.robust does after an OSError: forget the socket, no close().
        self.h.log.append("drop %r without close" % x)
        x.dead = True
        self.h.dropped.append(x)
        if self.cur is x:
            self.cur = None

    def write(self, x, size, seed):
        h = self.h
        data = Rng(seed).bytes(size)
        res, exc = h.call(
            "usocket.write(%d) on %r" % (size, x),
            lambda: x.sock.write(data),
            3 * (14000 + size),
            layer="usocket",
        )
        if exc is not None:
            self.drop(x)
        return exc

    def read(self, x, n, timeout_s, how):
        h = self.h
        s = x.sock
        s.settimeout(timeout_s)
        if how == "readline":
            fn = s.readline
        elif how == "recv":
            fn = lambda: s.recv(n)  # noqa: E731
        else:
            fn = lambda: s.read(n)  # noqa: E731
        wait = 600000 if timeout_s is None else int(timeout_s * 1000)
        mw = self.pool.max_wait_ms
        if timeout_s is None and mw is None:
            wait = 30000  # the library's own ceiling for a socket with no timeout
        elif mw is not None and (timeout_s is None or mw < wait):
            wait = mw
        what = "usocket.%s(%d, timeout=%r) on %r" % (how, n, timeout_s, x)
        # read(n) waits for all n bytes; each wait for more data has its own deadline.
        res, exc = h.call(
            what,
            fn,
            (n // 1 + 1) * (wait + 4000) if how == "read" else wait + 8 * 3000 + 10000,
            layer="usocket",
        )
        if exc is not None:
            self.drop(x)
            return exc
        if res is None:
            return None
        if not res:
            h.eof(x, what)
            return res
        h.got(x, res, what)
        return res

    def close(self, x):
        h = self.h
        h.call("usocket.close %r" % x, x.sock.close, 12000, layer="usocket")
        x.dead = True
        if self.cur is x:
            self.cur = None


# --- the seeded driver ------------------------------------------------------------------------


def _pick(r, weights):
    total = 0
    for _, w in weights:
        total += w
    k = r.below(total)
    for name, w in weights:
        if k < w:
            return name
        k -= w
    return weights[-1][0]


WEIGHTS = (
    ("open", 6),
    ("send", 14),
    ("recv", 18),
    ("close", 4),
    ("set_mode", 3),
    ("resolve", 2),
    ("ping", 1),
    ("sync", 2),
    ("poll", 6),
    ("command", 2),
    ("state", 1),
    ("peer_send", 20),
    ("peer_close", 2),
    ("wait", 6),
    ("restart", 1),
    ("settle", 2),
)


def one_step(rules, r):
    h = rules.h
    name = _pick(r, WEIGHTS)
    live = rules.live()
    if (
        name == "open"
        or not live
        and name in ("send", "recv", "close", "set_mode", "peer_send", "peer_close")
    ):
        if len(live) < 5:
            rules.open(r.choice(("TCP", "TCP", "UDP")), r.below(2))
        return
    if name == "send":
        rules.send(
            r.choice(live), r.choice(SEND_FORMS), r.choice((1, 5, 40, 300, 1024, 1500, 3000)), r.next()
        )
    elif name == "recv":
        rules.recv(
            r.choice(live),
            r.choice((1, 7, 64, 300, 512, 1024)),
            r.choice((0, 50, 500, 3000, -1)),
            r.below(2) == 1,
        )
    elif name == "close":
        rules.close(r.choice(live))
    elif name == "set_mode":
        rules.set_mode(r.choice(live), r.below(2))
    elif name == "resolve":
        rules.resolve()
    elif name == "ping":
        rules.ping(r.between(1, 4))
    elif name == "sync":
        rules.sync()
    elif name == "poll":
        rules.poll()
    elif name == "command":
        rules.command()
    elif name == "state":
        rules.state()
    elif name == "peer_send":
        rules.peer_send(r.choice(live), r.choice((1, 10, 100, 700, 1500, 3000)))
    elif name == "peer_close":
        rules.peer_close(r.choice(live))
    elif name == "wait":
        rules.wait(r.choice((10, 300, 2000, 12000)))
    elif name == "restart":
        if r.below(4) == 0:
            rules.restart()
    elif name == "settle":
        rules.settle()
    del h


def usocket_step(u, r):
    h = u.h
    x = u.cur
    if x is None or x.dead:
        u.connect(r.below(5) == 0)
        return
    k = r.below(10)
    if k < 3:
        u.write(x, r.choice((2, 10, 100, 600)), r.next())
    elif k < 6:
        # A blocking read with no ceiling waits as long as the peer takes (README): only with
        # max_wait_ms set, as a client that must not hang sets it.
        t = r.choice((None, 0.05, 0.5, 3))
        if t is None and u.pool.max_wait_ms is None:
            t = 3
        how = "recv" if x.ms.udp else r.choice(("read", "recv", "readline"))  # UDP: a datagram a call
        u.read(x, r.choice((1, 2, 4, 64, 300)), t, how)
    elif k < 8:
        if h.mod.sockets.get(x.ms.cid) is x.ms:
            h.mod.peer_send(x.ms.cid, r.choice((2, 20, 300, 1000)))
    elif k == 8:
        h.clock.advance(r.choice((50, 1000, 6000)))
    elif r.below(3) == 0:
        if h.mod.sockets.get(x.ms.cid) is x.ms:
            h.mod.peer_close(x.ms.cid)
    else:
        u.close(x)


def run(seed, steps, kind="sock"):
    """One seeded sequence of `steps` rules (kind "sock": the blocking API; "usocket": a
    umqtt.robust-style client), then a settle and its checks. Raises Finding."""
    h = Harness(seed)
    r = Rng(seed)
    try:
        if kind == "usocket":
            u = USocketRules(h, r.choice((None, 500, 3000)))
            for _ in range(steps):
                usocket_step(u, r)
        else:
            rules = Rules(h)
            for _ in range(steps):
                one_step(rules, r)
        h.settle(lambda: h.call("poll (settling)", h.modem.poll, 2000 + 2 * 12000))
        h.call("sync (final)", h.modem.sync, 10 * 300 + 300)
    finally:
        h.close()
    return h


def run_many(first, count, steps, kinds=("sock", "usocket"), verbose=True):
    """Seeds first..first+count-1 of every kind: {finding kind: (count, first seed, detail)}."""
    found = {}
    for kind in kinds:
        for seed in range(first, first + count):
            try:
                run(seed, steps, kind)
            except Finding as f:
                k = kind + ":" + f.kind
                if k in found:
                    found[k][0] += 1
                else:
                    found[k] = [1, seed, f.detail]
                    if verbose:
                        print("FINDING %s seed=%d: %s" % (k, seed, f.detail))
    return found


# --- the asyncio layer, with wait_for cancelling at random points ------------------------------


async def _aio_steps(h, r, steps):
    import asyncio

    from bc26.aio import AsyncModem

    am = AsyncModem(h.modem)
    am.start()
    socks = []  # (AsyncSocket, Handle)
    e = h.modem.engine
    try:
        for _ in range(steps):
            live = [p for p in socks if not p[1].dead]
            k = r.below(12)
            what = None
            coro = None
            x = None
            if k < 2 or not live:
                if len(live) < 4:
                    kind = r.choice(("TCP", "TCP", "UDP"))
                    mode = r.below(2)
                    what = "aio open(%s, %d)" % (kind, mode)
                    before = h.mod.serial
                    coro = am.open(kind, "10.0.0.9", 7, mode=mode)
            else:
                a, x = r.choice(live)
                if k < 4:
                    n = r.choice((1, 40, 600, 2000))
                    data = r.bytes(n)
                    what = "aio send(%d) on %r" % (n, x)
                    coro = a.send(data)
                elif k < 7:
                    n = 512 if x.ms.udp else r.choice((1, 64, 512))
                    what = "aio recv(%d) on %r" % (n, x)
                    coro = a.recv(n, r.choice((0, 50, 300)))
                elif k < 8:
                    what = "aio close %r" % x
                    coro = a.close()
                elif k < 10:
                    if h.mod.sockets.get(x.ms.cid) is x.ms:
                        h.mod.peer_send(x.ms.cid, r.choice((5, 100, 1500)))
                    h.log.append("peer of %r sends" % x)
                elif k < 11:
                    what = "aio resolve"
                    coro = am.resolve("example.com")
                else:
                    what = "aio command AT+CSQ"
                    coro = am.command("AT+CSQ", expect=(b"+CSQ:",))
            if coro is None:
                await asyncio.sleep_ms(r.below(40)) if MP else await asyncio.sleep(r.below(40) / 1000)
                continue
            cancel = r.choice((None, None, 3, 15, 40, 120))
            h.log.append(what + (" (cancelled after %d ms)" % cancel if cancel else ""))
            h.steps += 1
            res = exc = None
            try:
                res = await (asyncio.wait_for(coro, cancel / 1000) if cancel else coro)
            except asyncio.TimeoutError as err:  # asked for: wait_for cancelled it
                exc = err
            except Hang as err:
                raise Finding("hang", "%s: %s" % (what, err))
            except BaseException as err:  # noqa: B036 (judged: documented or not)
                exc = err
                h.documented(what, err, False, "sock")
            if exc is not None:
                h.log.append("  !! %r" % (exc,))
            h.wire(what)
            if what.startswith("aio open") and exc is None:
                socks.append((res, h.handle_for(res.sock, "sock", before)))
            elif what.startswith("aio recv"):
                if isinstance(exc, DataLost):
                    x.lost_seen = True
                elif exc is None and res is not None:
                    if res:
                        h.got(x, res, what)
                    else:
                        h.eof(x, what)
            elif what.startswith("aio close"):
                x.dead = True
            elif what.startswith("aio send") and exc is None and x.ms.sends:
                if not x.ms.sends[-1][2] and not h.mod.damaged:
                    raise Finding(
                        "send-fail-reported-ok", "%s returned; the module answered SEND FAIL" % what
                    )
            # Cancelled or not, the engine must be free again within a deadline plus one
            # resynchronisation: what the step left may still run in the background (a
            # deferred AT+QICLOSE: the socket commands' 400 ms here and its CLOSE OK's 400,
            # after the resync before it).
            for _ in range((RESYNC_MS + 800) // 10):
                if not e.busy() and not am.lock.locked():
                    break
                await asyncio.sleep_ms(10) if MP else await asyncio.sleep(0.01)
            else:
                raise Finding(
                    "engine-left-pending",
                    "%d ms after %s the engine is still busy (state %d)" % (RESYNC_MS + 800, what, e.state),
                )
    finally:
        am.stop()
        await (asyncio.sleep_ms(0) if MP else asyncio.sleep(0))


def run_aio(seed, steps):
    """One seeded sequence of the asyncio layer (real time, short deadlines), then a settle
    and its checks. Raises Finding."""
    import asyncio

    h = Harness(seed, virtual=False)
    r = Rng(seed)
    try:
        asyncio.run(_aio_steps(h, r, steps))
        h.settle(lambda: h.call("poll (settling)", h.modem.poll, 60000))
        h.call("sync (final)", h.modem.sync, 10 * 300 + 300)
    finally:
        h.close()
    return h
