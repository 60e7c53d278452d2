# What a program loads on its common paths, each run in a fresh interpreter of both runtimes
# (a module loaded once stays loaded: only a fresh one says what a path needs).
import os
import subprocess
import sys

import pytest

from mp import HERE, ROOT, run_micropython

# A module that boots while the board is already talking: it misses the first two ATs, as a
# cold boot's or a deep-sleep wake's first bytes often are, then answers. Those ATs time out,
# and so does a plain command the module never answers. Neither owes the module anything
# (no prompt, no trailer), so neither may load engine_rare.py, 3.3 KB of heap at every wake.
MISSED_ATS = """
import sys
import bc26
from bc26.errors import BC26Timeout
from fakeuart import FakeUART


class Booting(FakeUART):
    deaf = 2  # ATs missed

    def write(self, buf, off=0, n=None):
        n = super().write(buf, off, n)
        if self.tx.endswith(b"AT\\r"):
            if self.deaf:
                self.deaf -= 1
            else:
                self.feed(b"\\r\\nOK\\r\\n")
        return n


u = Booting()
m = bc26.Modem(u)
m.sync(5)
assert bytes(u.tx).count(b"AT\\r") >= 3 and not u.deaf, bytes(u.tx)
try:
    m.command("AT+CSQ", timeout=50)
    raise AssertionError("no timeout")
except BC26Timeout as e:
    assert "timeout: AT+CSQ" in str(e), str(e)
assert m.engine.stale
m.sync(5)
print("LOADED", " ".join(sorted(k[5:] for k in sys.modules if k.startswith("bc26."))))
"""


def loaded(out):
    for line in out.splitlines():
        if line.startswith("LOADED "):
            return line.split()[1:]
    raise AssertionError(out)


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_missed_ats_and_a_plain_timeout_load_no_rare_engine_code(runtime):
    if runtime == "cpython":
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "lib"), HERE]))
        proc = subprocess.run(
            [sys.executable, "-c", MISSED_ATS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
    else:
        proc = run_micropython(["-c", MISSED_ATS], timeout=60)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    mods = loaded(out)
    assert "resync" in mods, mods  # the sync itself
    assert "engine_rare" not in mods, mods
