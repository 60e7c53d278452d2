# README's first command must keep working: run the demo as a newcomer would (after setup).
import os
import subprocess
import sys

import pytest

from mp import ROOT


# Tidy, and the realistic profile: a newcomer's first sight must survive a module that hands
# over replies in pieces, answers slowly and prints URCs in between (issue 13 item 21).
@pytest.mark.parametrize("profile", ["tidy", "realistic"])
def test_demo_passes_every_step(profile):
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "demo", "demo.py"), "--profile", profile]
        + ["--seed", "13"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    assert "demo: 12 passed, 0 failed" in out, out
    assert '> AT+QIOPEN=1,0,"UDP"' in out and "summary: all steps passed" in out, out
