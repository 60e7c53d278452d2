"""Run an example of examples/ in the MicroPython unix port against the BC26 emulator, with the
servers it talks to started on 127.0.0.1 (a UDP echo, a mosquitto broker, the pin bridge that
moves the emulated module's PWRKEY, RESET and PSM_EINT), and stop them all afterwards.

    make example NAME=classroom               # or telemetry_deepsleep, publish_periodically
    make examples                             # all three, one after the other
    python3 tools/demo/run_example.py --profile realistic [--seed N] [NAME ...]
                                              # a module as on a real UART (or BC26EMU_PROFILE)

The same rig (LocalRig) serves tests_host/test_examples.py and tests_host/test_readme.py: names
the README uses (example.com, pool.ntp.org, test.mosquitto.org, 192.0.2.10) are the emulator's
`hosts` and `redirect` knobs pointing at local servers, so nothing leaves the machine.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.bc26emu import general  # noqa: E402
from tools.bc26emu.emulator import Emulator  # noqa: E402
from tools.bc26emu.knobs import PROFILES, profile_from_env  # noqa: E402
from tools.servers import Mosquitto, NtpServer, TcpEchoServer, UdpEchoServer, tlscerts  # noqa: E402
from tools.venvbin import venv_tool  # noqa: E402

# micropython-lib's clients as published (umqtt.simple for publish_periodically), unmodified.
CLIENTS = os.path.normpath(os.path.join(ROOT, "..", "shared", "clients", "micropython-lib"))

# How each example is called with the rig's servers: short periods, a few rounds.
EXAMPLES = {
    "classroom": "import classroom; classroom.main('unix', ('127.0.0.1', {udp}), 0.2, 2)",
    "telemetry_deepsleep": (
        "import telemetry_deepsleep as t; t.main('unix', 3, ('127.0.0.1', {udp}), 150, 5000)"
    ),
    "publish_periodically": (
        "import publish_periodically as p; "
        "p.main('unix', ('127.0.0.1', {mqtt}), 'bc26/example/readings', 200, 3)"
    ),
}


def micropython():
    return venv_tool("micropython")


class PinBridge:
    """Listens on 127.0.0.1 for b"NAME LEVEL\\n" lines (module-side level) from boards/unix_pins.py
    and moves the emulated module's pin; answers each with b"\\n"."""

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


class LocalRig:
    """The emulator and the local servers the examples and README's snippets talk to.

    Attributes: emu, port (the emulator's UART port), udp and tcp (echo servers), ntp, broker
    (mosquitto, with mqtt=True), pins (the pin bridge), cwd (where programs run). With tls=True
    the broker also has a TLS listener (port 8883 of broker.example) whose certificate a test
    CA signed, and cwd holds that CA as ca.der (tools/servers/tlscerts.py makes them now).
    """

    def __init__(self, mqtt=True, tls=False, **knobs):
        self._open = []
        self.cwd = ROOT
        try:
            self.udp = self._keep(UdpEchoServer())
            self.tcp = self._keep(TcpEchoServer())
            self.ntp = self._keep(NtpServer())
            certs = None
            if tls:
                self._tmp = self._keep(tempfile.TemporaryDirectory())
                self.cwd = self._tmp.name
                certs = tlscerts.make(self.cwd, tlscerts.NAMES + ("broker.example",))
            self.broker = self._keep(Mosquitto(certs)) if mqtt or tls else None
            mqtt_port = self.broker.port if self.broker else 1
            # The README's names and addresses, all pointing here.
            names = ("example.com", "pool.ntp.org", "test.mosquitto.org", "broker.example")
            knobs.setdefault("hosts", {n: "127.0.0.1" for n in names})
            knobs.setdefault(
                "redirect",
                {
                    "127.0.0.1:80": "127.0.0.1:%d" % self.tcp.port,
                    "127.0.0.1:1883": "127.0.0.1:%d" % mqtt_port,
                    "127.0.0.1:8883": "127.0.0.1:%d" % (self.broker.tls_port if tls else 1),
                    "127.0.0.1:123": "127.0.0.1:%d" % self.ntp.port,
                    "192.0.2.10:5683": "127.0.0.1:%d" % self.udp.port,
                },
            )
            knobs.setdefault("reg_delay", 0)
            self.emu = self._keep(Emulator(**knobs))
            self.port = self.emu.serve_tcp("127.0.0.1", 0).port
            self.pins = self._keep(PinBridge(self.emu))
        except BaseException:
            self.close()
            raise

    def _keep(self, thing):
        self._open.append(thing)
        return thing

    def close(self):
        while self._open:
            thing = self._open.pop()
            (thing.cleanup if isinstance(thing, tempfile.TemporaryDirectory) else thing.close)()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def run(self, code, timeout=120, heapsize="256k", path=("examples",)):
        """Run code (a string) with micropython -c, the library, boards/ and CLIENTS on its path."""
        env = dict(os.environ)
        dirs = [".frozen", "lib", "boards"] + list(path) + [CLIENTS]
        env["MICROPYPATH"] = ":".join(
            d if d.startswith(("/", ".frozen")) else os.path.join(ROOT, d) for d in dirs
        )
        env["BC26_EMU_PORT"] = str(self.port)
        env["BC26_PIN_PORT"] = str(self.pins.port)
        return subprocess.run(
            [micropython(), "-X", "heapsize=" + heapsize, "-c", code],
            cwd=self.cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run_example(self, name, timeout=120):
        if name not in EXAMPLES:
            raise SystemExit("no example %r; there are: %s" % (name, ", ".join(EXAMPLES)))
        mqtt = self.broker.port if self.broker else 0
        return self.run(EXAMPLES[name].format(udp=self.udp.port, mqtt=mqtt), timeout)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="examples to run (default: all)")
    env = profile_from_env()
    ap.add_argument("--profile", choices=sorted(PROFILES), default=env.get("profile", "tidy"))
    ap.add_argument("--seed", type=int, default=env.get("seed", 0), help="the emulator's random draws")
    args = ap.parse_args(argv)
    failed = 0
    for name in args.names or list(EXAMPLES):
        print(
            "== examples/%s.py (unix port, emulator on 127.0.0.1, %s profile)" % (name, args.profile),
            flush=True,
        )
        with LocalRig(mqtt=name == "publish_periodically", profile=args.profile, seed=args.seed) as rig:
            proc = rig.run_example(name)
        sys.stdout.write(proc.stdout + proc.stderr)
        if proc.returncode:
            print("!! %s exited with %d" % (name, proc.returncode))
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
