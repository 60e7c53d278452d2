# The model-based test of issue 13: random sequences of the public API against a scripted
# BC26 (scripted.py) that answers like the manual, slowly, in pieces, with URCs between
# records, late trailers and seeded damage; invariants after every step (modelcore.py).
#
# - ModelMachine: hypothesis' RuleBasedStateMachine over the same rules, under CPython
#   (hypothesis chooses and shrinks the sequence).
# - test_seeded_*: modelcore's seeded driver, here and in the MicroPython unix port; a seed
#   replays the same sequence in both runtimes.
# - test_aio_*: the asyncio layer, with asyncio.wait_for cancelling at random points.
# tools/checks/soak.py runs the long version (make soak).
#
# Today's lib/ passes these short runs; what the model still finds in longer ones (make soak)
# is cut down to one small reproduction per class in test_attacks.py (strict xfail until fixed).
import os
import sys

import modelcore
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from modelcore import Harness, Rules, USocketRules

from mp import run_micropython

HERE = os.path.dirname(os.path.abspath(__file__))

# The short version, in the test command; tools/checks/soak.py runs more of each.
SEEDS = 40  # sequences per kind (blocking API, usocket) in each runtime
STEPS = 80  # rules per sequence
MACHINE_EXAMPLES = 60  # hypothesis sequences
MACHINE_STEPS = 80


class ModelMachine(RuleBasedStateMachine):
    """The rules of modelcore.Rules and USocketRules, sequenced by hypothesis."""

    @initialize(seed=st.integers(0, 2**31 - 1), max_wait=st.sampled_from((None, 500, 3000)))
    def setup(self, seed, max_wait):
        # The module's format and fault rates come from the seed, as in the seeded driver.
        self.h = Harness(seed)
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

    # Each rule is one step of the seeded driver (modelcore.one_step / usocket_step: the
    # same weights over every API call and act of the world), its choices drawn from a seed
    # hypothesis picks; hypothesis chooses the layer and the number of steps, and shrinks both.
    @rule(seed=st.integers(0, 2**32 - 1))
    def api_step(self, seed):
        modelcore.one_step(self.rules, modelcore.Rng(seed))

    @rule(seed=st.integers(0, 2**32 - 1))
    def api_step_too(self, seed):  # twice the weight of the usocket layer
        modelcore.one_step(self.rules, modelcore.Rng(seed))

    @rule(seed=st.integers(0, 2**32 - 1))
    def usocket_step(self, seed):
        modelcore.usocket_step(self.u, modelcore.Rng(seed))

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
    derandomize=True,  # the same sequences every run
    suppress_health_check=list(HealthCheck),
    print_blob=True,
    # No shrinking in the test command (minutes on a sequence this long); the first failure
    # is raised as it is. MODEL_SHRINK=1 shrinks, to find a short sequence by hand.
    phases=(Phase.explicit, Phase.generate, Phase.shrink)
    if os.environ.get("MODEL_SHRINK")
    else (Phase.explicit, Phase.generate),
    report_multiple_bugs=False,
)


def test_seeded_blocking_api():
    found = modelcore.run_many(1, SEEDS, STEPS, ("sock",))
    if found:
        raise modelcore.Finding("several", _summary(found))


def test_seeded_usocket():
    found = modelcore.run_many(1, SEEDS, STEPS, ("usocket",))
    if found:
        raise modelcore.Finding("several", _summary(found))


def _summary(found):
    return "; ".join(
        "%s x%d (first seed %d: %s)" % (k, v[0], v[1], v[2][:160]) for k, v in sorted(found.items())
    )


MP_SCRIPT = """
import modelcore
found = modelcore.run_many(1, %d, %d, ("sock", "usocket"))
print("model: %%d sequences of %d steps, %%d finding classes" %% (%d, len(found)))
for k in found:
    print("class %%s x%%d first seed %%d" %% (k, found[k][0], found[k][1]))
"""


def test_seeded_micropython():
    code = MP_SCRIPT % (SEEDS, STEPS, STEPS, 2 * SEEDS)
    proc = run_micropython(["-c", code], heapsize="2m", timeout=600)
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    assert "finding classes" in out, out
    assert ", 0 finding classes" in out, out


AIO_SEEDS = 2  # asyncio sequences per runtime (real time: about 6 s each)
AIO_STEPS = 25


def test_aio_cancellation():
    # Not marked: today's library passes these seeds (the clock is real, so a failure here
    # may not replay exactly: the transcript in the message is the evidence).
    for seed in range(1, 1 + AIO_SEEDS):
        modelcore.run_aio(seed, AIO_STEPS)


def test_aio_cancellation_micropython():
    code = "import modelcore\nfor s in range(1, %d):\n    modelcore.run_aio(s, %d)\nprint('aio: passed')\n"
    code = code % (1 + AIO_SEEDS, AIO_STEPS)
    proc = run_micropython(["-c", code], heapsize="2m", timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "aio: passed" in out, out


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
