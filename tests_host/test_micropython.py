# Runs every test module marked "Also runs under MicroPython" in the real MicroPython unix
# port, so one pytest run proves the library under both runtimes (compiled to .mpy, as
# boards load it; the device and e2e tests run it from the .py sources). A missing micropython
# binary is a failure, not a skip: the test command installs it.
import os
import sys

import pytest

from mp import ROOT, run_micropython

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


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    # The library as a board runs it: .mpy files (README says to install those), built from
    # lib/ as it is now, line numbers kept. From .py sources, a module loaded on first use is
    # compiled in a heap that earlier tests cut up, and whether the compiler finds its
    # 640 bytes in one piece there decided test_interleave's outcome, not the library.
    sys.path.insert(0, os.path.join(ROOT, "tools", "packaging"))
    import build_mpy

    out = str(tmp_path_factory.mktemp("mpy"))
    build_mpy.build(out)
    return out


@pytest.mark.parametrize("module", shared_modules())
def test_under_micropython(module, compiled):
    proc = run_micropython([os.path.join(HERE, "mp_run.py"), module], before=(compiled,))
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    assert "micropython: " in out and " 0 failed" in out, out
    assert " 0 passed" not in out, out
