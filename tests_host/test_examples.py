# Every example of examples/ runs in the MicroPython unix port against the emulator, through the
# same rig as its documented command (`make example NAME=...`, tools/demo/run_example.py): a UDP echo,
# a mosquitto broker and a pin bridge on 127.0.0.1 (boards/unix.py sends each change of PWRKEY,
# RESET and PSM_EINT to the bridge, which moves the emulated module's pin).
import os
import subprocess
import sys

from mp import ROOT
from tools.demo.run_example import EXAMPLES, LocalRig


def run_example(rig, name, timeout=120):
    proc = rig.run_example(name, timeout)
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    return out


def test_every_example_has_a_run_here():
    names = sorted(n[:-3] for n in os.listdir(os.path.join(ROOT, "examples")) if n.endswith(".py"))
    assert names == sorted(EXAMPLES)
    for name in names:
        with open(os.path.join(ROOT, "examples", name + ".py")) as f:
            assert "make example NAME=%s" % name in f.read(), "examples/%s.py: say how to run it" % name


def test_deepsleep_node_reuses_the_kept_udp_socket():
    with LocalRig(mqtt=False) as rig:
        emu, echo, pins = rig.emu, rig.udp, rig.pins
        out = run_example(rig, "telemetry_deepsleep")
        lines = [x for x in out.splitlines() if x.startswith("wake ")]
        assert len(lines) == 3, out
        assert "opened socket 0" in lines[0] and "module in PSM" in lines[0], out
        for line in lines[1:]:
            assert "module woke, reused socket 0" in line and "module in PSM" in line, out
        for line in lines:
            assert "reply b't=" in line, out
        cmds = emu.commands
        # One socket for three readings: the second and third wake-ups took over the kept one.
        assert sum(1 for c in cmds if c.startswith("AT+QIOPEN")) == 1, cmds
        assert sum(1 for c in cmds if c.startswith("AT+QISEND")) == 3, cmds
        assert not any(c.startswith("AT+QICLOSE") for c in cmds), cmds
        events = [p for _, kind, p in emu.transcript.entries if kind == "event"]
        assert events.count("enter PSM") == 3, events
        assert events.count("exit PSM (PSM_EINT)") == 2, events
        # Every wake-up pulsed PSM_EINT (low, then released) and never touched PWRKEY.
        assert pins.moves.count(("PSM_EINT", 0)) == 3, pins.moves
        assert not any(name == "PWRKEY" and level == 0 for name, level in pins.moves), pins.moves
        assert len(echo.received) == 3 and all(d.startswith(b"t=") for d in echo.received)


def test_classroom_runs_twice():
    with LocalRig(mqtt=False) as rig:
        out = run_example(rig, "classroom")
        emu = rig.emu
        assert out.count("Measured") == 2, out
        assert out.count("The server answered") == 2, out
        assert "Connected to the mobile network" in out, out
        assert sum(1 for c in emu.commands if c.startswith("AT+QISEND")) == 2


def test_publish_periodically_goes_through_umqtt_to_the_broker_and_back():
    with LocalRig() as rig:
        out = run_example(rig, "publish_periodically")
        cmds = rig.emu.commands
    assert out.count('published b\'{"n": ') == 3, out
    assert out.count('came back b\'{"n": ') == 3, out
    # One TCP socket to the broker (the redirect to mosquitto happens in the emulator), MQTT
    # packets as the module's data, and the socket closed at the end.
    opens = [c for c in cmds if c.startswith("AT+QIOPEN")]
    assert len(opens) == 1 and '"TCP","127.0.0.1",' in opens[0], cmds
    assert sum(1 for c in cmds if c.startswith("AT+QISEND")) >= 5, cmds
    assert any(c.startswith("AT+QICLOSE") for c in cmds), cmds


def test_make_examples_runs_them_all():
    # `make examples` (and `make example NAME=...`) is this command in .venv.
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "demo", "run_example.py")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    for name in EXAMPLES:
        assert "== examples/%s.py" % name in out, out
    assert "Done. Goodbye!" in out and "wake 3:" in out and out.count("came back") == 3, out
