# Runs every test module marked "Also runs under MicroPython" in the real MicroPython unix
# port, so one pytest run proves the library under both runtimes. A missing micropython
# binary is a failure, not a skip: the test command installs it.
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MARK = "# Also runs under MicroPython"


def micropython():
    exe = os.path.join(os.path.dirname(sys.executable), "micropython")
    if os.path.exists(exe):
        return exe
    exe = shutil.which("micropython")
    if not exe:
        pytest.fail("no micropython binary: run the README test command (it installs it)")
    return exe


def shared_modules():
    names = []
    for fn in sorted(os.listdir(HERE)):
        if fn.startswith("test_") and fn.endswith(".py"):
            with open(os.path.join(HERE, fn)) as f:
                if f.readline().startswith(MARK):
                    names.append(fn[:-3])
    return names


def run_micropython(args, heapsize="256k", timeout=300):
    env = dict(os.environ)
    env["MICROPYPATH"] = ".frozen:" + os.path.join(ROOT, "lib") + ":" + HERE
    return subprocess.run(
        [micropython(), "-X", "heapsize=" + heapsize] + args,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("module", shared_modules())
def test_under_micropython(module):
    proc = run_micropython([os.path.join(HERE, "mp_run.py"), module])
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    assert "micropython: " in out and " 0 failed" in out, out
    assert " 0 passed" not in out, out
