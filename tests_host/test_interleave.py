# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
#
# Interleaving, from the reliability issue: every URC type injected at every byte offset of
# every response kind, in both access modes and both data formats: no URC lost, no response
# misparsed.
#
# "Every byte offset" means two different things here, because the module and the UART
# differ in what they can cut:
# - Where a URC can start: the module prints whole records, so it starts a URC only between
#   two records of an answer: before the first, after any line end, after the '> ' prompt,
#   after the last. Never inside a line, and never inside counted data (the n bytes after
#   "+QIRD: n" or a push "recv" header belong to that record). So URCs are inserted at
#   every record boundary, and also right after counted data ends, before the line end
#   that follows it.
# - Where a read can end: the UART hands over whatever has arrived, so any byte offset of
#   the wire can end one read and start the next. So every wire is delivered at several
#   chunk sizes, 1 among them (every byte offset is a read boundary), and the answers
#   carrying counted data are also cut once at every single byte offset.
#
# The rig: socket A (connectID 0) is the one the command under test works on, in BUFFER or
# PUSH access mode; B (1) is in buffer mode and C (2) in push mode, so every "recv" URC form
# is sent to a socket in the mode that matches it. Each URC's effect is checked to have
# happened exactly once and nothing else to have changed; each command's result and the
# exact bytes it wrote are checked too. A failing exchange is recorded with its URC, kind,
# offset, chunk size, mode and format; each test fails at its end naming every (URC, kind)
# pair that failed, how often, and its first failing exchange in full.
import binascii

import bc26
from fakeuart import FakeUART

OK = b"\r\nOK\r\n"
# The command's own data, and the data pushed to C: line ends, "OK", result lines and URC
# text inside, so it must be taken by count; PAYLOAD also holds every byte value.
PAYLOAD = b'\r\nOK\r\n+QIURC: "recv",0,5\r\nSEND OK\r\n> "' + bytes(range(256))
OTHER = b'\r\nOK\r\n+QIURC: "closed",2\r\nERROR\r\n"\x00\xff,\r'
IP = "10.170.235.216"
MODES = (bc26.BUFFER, bc26.PUSH)
CHUNKS = (0, 1, 7)  # 0: everything in one read
MAX_FAILURES = 1000  # then stop: a library broken everywhere should not wait out every deadline
# What the modem gets instead of the UART, when set: test_trace.py runs this suite again with
# every UART wrapped in an AT trace, which must change nothing.
WRAP = None

# --- the module's side --------------------------------------------------------------------


class SplitUART(FakeUART):
    """A FakeUART whose reads also never cross byte ``split`` of what it delivered (-1: none)."""

    def __init__(self):
        FakeUART.__init__(self)
        self.split = -1
        self.delivered = 0

    def any(self):
        n = FakeUART.any(self)
        left = self.split - self.delivered
        if 0 < left < n:
            n = left
        return n

    def readinto(self, buf, n=None):
        k = FakeUART.readinto(self, buf, n)
        if k:
            self.delivered += k
        return k


def records(text):
    """text cut after every line end (LF, or a CR with no LF after it): the module's records."""
    out = []
    s = 0
    n = len(text)
    for i in range(n):
        c = text[i]
        if c == 10 or (c == 13 and (i + 1 == n or text[i + 1] != 10)):
            out.append(text[s : i + 1])
            s = i + 1
    if s < n:
        out.append(text[s:])
    return out


def on_wire(data, cfg):
    """Data as the module prints it after a header: hex or not, quoted or not (viewmode 1)."""
    viewmode, _, hexfmt, quoted = cfg
    if hexfmt:
        data = binascii.hexlify(data)
    if viewmode and quoted:
        data = b'"' + data + b'"'
    return data


def data_record(header, data, cfg):
    """A header with counted data: after its line end (viewmode 0) or a comma (viewmode 1)."""
    return header + (b"," if cfg[0] else b"\r\n") + on_wire(data, cfg)


def weave(atoms, inserts):
    """atoms joined, with inserts[i] put before atoms[i] (i == len(atoms): at the end)."""
    out = b""
    for i in range(len(atoms) + 1):
        if i in inserts:
            out += inserts[i]
        if i < len(atoms):
            out += atoms[i]
    return out


# --- the URCs -------------------------------------------------------------------------------

# Lines nobody registered for: each must reach engine.on_unknown exactly once. The stray
# dnsgip, +QPING and +QNTP lines come when no such command is pending (the third field of
# MODEM_KINDS leaves them out of the command of their own kind: there they are its answer).
UNKNOWN = (
    ("pdpdeact", b'+QIURC: "pdpdeact",1'),
    ("dnsgip", b'+QIURC: "dnsgip",0,1,600'),
    ("qping", b'+QPING: 0,"10.0.0.9",32,80,255'),
    ("qntp", b'+QNTP: 0,"20/01/02,03:04:05+32"'),
    ("ctzeu", b'+CTZEU: "+32",0,"2019/06/11,03:08:20"'),
)


def urcs(cfg):
    """(name, wire, effect) of every URC type, in the forms the module prints with cfg."""
    out = []
    if cfg[1]:  # showlength 1: the buffer-mode URC announces the length
        out.append(("recv B,37", b'\r\n+QIURC: "recv",1,37\r\n', {"b_pending": True, "b_hint": 37}))
    else:
        out.append(("recv B", b'\r\n+QIURC: "recv",1\r\n', {"b_pending": True}))
    push = data_record(b'+QIURC: "recv",2,%d' % len(OTHER), OTHER, cfg)
    out.append(("push C", b"\r\n" + push + b"\r\n", {"c_data": OTHER}))
    full = {"b_pending": True, "b_buff_full": 1, "b_lost": True}
    out.append(("buff full B", b'\r\n+QIURC: "recv",1,"buff full"\r\n', full))
    out.append(("closed B", b'\r\n+QIURC: "closed",1\r\n', {"b_closed": True}))
    # Nobody opens connectID 4: the driver must close what the module opened there, once.
    out.append(("late +QIOPEN 4", b"\r\n+QIOPEN: 4,0\r\n", {"closes4": 1}))
    # A late failure opened nothing: nothing to do, and it is nobody's answer either.
    out.append(("late +QIOPEN 4 failed", b"\r\n+QIOPEN: 4,566\r\n", {}))
    out.append(("+IP", b"\r\n+IP: " + IP.encode() + b"\r\n", {"ip": IP}))
    out.append(("+CEREG", b'\r\n+CEREG: 5,"1A2B","0C3D4E5F",9\r\n', {"reg": 5}))
    for name, line in UNKNOWN:
        out.append((name, b"\r\n" + line + b"\r\n", {"unknown_lines": [line]}))
    return out


# --- the rig --------------------------------------------------------------------------------


class Rig:
    def __init__(self, cfg, mode):
        self.cfg = cfg
        self.mode = mode
        u = self.u = SplitUART()
        m = self.m = bc26.Modem(u if WRAP is None else WRAP(u))
        n = m.sockets
        n.viewmode, n.showlength, n.send_hex, _ = cfg
        n.recv_hex = n.send_hex
        n.known = True
        # Short deadlines: they only matter when something is misparsed.
        n.cmd_timeout = 500
        n.open_timeout = n.send_timeout = n.close_timeout = 1000
        # The sockets as reattach() makes them: no AT+QIOPEN exchanges before the one tested.
        self.a = self.socket(0, mode)
        self.b = self.socket(1, bc26.BUFFER)
        self.c = self.socket(2, bc26.PUSH)
        self.unknown = []
        m.engine.on_unknown = lambda buf, s, e: self.unknown.append(bytes(buf[s:e]))
        u.auto(b"AT+QICLOSE=4\r", OK + b"\r\nCLOSE OK\r\n")

    def socket(self, cid, mode):
        s = bc26.Socket(self.m.sockets, cid, "TCP", mode, 1024)
        self.m.sockets.table[cid] = s
        return s

    def drain(self):
        # What is still in the UART after the command (a URC after its final result) is
        # read now; poll() also does the deferred work (closing an orphan).
        for _ in range(100):
            self.m.poll()
            if not self.u.any():
                break
        self.m.poll()

    def state(self):
        m = self.m
        e = m.engine
        a, b, c = self.a, self.b, self.c
        pushed = b""
        buf = bytearray(600)
        try:
            while True:
                k = c.recv_into(buf, 0, 0)
                if not k:
                    break
                pushed += bytes(buf[:k])
        except bc26.BC26Error as err:
            pushed += b"<%s>" % str(err).encode()
        tx, closes4 = cut_out(bytes(self.u.tx), b"AT+QICLOSE=4\r")
        return {
            "a_pending": a.pending,
            "a_left": a.ring.readable() if a.ring is not None else 0,
            "a_flags": (a.remote_closed, a.buff_full, a.lost),
            "b_pending": b.pending,
            "b_hint": b.hint,
            "b_buff_full": b.buff_full,
            "b_lost": b.lost,
            "b_closed": b.remote_closed,
            "c_data": pushed,
            "c_closed": c.remote_closed,
            "ip": m.ip,
            "reg": m.reg,
            "orphans": m.sockets.orphans,
            "closing": m.sockets.closing,
            "closes4": closes4,
            "unknown_lines": self.unknown,
            "unknown": e.unknown,
            "damaged": m.sockets.damaged,
            "truncated": e.truncated,
            "overflows": e.overflows,
            "restarts": m.sockets.restarts,
            "engine_state": e.state,
            "stale": e.stale,
            "tx": tx,
        }


def cut_out(data, part):
    """data without any occurrence of part, and how many there were."""
    n = 0
    i = data.find(part)
    while i >= 0:
        data = data[:i] + data[i + len(part) :]
        n += 1
        i = data.find(part)
    return data, n


def outcome(act):
    """What a call returned, or the error it raised, as a comparable value."""
    try:
        return act()
    except bc26.SendFailed as err:
        return ("SendFailed", err.sent)
    except bc26.BC26Error as err:
        return (type(err).__name__, err.code, str(err))


# --- the response kinds ---------------------------------------------------------------------
#
# Each builder gets the rig and returns (replies, act, want, tx, a_pending): replies a list
# of (trigger, records), the records printed when the driver has written trigger (None:
# before the call); act the public API call; want what it must return; tx the exact bytes
# the driver must write; a_pending what socket A's "data waiting" flag must be afterwards.


def simple(cmd, answer, act, want):
    return [(cmd + b"\r", records(answer))], act, want, cmd + b"\r", False


def kind_ok(r):
    return simple(b"AT", OK, lambda: r.m.command("AT"), None)


def kind_error(r):
    want = ("BC26Error", None, "ERROR")
    return simple(b"AT+CGATT=1", b"\r\nERROR\r\n", lambda: r.m.command("AT+CGATT=1"), want)


def kind_cme_error(r):
    want = ("BC26Error", 552, "552 " + bc26.error_name(552))
    return simple(b"AT+CGATT=1", b"\r\n+CME ERROR: 552\r\n", lambda: r.m.command("AT+CGATT=1"), want)


def kind_csq(r):
    act = lambda: r.m.command("AT+CSQ", expect=(b"+CSQ:",))
    return simple(b"AT+CSQ", b"\r\n+CSQ: 19,99\r\n" + OK, act, [b"+CSQ: 19,99"])


def kind_csq_raw(r):
    return simple(b"AT+CSQ", b"\r\n+CSQ: 19,99\r\n" + OK, lambda: r.m.at("AT+CSQ"), ["+CSQ: 19,99"])


def kind_qistate(r):
    answer = (
        b'\r\n+QISTATE: 0,"TCP","220.180.239.212",8062,1234,2,1,0\r\n'
        b'+QISTATE: 1,"UDP","10.0.0.9",5683,4000,2,1,1\r\n' + OK
    )

    def act():
        return [
            (i.id, i.service, i.address, i.remote_port, i.local_port, i.state, i.context, i.access_mode)
            for i in r.m.socket_state()
        ]

    want = [(0, "TCP", "220.180.239.212", 8062, 1234, 2, 1, 0), (1, "UDP", "10.0.0.9", 5683, 4000, 2, 1, 1)]
    return simple(b"AT+QISTATE?", answer, act, want)


def kind_echo(r):
    # Echo on: the module repeats the command (CR only) before its answer.
    return simple(b"ATE0", b"ATE0\r" + OK, lambda: r.m.command("ATE0"), None)


def kind_geterror(r):
    answer = b"\r\n+QIGETERROR: 552,invalid parameters\r\n" + OK
    return simple(b"AT+QIGETERROR", answer, r.m.error_info, (552, "invalid parameters"))


def kind_ping(r):
    answer = (
        OK + b'\r\n+QPING: 0,"10.0.0.9",32,100,64\r\n\r\n+QPING: 0,"10.0.0.9",32,120,64\r\n'
        b"\r\n+QPING: 0,2,2,0,100,120,110\r\n"
    )
    act = lambda: r.m.ping("10.0.0.9", timeout=1, count=2)
    want = ([(0, "10.0.0.9", 32, 100, 64), (0, "10.0.0.9", 32, 120, 64)], (0, 2, 2, 0, 100, 120, 110))
    return simple(b'AT+QPING=1,"10.0.0.9",1,2', answer, act, want)


def kind_resolve(r):
    answer = (
        OK + b'\r\n+QIURC: "dnsgip",0,2,600\r\n\r\n+QIURC: "dnsgip","10.0.0.1"\r\n'
        b'\r\n+QIURC: "dnsgip","10.0.0.2"\r\n'
    )
    act = lambda: r.m.resolve("example.com", timeout=1000)
    return simple(b'AT+QIDNSGIP=1,"example.com"', answer, act, (["10.0.0.1", "10.0.0.2"], 600))


def kind_ntp(r):
    answer = OK + b'\r\n+QNTP: 0,"19/06/11,11:08:20+32"\r\n'
    act = lambda: r.m.ntp("pool.ntp.org", timeout=1000)
    return simple(b'AT+QNTP=1,"pool.ntp.org"', answer, act, (2019, 6, 11, 11, 8, 20, 32))


def kind_open(r):
    # connectID 3 (A, B, C hold 0-2); the late +QIOPEN URC is for 4.
    def act():
        s = r.m.open("UDP", "10.0.0.9", 5683, mode=r.mode, connect_id=3)
        return s.id, s.kind, s.mode, r.m.sockets.table[3] is s

    cmd = b'AT+QIOPEN=1,3,"UDP","10.0.0.9",5683,0,%d' % r.mode
    return simple(cmd, OK + b"\r\n+QIOPEN: 3,0\r\n", act, (3, "UDP", r.mode, True))


def kind_close(r):
    def act():
        r.a.close()
        return r.m.sockets.table[0] is None, r.a.released

    return simple(b"AT+QICLOSE=0", OK + b"\r\nCLOSE OK\r\n", act, (True, True))


def _inline(r, result, want):
    # send() puts printable text inline in double quotes; in hex format any bytes go inline.
    if r.cfg[2]:
        data = PAYLOAD
        cmd = b"AT+QISEND=0,%d," % len(data) + binascii.hexlify(data)
    else:
        data = b"t:21.5, OK"
        cmd = b'AT+QISEND=0,10,"t:21.5, OK"'
    act = lambda: r.a.send(data)
    return simple(cmd, OK + b"\r\n" + result + b"\r\n", act, len(data) if want is None else want)


def kind_send_ok(r):
    return _inline(r, b"SEND OK", None)


def kind_send_fail(r):
    return _inline(r, b"SEND FAIL", ("SendFailed", 0))


def kind_send_data_mode(r):
    # AT+QISEND=<id>,<len>, the '>' prompt, the data (any bytes; hex in hex format), results.
    cmd = b"AT+QISEND=0,%d\r" % len(PAYLOAD)
    data = binascii.hexlify(PAYLOAD) if r.cfg[2] else PAYLOAD
    replies = [(cmd, records(b"\r\n> ")), (data, records(OK + b"\r\nSEND OK\r\n"))]
    return replies, lambda: r.a.send_fixed(PAYLOAD), len(PAYLOAD), cmd + data, False


def kind_read(r):
    # AT+QIRD in buffer mode: the counted data is one record with its header.
    n = len(PAYLOAD)
    header = b"+QIRD: %d" % n
    if r.cfg[1]:
        header += b",7"  # showlength 1: what remains in this node of the module's buffer
    atoms = [b"\r\n", data_record(header, PAYLOAD, r.cfg), b"\r\n", b"\r\n", b"OK\r\n"]
    r.a.pending = True  # as after its "recv" URC

    def act():
        buf = bytearray(600)
        k = r.a.recv_into(buf, 512, 1000)
        return k, bytes(buf[:k])

    # After a read that got data the driver reads again: the module says nothing until empty.
    return [(b"AT+QIRD=0,512\r", atoms)], act, (n, PAYLOAD), b"AT+QIRD=0,512\r", True


def kind_push(r):
    # Push mode: socket A's own data comes in a "recv" URC, the other URCs around it.
    n = len(PAYLOAD)
    atoms = [b"\r\n", data_record(b'+QIURC: "recv",0,%d' % n, PAYLOAD, r.cfg), b"\r\n"]

    def act():
        # Read as a polling application does: recv_into(timeout=0) gives what has arrived
        # (TCP: any part) or None, and poll() reads on. (A blocking recv_into would wait 1 ms
        # of real time whenever a read brought no data for A: FakeUART cannot be polled.)
        buf = bytearray(600)
        got = b""
        for _ in range(2000):
            k = r.a.recv_into(buf, 0, 0)
            if k is None:
                r.m.poll()
            elif k:
                got += bytes(buf[:k])
            if len(got) >= n or k == 0:
                break
        return got

    return [(None, atoms)], act, PAYLOAD, b"", False


# (name, builder, URC types left out: a stray line of the pending command's own kind is its
# answer by definition)
MODEM_KINDS = (
    ("OK", kind_ok, ()),
    ("ERROR", kind_error, ()),
    ("+CME ERROR", kind_cme_error, ()),
    ("AT+CSQ", kind_csq, ()),
    ("at(AT+CSQ)", kind_csq_raw, ()),
    ("AT+QISTATE?", kind_qistate, ()),
    ("ATE0 echoed", kind_echo, ()),
    ("AT+QIGETERROR", kind_geterror, ()),
    ("AT+QPING", kind_ping, ("qping",)),
    ("AT+QIDNSGIP", kind_resolve, ("dnsgip",)),
    ("AT+QNTP", kind_ntp, ("qntp",)),
)
SOCKET_KINDS = (
    ("AT+QIOPEN", kind_open, ()),
    ("AT+QICLOSE", kind_close, ()),
    ("QISEND inline SEND OK", kind_send_ok, ()),
    ("QISEND inline SEND FAIL", kind_send_fail, ()),
    ("QISEND data mode", kind_send_data_mode, ()),
)

# (viewmode, showlength, hex format both ways, viewmode-1 data in quotes)
ALL_CONFIGS = tuple(
    (v, s, h, q)
    for v in (0, 1)
    for s in (0, 1)
    for h in (False, True)
    for q in ((False, True) if v else (False,))
)
# Answers that carry no socket data do not change with these settings, but the URCs around
# them do: these six give every form of the push URC (viewmode 0/1, text/hex, quoted or
# not) and both forms of the buffer-mode one (showlength 0/1).
COVER_CONFIGS = (
    (0, 0, False, False),
    (0, 1, True, False),
    (1, 0, False, True),
    (1, 1, False, False),
    (1, 0, True, False),
    (1, 1, True, True),
)


def describe(cfg, mode):
    viewmode, showlength, hexfmt, quoted = cfg
    return "%s viewmode %d showlength %d %s%s" % (
        "BUFFER" if mode == bc26.BUFFER else "PUSH",
        viewmode,
        showlength,
        "hex" if hexfmt else "text",
        " quoted" if viewmode and quoted else "",
    )


# --- running an exchange ----------------------------------------------------------------------


def points(replies):
    """Every (reply, record boundary) where the module may start a URC."""
    out = []
    for i in range(len(replies)):
        for k in range(len(replies[i][1]) + 1):
            out.append((i, k))
    return out


def byte_offset(replies, point):
    i, k = point
    return sum(len(a) for a in replies[i][1][:k])


def expected(effects, want_tx, a_pending):
    want = {
        "a_pending": a_pending,
        "a_left": 0,
        "a_flags": (False, 0, False),
        "b_pending": False,
        "b_hint": 0,
        "b_buff_full": 0,
        "b_lost": False,
        "b_closed": False,
        "c_data": b"",
        "c_closed": False,
        "ip": None,
        "reg": None,
        "orphans": 0,
        "closing": 0,
        "closes4": 0,
        "unknown_lines": [],
        "damaged": 0,
        "truncated": 0,
        "overflows": 0,
        "restarts": 0,
        "engine_state": 0,
        "stale": False,
        "tx": want_tx,
    }
    for effect in effects:
        for key in effect:
            if key == "unknown_lines":
                want[key] = want[key] + effect[key]
            else:
                want[key] = effect[key]
    want["unknown"] = len(want["unknown_lines"])
    return want


def exchange(cfg, mode, builder, inserts, chunk, split=-1):
    """One exchange; inserts {(reply, boundary): (wire, effect)}. The list of what went wrong."""
    r = Rig(cfg, mode)
    replies, act, want_result, want_tx, a_pending = builder(r)
    r.u.chunk = chunk
    r.u.split = split
    effects = []
    for i in range(len(replies)):
        trigger, atoms = replies[i]
        mine = {}
        for k in range(len(atoms) + 1):
            if (i, k) in inserts:
                mine[k] = inserts[(i, k)][0]
                effects.append(inserts[(i, k)][1])
        wire = weave(atoms, mine)
        if trigger is None:
            r.u.feed(wire)
        else:
            r.u.reply(trigger, wire)
    got = outcome(act)
    r.drain()
    problems = []
    if got != want_result:
        problems.append("result %s, want %s" % (short(got), short(want_result)))
    have = r.state()
    want = expected(effects, want_tx, a_pending)
    for key in sorted(want):
        if have[key] != want[key]:
            problems.append("%s %s, want %s" % (key, short(have[key]), short(want[key])))
    if r.u.pending_script():
        problems.append("%d scripted replies never triggered" % r.u.pending_script())
    return problems


def short(v):
    s = repr(v)
    return s if len(s) <= 160 else s[:120] + "...(%d chars)" % len(s)


class Failures:
    """Failed exchanges, grouped by (URC, kind): how many, and the first of each in full."""

    def __init__(self, what):
        self.what = what
        self.count = 0
        self.runs = 0
        self.groups = {}
        self.order = []

    def add(self, group, context, problems):
        self.runs += 1
        if not problems:
            return
        self.count += 1
        if group not in self.groups:
            self.groups[group] = [0, context + ": " + "; ".join(problems)]
            self.order.append(group)
        self.groups[group][0] += 1
        assert self.count < MAX_FAILURES, self.report()

    def report(self):
        lines = ["%s: %d of %d exchanges failed" % (self.what, self.count, self.runs)]
        for group in self.order:
            n, first = self.groups[group]
            lines.append("- %s: %d failed; first: %s" % (group, n, first))
        return "\n".join(lines)

    def check(self):
        assert self.runs > 0, self.what + ": nothing ran"
        assert self.count == 0, self.report()


def run_matrix(what, cases):
    """Each case (kind name, builder, URCs left out, cfg, mode) x URC types x record
    boundaries x CHUNKS, one exchange each."""
    fails = Failures(what)
    for kind_name, builder, skip, cfg, mode in cases:
        # The wire's shape does not depend on the URC: take the boundaries from one build.
        replies = builder(Rig(cfg, mode))[0]
        for urc_name, urc, effect in urcs(cfg):
            if urc_name in skip:
                continue
            for point in points(replies):
                for chunk in CHUNKS:
                    problems = exchange(cfg, mode, builder, {point: (urc, effect)}, chunk)
                    context = "URC %s | kind %s | reply %d record boundary %d (byte %d) | chunk %d | %s" % (
                        urc_name,
                        kind_name,
                        point[0],
                        point[1],
                        byte_offset(replies, point),
                        chunk,
                        describe(cfg, mode),
                    )
                    fails.add("%s in %s" % (urc_name, kind_name), context, problems)
    fails.check()


# --- the matrix -------------------------------------------------------------------------------


def test_every_urc_at_every_boundary_of_modem_answers():
    # Socket A's mode does not change these answers: half the settings run with A in each.
    cases = []
    for name, builder, skip in MODEM_KINDS:
        for i in range(len(COVER_CONFIGS)):
            cases.append((name, builder, skip, COVER_CONFIGS[i], MODES[i % 2]))
    run_matrix("modem answers", cases)


def test_every_urc_at_every_boundary_of_socket_answers():
    cases = []
    for name, builder, skip in SOCKET_KINDS:
        for cfg in COVER_CONFIGS:
            for mode in MODES:
                cases.append((name, builder, skip, cfg, mode))
    run_matrix("socket answers", cases)


def test_every_urc_at_every_boundary_of_a_counted_read_in_buffer_mode():
    cases = [("AT+QIRD", kind_read, (), cfg, bc26.BUFFER) for cfg in ALL_CONFIGS]
    run_matrix("counted reads", cases)


def test_every_urc_at_every_boundary_of_pushed_data_in_push_mode():
    cases = [("push recv of A", kind_push, (), cfg, bc26.PUSH) for cfg in ALL_CONFIGS]
    run_matrix("pushed data", cases)


# The split test puts one URC at each record boundary, in this order: the push to C lands
# right after the counted data (boundary 2), so a second counted record follows the first.
SPLIT_ORDER = ("closed B", "recv B", "push C", "+IP", "ctzeu", "late +QIOPEN 4")


def pick(cfg, names):
    forms = urcs(cfg)
    return [[f for f in forms if f[0] == name or f[0].startswith(name + ",")][0] for name in names]


def test_every_split_point_of_counted_answers_with_urcs_around():
    fails = Failures("split points")
    for name, builder, mode in (("AT+QIRD", kind_read, bc26.BUFFER), ("push recv", kind_push, bc26.PUSH)):
        for cfg in ALL_CONFIGS:
            if builder is kind_push and cfg[1]:
                continue  # showlength changes nothing in push mode but B's URC, covered above
            order = pick(cfg, SPLIT_ORDER)
            replies = builder(Rig(cfg, mode))[0]
            inserts = {}
            names = []
            for k in range(len(replies[0][1]) + 1):
                urc_name, wire, effect = order[k % len(order)]
                inserts[(0, k)] = (wire, effect)
                names.append(urc_name)
            total = len(weave(replies[0][1], dict((k, inserts[(0, k)][0]) for k in range(len(names)))))
            for cut in range(total + 1):
                problems = exchange(cfg, mode, builder, inserts, 0, cut)
                context = "URCs %s at boundaries 0-%d | kind %s | one split at byte %d of %d | %s" % (
                    ", ".join(names),
                    len(names) - 1,
                    name,
                    cut,
                    total,
                    describe(cfg, mode),
                )
                fails.add(name, context, problems)
    fails.check()


# (name, wire, the pending command's error, whether the module came back with echo on, how
# many of its lines nobody knows: the boot banner's F1: and T0:)
BANNERS = (
    ("RDY", b"\r\nRDY\r\n", "module restarted", True, 0),
    ("BROM", b"\r\nF1: 0000 0000\n\rT0: 0000 00B4\n\rLeaving the BROM\n\r", "module restarted", True, 2),
    ("POWERED DOWN", b"\r\nPOWERED DOWN\r\n", "module powered down", False, 0),
)


def test_a_restart_aborts_the_pending_command_cleanly():
    # Not a URC that may come in the middle of an answer: the module restarting, or powering
    # down. The pending command fails at once with "module restarted" (or "module powered
    # down"), whatever of its answer had come (the rest never comes), every socket is dropped,
    # echo is turned off again at the next poll after a restart, and the next command gets
    # its own answer. POWERED DOWN is never taken for a line of the answer (at() collects
    # bare lines).
    fails = Failures("restart")
    kinds = (
        ("AT+CSQ", kind_csq),
        ("at(AT+CSQ)", kind_csq_raw),
        ("AT+QIOPEN", kind_open),
        ("AT+QIRD", kind_read),
        ("QISEND data mode", kind_send_data_mode),
    )
    cfg = (0, 1, False, False)
    for name, builder in kinds:
        for banner_name, banner, reason, echo_on, unknown in BANNERS:
            # Every boundary but the last: there the command is no longer pending.
            for point in points(builder(Rig(cfg, bc26.BUFFER))[0])[:-1]:
                for chunk in (0, 1):
                    problems = restart(cfg, builder, point, (banner, reason, echo_on, unknown), chunk)
                    context = "%s | kind %s | reply %d record boundary %d | chunk %d" % (
                        banner_name,
                        name,
                        point[0],
                        point[1],
                        chunk,
                    )
                    fails.add(banner_name + " in " + name, context, problems)
    fails.check()


def restart(cfg, builder, point, how, chunk):
    banner, reason, echo_on, unknown = how
    r = Rig(cfg, bc26.BUFFER)
    replies, act = builder(r)[:2]
    r.u.chunk = chunk
    i, k = point
    for j in range(i + 1):
        atoms = replies[j][1] if j < i else replies[j][1][:k] + [banner]
        r.u.reply(replies[j][0], b"".join(atoms))
    # A failed open is closed (the manual asks for it); the restarted module, echo on, has
    # nothing open there.
    r.u.auto(b"AT+QICLOSE=3\r", b"AT+QICLOSE=3\r\r\nERROR\r\n")
    got = outcome(act)
    for _ in range(100):  # the banner after a completed answer (no deferred work yet)
        r.m.engine.poll()
    problems = []
    if got != ("BC26Error", None, reason):
        problems.append("result %s, want the error %r" % (short(got), reason))
    if r.m.sockets.restarts != int(echo_on) or r.m.sockets.table != [None] * 5:
        problems.append("restarts %d, socket table %r" % (r.m.sockets.restarts, r.m.sockets.table))
    if builder is kind_csq_raw:
        unknown = 0  # at() collects bare lines: the banner's went with the command it failed
    if r.m.engine.unknown != unknown:
        problems.append("%d unknown lines, want %d" % (r.m.engine.unknown, unknown))
    if not r.m.engine.stale:
        # The next command resynchronises first: what was sent into the boot may still be
        # answered (test_reliability covers the resync).
        problems.append("not stale after %s" % banner)
    r.m.engine.stale = False
    sent = len(r.u.tx)
    if echo_on:
        r.u.reply(b"ATE0\r", b"ATE0\r" + OK)
    r.m.poll()
    r.u.reply(b"AT+CSQ\r", b"\r\n+CSQ: 7,99\r\n" + OK)
    after = outcome(lambda: r.m.command("AT+CSQ", expect=(b"+CSQ:",)))
    if after != [b"+CSQ: 7,99"]:
        problems.append("the next command got %s" % short(after))
    if bytes(r.u.tx[sent:]) != (b"ATE0\rAT+CSQ\r" if echo_on else b"AT+CSQ\r"):
        problems.append("sent afterwards %s" % short(bytes(r.u.tx[sent:])))
    return problems
