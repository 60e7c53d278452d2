# The model-based test of issue 13: random sequences of the public API against a scripted
# BC26 (scripted.py) that answers like the manual, slowly, in pieces, with URCs between
# records, late trailers and seeded damage; invariants after every step (modelcore.py).
#
# - ModelMachine: hypothesis' RuleBasedStateMachine over the same rules, under CPython
#   (hypothesis chooses and shrinks the sequence).
# - test_seeded_*: modelcore's seeded driver, here and in the MicroPython unix port; a seed
#   replays the same sequence in both runtimes.
# - test_aio_*: the asyncio layer, with asyncio.wait_for cancelling at random points.
# tools/soak.py runs the long version (make soak).
#
# XFAIL: lib/ still fails the invariants (issue 13's list; /work/notes/h13model-findings.md
# and test_attacks.py hold one small reproduction per class). The marks are strict: once the
# fixes land, these pass, pytest reports XPASS as a failure, and the mark is to be removed.
import os
import sys

import modelcore
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from modelcore import SEND_FORMS, Harness, Rules, USocketRules

from mp import run_micropython

HERE = os.path.dirname(os.path.abspath(__file__))

UNFIXED = pytest.mark.xfail(
    strict=True, raises=modelcore.Finding, reason="issue 13: lib/ unfixed (see test_attacks.py)"
)

# The short version, in the test command; tools/soak.py runs more of each.
SEEDS = 40  # sequences per kind (blocking API, usocket) in each runtime
STEPS = 80  # rules per sequence
MACHINE_EXAMPLES = 40  # hypothesis sequences
MACHINE_STEPS = 50


class ModelMachine(RuleBasedStateMachine):
    """The rules of modelcore.Rules and USocketRules, chosen by hypothesis."""

    @initialize(
        seed=st.integers(0, 2**31 - 1),
        fmt=st.tuples(st.integers(0, 1), st.booleans(), st.booleans(), st.integers(0, 1)),
        damage=st.booleans(),
        max_wait=st.sampled_from((None, 500, 3000)),
    )
    def setup(self, seed, fmt, damage, max_wait):
        self.h = Harness(seed, fmt=fmt, damage=damage)
        self.rules = Rules(self.h)
        self.u = USocketRules(self.h, max_wait)

    def teardown(self):
        h = getattr(self, "h", None)
        if h is None:
            return
        try:
            h.settle(lambda: h.call("poll (settling)", h.modem.poll, 2000 + 2 * 12000))
            h.call("sync (final)", h.modem.sync, 10 * 300 + 300)
        finally:
            h.close()

    def _live(self, i):
        live = self.rules.live()
        return live[i % len(live)] if live else None

    def _ulive(self):
        x = self.u.cur
        return x if x is not None and not x.dead else None

    @rule(kind=st.sampled_from(("TCP", "UDP")), mode=st.integers(0, 1))
    def open(self, kind, mode):
        if len([x for x in self.h.handles if not x.dead]) < 5:
            self.rules.open(kind, mode)

    @precondition(lambda self: self.rules.live())
    @rule(
        i=st.integers(0, 4),
        form=st.sampled_from(SEND_FORMS),
        size=st.sampled_from((1, 5, 40, 300, 1024, 1500, 3000)),
        seed=st.integers(0, 2**31),
    )
    def send(self, i, form, size, seed):
        self.rules.send(self._live(i), form, size, seed)

    @precondition(lambda self: self.rules.live())
    @rule(
        i=st.integers(0, 4),
        n=st.sampled_from((1, 7, 64, 300, 512, 1024)),
        timeout=st.sampled_from((0, 50, 500, 3000, -1)),
        into=st.booleans(),
    )
    def recv(self, i, n, timeout, into):
        self.rules.recv(self._live(i), n, timeout, into)

    @precondition(lambda self: self.rules.live())
    @rule(i=st.integers(0, 4))
    def close(self, i):
        self.rules.close(self._live(i))

    @precondition(lambda self: self.rules.live())
    @rule(i=st.integers(0, 4), mode=st.integers(0, 1))
    def set_mode(self, i, mode):
        self.rules.set_mode(self._live(i), mode)

    @rule()
    def resolve(self):
        self.rules.resolve()

    @rule(count=st.integers(1, 4))
    def ping(self, count):
        self.rules.ping(count)

    @rule()
    def sync(self):
        self.rules.sync()

    @rule()
    def poll(self):
        self.rules.poll()

    @rule()
    def command(self):
        self.rules.command()

    @precondition(lambda self: self.rules.live())
    @rule(i=st.integers(0, 4), n=st.sampled_from((1, 10, 100, 700, 1500, 3000)))
    def peer_send(self, i, n):
        self.rules.peer_send(self._live(i), n)

    @precondition(lambda self: self.rules.live())
    @rule(i=st.integers(0, 4))
    def peer_close(self, i):
        self.rules.peer_close(self._live(i))

    @rule(ms=st.sampled_from((10, 300, 2000, 12000)))
    def wait(self, ms):
        self.rules.wait(ms)

    @rule()
    def settle(self):
        self.rules.settle()

    @rule(udp=st.booleans())
    def usocket_connect(self, udp):
        if self._ulive() is None and len([x for x in self.h.handles if not x.dead]) < 5:
            self.u.connect(udp)

    @precondition(lambda self: self._ulive() is not None)
    @rule(size=st.sampled_from((2, 10, 100, 600)), seed=st.integers(0, 2**31))
    def usocket_write(self, size, seed):
        self.u.write(self._ulive(), size, seed)

    @precondition(lambda self: self._ulive() is not None)
    @rule(
        n=st.sampled_from((1, 2, 4, 64, 300)),
        t=st.sampled_from((None, 0.05, 0.5, 3)),
        how=st.sampled_from(("read", "recv", "readline")),
    )
    def usocket_read(self, n, t, how):
        x = self._ulive()
        if t is None and self.u.pool.max_wait_ms is None:
            t = 3  # no ceiling at all waits as long as the peer takes (README)
        self.u.read(x, n, t, "recv" if x.ms.udp else how)

    @precondition(lambda self: self._ulive() is not None)
    @rule(n=st.sampled_from((2, 20, 300, 1000)))
    def usocket_peer_send(self, n):
        x = self._ulive()
        if self.h.mod.sockets.get(x.ms.cid) is x.ms:
            self.h.mod.peer_send(x.ms.cid, n)

    @precondition(lambda self: self._ulive() is not None)
    @rule()
    def usocket_close(self):
        self.u.close(self._ulive())

    @invariant()
    def engine_idle(self):
        h = getattr(self, "h", None)
        if h is not None and h.modem.engine.state not in (0, 5):
            raise modelcore.Finding("engine-left-pending", "between calls")


TestModelMachine = ModelMachine.TestCase
TestModelMachine.settings = settings(
    max_examples=MACHINE_EXAMPLES,
    stateful_step_count=MACHINE_STEPS,
    deadline=None,
    derandomize=True,  # the same sequences every run: an xfail mark cannot flip by chance
    suppress_health_check=list(HealthCheck),
    print_blob=True,
    # No shrinking in the test command (minutes on a sequence this long); the first failure
    # is raised as it is. MODEL_SHRINK=1 shrinks, to find a short sequence by hand.
    phases=(Phase.explicit, Phase.generate, Phase.shrink) if os.environ.get("MODEL_SHRINK") else (Phase.explicit, Phase.generate),
    report_multiple_bugs=False,
)


@UNFIXED
def test_seeded_blocking_api():
    found = modelcore.run_many(1, SEEDS, STEPS, ("sock",))
    if found:
        raise modelcore.Finding("several", _summary(found))


def test_seeded_usocket():
    found = modelcore.run_many(1, SEEDS, STEPS, ("usocket",))
    if found:
        raise modelcore.Finding("several", _summary(found))


def _summary(found):
    return "; ".join("%s x%d (first seed %d: %s)" % (k, v[0], v[1], v[2][:160]) for k, v in sorted(found.items()))


MP_SCRIPT = """
import modelcore
found = modelcore.run_many(1, %d, %d, ("sock", "usocket"))
print("model: %%d sequences of %d steps, %%d finding classes" %% (%d, len(found)))
for k in found:
    print("class %%s x%%d first seed %%d" %% (k, found[k][0], found[k][1]))
"""


@pytest.mark.xfail(strict=True, reason="issue 13: lib/ unfixed (see test_attacks.py)")
def test_seeded_micropython():
    code = MP_SCRIPT % (SEEDS, STEPS, STEPS, 2 * SEEDS)
    proc = run_micropython(["-c", code], heapsize="2m", timeout=600)
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    assert "finding classes" in out, out
    assert ", 0 finding classes" in out, out


def test_scripted_module_is_not_fooled_by_a_plain_exchange():
    # The harness itself: a clean module (no damage) and a few calls that today's library
    # gets right pass every check, so a finding is about the library, not the model.
    h = Harness(7, fmt=(0, False, False, 0), damage=False)
    try:
        r = Rules(h)
        x = r.open("TCP", 0)
        assert x is not None
        h.mod.peer_send(x.ms.cid, 300)
        got = 0
        while got < 300:
            data = r.recv(x, 512, 3000)
            assert data, data
            got += len(data)
        r.send(x, "send", 40, 5)
        r.close(x)
        h.settle(h.modem.poll)
        assert h.mod.open_ids() == []
    finally:
        h.close()


def test_checker_sees_a_gap():
    # The data check fails on a gap nobody reported, and passes it after DataLost.
    h = Harness(3, fmt=(0, False, False, 0), damage=False)
    try:
        x = Rules(h).open("TCP", 0)
        h.mod.peer_send(x.ms.cid, 100)
        st_ = bytes(x.ms.stream)
        h.got(x, st_[:10], "first")
        with pytest.raises(modelcore.Finding, match="silent-gap"):
            h.got(x, st_[20:40], "after a gap")
        x.lost_seen = True
        h.got(x, st_[20:40], "after DataLost")
        with pytest.raises(modelcore.Finding, match="duplicate"):
            h.got(x, st_[20:40], "again")
    finally:
        h.close()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
