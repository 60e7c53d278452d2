# Fuzzing the receiver and engine with random and mutated module output.
#
# Plain Python that MicroPython runs too: test_fuzz.py runs a few seeds in both runtimes,
# tools/checks/soak.py runs thousands in the unix port, test_fuzz_hypothesis.py lets hypothesis
# choose the bytes under CPython. One round feeds a random mix of well-formed records,
# mutated ones and raw garbage, in random chunk sizes, sometimes while a command waits, and
# then checks:
# - only documented exceptions (BC26Error, BC26Timeout) came out;
# - every wait ended by its deadline;
# - the buffer indices stayed inside the preallocated buffer, push rings inside their size;
# - a well-formed record after the garbage is still recognised.
import random
import sys

from scripted import Clock

import bc26
import bc26.engine_rare
import bc26.openclose
import bc26.resync
import bc26.sockets_rare
from bc26.errors import BC26Error
from fakeuart import FakeUART

try:
    from time import ticks_add, ticks_diff
except ImportError:
    from bc26._compat import ticks_add, ticks_diff

# The library runs on a virtual clock (scripted.Clock) while it is fuzzed: what the garbage
# makes it wait for (a 30 ms command timeout, the resync's 300 ms of quiet after it, the 2 s
# before a deferred close is tried again) costs no real time, and the bounds are checked on
# that clock. The rare modules imported above would otherwise keep the real one; a module
# loaded during a round gets the virtual clock from the next round on.
CLOCK = Clock(True)
ticks_ms = CLOCK.ticks_ms


def clock_on():
    CLOCK.uninstall()
    CLOCK.install([m for n, m in sys.modules.items() if n.startswith("bc26") and m is not None])


def clock_off():
    CLOCK.uninstall()

RECORDS = (
    b"\r\nOK\r\n",
    b"\r\nERROR\r\n",
    b"\r\n+CME ERROR: 552\r\n",
    b"\r\nSEND OK\r\n",
    b"\r\nSEND FAIL\r\n",
    b"\r\nCLOSE OK\r\n",
    b"\r\n> ",
    b">",
    b'\r\n+QIURC: "recv",1\r\n',
    b'\r\n+QIURC: "recv",1,7\r\n',
    b'\r\n+QIURC: "recv",2,5\r\nhe\r\nl',
    b'\r\n+QIURC: "recv",2,4,"ab\r\n"\r\n',
    b'\r\n+QIURC: "recv",1,"buff full"\r\n',
    b'\r\n+QIURC: "closed",3\r\n',
    b'\r\n+QIURC: "dnsgip",0,1,600\r\n',
    b'\r\n+QIURC: "pdpdeact",1\r\n',
    b"\r\n+QIOPEN: 4,0\r\n",
    b"\r\n+QIRD: 3\r\nabc\r\n\r\nOK\r\n",
    b"\r\n+QIRD: 0\r\n\r\nOK\r\n",
    b'\r\n+QISTATE: 0,"TCP","1.2.3.4",80,0,2,1,0\r\n',
    b"\r\n+IP: 10.0.0.7\r\n",
    b"\r\n+CEREG: 1\r\n",
    b"\r\n+CSQ: 19,99\r\n",
    b"AT+CSQ\r",
    b"\r\nRDY\r\n",
    b"\r\n+QNEW: 1,2\r\n",
)
SENTINEL = b"\r\n+ZZSENTINEL: 1\r\n"


class Seen:
    def __init__(self):
        self.count = 0

    def __call__(self, buf, s, e):
        self.count += 1


def _rand_bytes(n):
    return bytes(random.getrandbits(8) for _ in range(n))


def _mutate(data):
    data = bytearray(data)
    for _ in range(random.randint(1, 3)):
        op = random.randint(0, 3)
        i = random.randint(0, len(data)) if data else 0
        if op == 0 and data:
            data[i % len(data)] ^= 1 << random.randint(0, 7)
        elif op == 1:
            data[i:i] = _rand_bytes(random.randint(1, 4))
        elif op == 2 and data:
            data[i : i + random.randint(1, 4)] = b""
        else:
            data[i:i] = random.choice(RECORDS)
    return bytes(data)


def garbage():
    """A random stretch of module output: records, mutated records, raw bytes."""
    out = bytearray()
    for _ in range(random.randint(1, 12)):
        k = random.randint(0, 9)
        if k < 5:
            out += random.choice(RECORDS)
        elif k < 8:
            out += _mutate(random.choice(RECORDS))
        else:
            out += _rand_bytes(random.randint(1, 40))
    return bytes(out)


def make(chunk, rxbuf, viewmode, recv_hex, showlength):
    u = FakeUART(chunk)
    # The module answers the resync after a timeout; the commands under test get only the
    # garbage, and time out quickly.
    u.auto(b"\rAT\r", b"\r\nOK\r\n")
    m = bc26.Modem(u, rxbuf=rxbuf)
    net = m.sockets
    net.known = True
    net.viewmode = viewmode
    net.recv_hex = recv_hex
    net.showlength = showlength
    net.cmd_timeout = net.close_timeout = 30
    for cid, mode in ((1, bc26.BUFFER), (2, bc26.PUSH), (3, bc26.BUFFER)):
        net.table[cid] = bc26.Socket(net, cid, "TCP", mode, 256)
    seen = Seen()
    m.on(b"+ZZSENTINEL:", seen)
    return u, m, seen


def expire_data(u, m):
    """Read all the garbage, then let counted data it claimed run out its deadline.

    Garbage still unread when the sentinel follows could claim it as data (a header with
    its data missing), as a module's real data would be: only after the garbage is all in
    is the next record's recognition a fair test.
    """
    for _ in range(1000):
        if not u.any():
            break
        try:
            m.poll()
        except BC26Error:
            pass
    e = m.engine
    if e._counting:
        e.step()  # starts the data's deadline
        e._data_deadline = ticks_add(ticks_ms(), -1)  # as if it had passed
        e.step()


def sentinel_seen(u, m, seen):
    """Feed a well-formed record after the garbage: is it recognised?"""
    before = seen.count
    u.feed(SENTINEL)
    for _ in range(200):
        m.poll()
        if seen.count > before:
            break
    m.poll()
    check_bounds(m)
    return seen.count > before


def check_bounds(m):
    e = m.engine
    assert 0 <= e._r <= e._w <= len(e.buf), (e._r, e._w)
    assert len(e.buf) == e._size
    for s in m.sockets.table:
        if s is not None and s.ring is not None:
            assert 0 <= s.ring.used <= s.ring.size


def one_round():
    clock_on()
    try:
        _one_round()
    finally:
        clock_off()


def _one_round():
    u, m, seen = make(
        random.choice((0, 0, 1, 2, 3, 7, 16)),
        random.choice((64, 128, 1536)),
        random.randint(0, 1),
        random.randint(0, 1) == 1,
        random.randint(0, 1),
    )
    for _ in range(random.randint(1, 4)):
        u.feed(garbage())
        if random.randint(0, 2) == 0:
            t0 = ticks_ms()
            try:
                m.at("AT+CSQ", 30)
            except BC26Error:  # BC26Timeout is one too
                pass
            # Its own 30 ms, plus the resync after an earlier timeout, which README promises
            # to end within (2 x 3 + 4) x 300 ms (sync_steps); 250 ms for the clock's coarse
            # steps (scripted.Clock).
            took = ticks_diff(ticks_ms(), t0)
            assert took < 30 + 3000 + 250, "a command outlived its deadline: %d ms" % took
        if random.randint(0, 3) == 0:
            s = m.sockets.table[random.choice((1, 2, 3))]
            if s is not None:
                try:
                    s.recv_into(bytearray(64), 0, 0)
                except BC26Error:
                    pass
        for _ in range(random.randint(1, 5)):
            m.poll()
        check_bounds(m)
    expire_data(u, m)
    assert sentinel_seen(u, m, seen), "the record after the garbage was not recognised"


def run(seed, rounds):
    random.seed(seed)
    for _ in range(rounds):
        one_round()
    return rounds
