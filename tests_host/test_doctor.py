# bc26.doctor against the emulator taught each bring-up failure through its knobs: every one
# must stop the doctor at the right step with the right sentence, in CPython (the emulator's
# in-process UART, which also lets it try other baud rates) and in the MicroPython unix port
# (boards/unix.py, a socket to the emulator), from a two-line script as on a board.
import os

import pytest

from mp import ROOT, emulator_on_tcp, run_micropython
from tools.bc26emu.emulator import Emulator
from tools.servers import UdpEchoServer

HOSTS = {"echo.bc26.test": "127.0.0.1"}

# (id, knobs, the step that fails (None: none), words its sentence must hold)
CASES = (
    ("healthy", {}, None, "UDP round trip to echo.bc26.test"),
    ("roaming", {"network": "roaming"}, None, "Registered, roaming"),
    ("no answer", {"silent": True}, "uart", "No answer at all, not a single byte"),
    ("wrong baud", {"wrong_baud": True}, "uart", "garbled, as at a wrong baud rate"),
    ("no SIM", {"sim": "missing"}, "sim", "No SIM card"),
    ("SIM PIN", {"sim": "pin"}, "sim", "The SIM is locked (+CPIN: SIM PIN)"),
    ("no signal", {"network": "searching"}, "signal", "No signal: AT+CSQ says 99"),
    ("denied", {"network": "denied"}, "registration", "registration denied"),
    ("no DNS", {"no_dns": True}, "lookup", "No DNS: the network gave the module no DNS server"),
    ("no echo server", {"refuse_udp": True}, "udp", "but nothing came back"),
)


def knobs_of(case):
    knobs = dict(case[1])
    knobs.pop("refuse_udp", None)
    return knobs


def server_port(case, udp):
    # A port where no echo server listens, for the UDP step that must fail.
    return 9 if case[1].get("refuse_udp") else udp.port


def check(case, d_ok, d_failed, text):
    name, _, step, words = case
    assert d_ok == (step is None), (name, text)
    assert d_failed == step, (name, d_failed, text)
    assert words in text, (name, text)
    if step is not None:
        # The advice is printed once, on the step's own line, and the traffic after it.
        assert ("FAIL  %-12s" % step) in text, text
        assert "The last AT traffic" in text, text
    else:
        assert "All steps passed" in text, text


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_doctor_names_each_failure_in_cpython(case):
    import bc26.doctor

    udp = UdpEchoServer()
    lines = []
    try:
        with Emulator(hosts=HOSTS, **knobs_of(case)) as emu:
            d = bc26.doctor.run(
                uart=emu.uart(),
                server=("echo.bc26.test", server_port(case, udp)),
                wait=2,
                bauds=(115200, 9600),
                tries=2,
                out=lines.append,
            )
    finally:
        udp.close()
    text = "\n".join(lines)
    print(text)
    check(case, d.ok, d.failed, text)
    # A program can test the result without reading the text.
    assert (d.advice is None) == d.ok and [s[0] for s in d.steps][-1] == (case[2] or "udp")


SCRIPT = """import bc26.doctor
d = bc26.doctor.run("unix", server=("echo.bc26.test", {port}), wait=2, tries=2)
print("RESULT", d.ok, d.failed)
"""


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_doctor_names_each_failure_in_the_unix_port(case, tmp_path):
    udp = UdpEchoServer()
    try:
        with emulator_on_tcp(hosts=HOSTS, **knobs_of(case)) as (emu, port):
            script = tmp_path / "doctor_run.py"
            script.write_text(SCRIPT.format(port=server_port(case, udp)))
            proc = run_micropython([str(script)], env={"BC26_EMU_PORT": str(port)}, timeout=60)
    finally:
        udp.close()
    text = proc.stdout + proc.stderr
    print(text)
    assert proc.returncode == 0, text
    result = [line for line in text.splitlines() if line.startswith("RESULT ")]
    assert result, text
    _, ok, failed = result[0].split()
    check(case, ok == "True", None if failed == "None" else failed, text)


def test_emulator_answers_the_bring_up_commands_as_a_bc26_does():
    with Emulator() as emu:
        u = emu.uart(timeout=0)

        def ask(cmd):
            u.write(cmd + b"\r")
            import time

            out = b""
            for _ in range(200):
                out += u.read() or b""
                if out.endswith((b"OK\r\n", b"ERROR\r\n")) or b"+CME ERROR:" in out:
                    break
                time.sleep(0.005)
            return out

        assert b"+CPIN: READY\r\n\r\nOK" in ask(b"AT+CPIN?")
        assert b"+QCCID: 89860000000000000012\r\n" in ask(b"AT+QCCID")
        assert b"+CGATT: 1\r\n" in ask(b"AT+CGATT?") or emu.registered is False
        assert b'+QCGDEFCONT: "IP"' in ask(b"AT+QCGDEFCONT?")  # no APN: "IP" alone or "IP",""
        assert ask(b'AT+QCGDEFCONT="IP","nb.iot"').endswith(b"OK\r\n")
        assert b'+QCGDEFCONT: "IP","nb.iot"\r\n' in ask(b"AT+QCGDEFCONT?")
        emu.knobs.sim = "missing"
        assert ask(b"AT+CPIN?").endswith(b"\r\nERROR\r\n")  # AT+CMEE=0: a bare ERROR
        ask(b"AT+CMEE=1")
        assert b"+CME ERROR: 10\r\n" in ask(b"AT+CPIN?")
        assert b"+CME ERROR: 10\r\n" in ask(b"AT+QCCID")


def test_the_doctor_script_in_the_readme_is_two_lines():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    assert "import bc26.doctor\nbc26.doctor.run(" in text
