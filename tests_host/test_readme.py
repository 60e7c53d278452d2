# README's ```python blocks run as written, each in the MicroPython unix port against the
# emulator and local servers (tools/demo/run_example.py's rig: the names the README uses, such as
# example.com, pool.ntp.org, test.mosquitto.org and 192.0.2.10, point at 127.0.0.1). A snippet
# that rots fails here. What a snippet takes for granted is set up before it, and only that:
# `uart` (the emulator's UART, when the snippet names it), a started `modem` (when it uses one
# without making it), `host`/`port` (a TCP echo), `data`, `buf`, `n` and `handler`; the board
# the README names (esp32_devkitc) is the unix port's stand-in; for the TLS snippet (port 8883)
# a mosquitto TLS listener whose certificate names broker.example, and its CA in ca.der. A block
# whose first line is "# README: not run here" is skipped (there are none today).
import os
import re

import pytest

from mp import ROOT
from tools.demo.run_example import LocalRig

SKIP = "# README: not run here"


def blocks():
    """[(line number, code)] of README's ```python blocks."""
    with open(os.path.join(ROOT, "README.md")) as f:
        lines = f.read().split("\n")
    out, start = [], None
    for i, line in enumerate(lines):
        if start is None and line.strip() == "```python":
            start = i + 1
        elif start is not None and line.strip() == "```":
            out.append((start, "\n".join(lines[start:i])))
            start = None
    return out


def prelude(code, rig):
    pre = ["import sys", "import bc26", "import unix", "sys.modules['esp32_devkitc'] = unix"]
    uses = lambda name: re.search(r"(?<![.\w])%s\b" % name, code) is not None  # noqa: E731
    defines_modem = re.search(r"^\s*modem\s*=", code, re.M) is not None
    if uses("uart") or (uses("modem") and not defines_modem):
        pre.append("uart = unix.uart()")
    if uses("modem") and not defines_modem:
        pre += ["modem = bc26.Modem(uart)", "modem.start()", "modem.wait_network(10000)"]
    pre += [
        "host, port = '127.0.0.1', %d" % rig.tcp.port,
        "data = b'the quick brown fox jumps over the lazy dog, ' * 3",
        "buf = bytearray(64)",
        "n = 64",
        "handler = lambda buf, start, end: print('URC', bytes(buf[start:end]))",
    ]
    return "\n".join(pre) + "\n"


BLOCKS = blocks()


def test_the_readme_has_python_blocks():
    assert len(BLOCKS) >= 6
    assert sum(1 for _, code in BLOCKS if code.lstrip().startswith(SKIP)) <= 1


@pytest.mark.parametrize("line,code", BLOCKS, ids=["README.md:%d" % n for n, _ in BLOCKS])
def test_readme_block_runs(line, code):
    if code.lstrip().startswith(SKIP):
        pytest.skip("marked: needs a board")
    with LocalRig(mqtt="umqtt" in code, tls="8883" in code) as rig:
        script = prelude(code, rig) + code + "\nprint('README block done')\n"
        proc = rig.run(script, timeout=120, path=())
        out = proc.stdout + proc.stderr
        print(out)
        assert proc.returncode == 0 and "README block done" in out, "README.md:%d\n%s" % (line, out)
        # Every snippet talks to the (emulated) module.
        assert rig.emu.commands, out
