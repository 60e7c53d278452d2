# The examples run in the MicroPython unix port against the emulator (tests_host/mp.py), with a
# UDP echo server on 127.0.0.1 and, for the deep-sleep node, a pin bridge: boards/unix.py sends
# each change of PWRKEY, RESET and PSM_EINT here, and the bridge moves the emulated module's pin.
import socket
import threading

from mp import emulator_on_tcp, run_micropython
from tools.bc26emu import general
from tools.localservers import UdpEchoServer


class PinBridge:
    """Listens on 127.0.0.1 for b"NAME LEVEL\\n" lines (module-side level); answers each with b"\\n"."""

    def __init__(self, emu):
        self.emu = emu
        self.moves = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(4)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._client, args=(client,), daemon=True).start()

    def _client(self, client):
        with client:
            for line in client.makefile("rb"):
                name, level = line.split()
                self.moves.append((name.decode(), int(level)))
                general.pin(self.emu.modem, name.decode(), int(level))
                client.sendall(b"\n")

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self._listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def run_example(code, emu_port, pin_port=None, timeout=60):
    env = {"BC26_EMU_PORT": str(emu_port)}
    if pin_port:
        env["BC26_PIN_PORT"] = str(pin_port)
    proc = run_micropython(["-c", code], env=env, path=("examples",), timeout=timeout)
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    return out


def test_deepsleep_node_reuses_the_kept_udp_socket():
    with UdpEchoServer() as echo, emulator_on_tcp(reg_delay=0) as (emu, port), PinBridge(emu) as pins:
        out = run_example(
            "import telemetry_deepsleep as t; t.main('unix', 3, ('127.0.0.1', %d), 150, 5000)" % echo.port,
            port,
            pins.port,
        )
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
    with UdpEchoServer() as echo, emulator_on_tcp(reg_delay=0) as (emu, port):
        out = run_example(
            "import classroom; classroom.main('unix', ('127.0.0.1', %d), 0.2, 2)" % echo.port,
            port,
        )
        assert out.count("Measured") == 2, out
        assert out.count("The server answered") == 2, out
        assert "Connected to the mobile network" in out, out
        assert sum(1 for c in emu.commands if c.startswith("AT+QISEND")) == 2
