# README's first command must keep working: run the demo as a newcomer would (after setup).
import os
import subprocess
import sys

from mp import ROOT


def test_demo_passes_every_step():
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "demo.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    assert "demo: 12 passed, 0 failed" in out, out
    assert "> AT+QIOPEN=1,0,\"UDP\"" in out and "summary: all steps passed" in out, out
