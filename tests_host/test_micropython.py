# Runs every test module marked "Also runs under MicroPython" in the real MicroPython unix
# port, so one pytest run proves the library under both runtimes. A missing micropython
# binary is a failure, not a skip: the test command installs it.
import os

import pytest

from mp import run_micropython

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = "# Also runs under MicroPython"


def shared_modules():
    names = []
    for fn in sorted(os.listdir(HERE)):
        if fn.startswith("test_") and fn.endswith(".py"):
            with open(os.path.join(HERE, fn)) as f:
                if f.readline().startswith(MARK):
                    names.append(fn[:-3])
    return names


@pytest.mark.parametrize("module", shared_modules())
def test_under_micropython(module):
    proc = run_micropython([os.path.join(HERE, "mp_run.py"), module])
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    assert "micropython: " in out and " 0 failed" in out, out
    assert " 0 passed" not in out, out
