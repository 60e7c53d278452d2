"""Debian's mosquitto broker on 127.0.0.1, and its command-line clients for the other side of a test.

ensure_mosquitto.sh (beside this file; the test command runs it) installs them when missing.
"""

import getpass
import os
import shutil
import subprocess
import tempfile
import threading
import time

from .base import free_port, wait_port

MISSING = "mosquitto is missing: bash tools/servers/ensure_mosquitto.sh (the test command runs it)"


def mosquitto_binary():
    """The broker's path; RuntimeError when it or mosquitto_sub is not installed."""
    exe = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None
    )
    if not exe or not shutil.which("mosquitto_sub"):
        raise RuntimeError(MISSING)
    return exe


def stop(proc):
    """End a broker or client process: SIGTERM, then SIGKILL if it has not ended after 5 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class Mosquitto:
    """A broker on 127.0.0.1 at a free .port, with its own config file in a folder of its own.

    With tls (a tlscerts.make() result): .tls_port is a TLS listener with the test CA's server
    certificate, and .rogue_port one whose certificate names the same hosts but comes from
    another CA, which a verifying client must refuse.
    """

    def __init__(self, tls=None):
        exe = mosquitto_binary()
        self._dir = tempfile.TemporaryDirectory(prefix="bc26-mosquitto-")
        self.port = free_port()
        self.tls_port = self.rogue_port = None
        # As root, mosquitto would switch to its own user, who cannot read the test's key files.
        text = (
            "user %s\nallow_anonymous true\npersistence false\nlog_dest stderr\n"
            "log_type error\nlog_type warning\nlistener %d 127.0.0.1\n" % (getpass.getuser(), self.port)
        )
        if tls is not None:
            self.tls_port = free_port()
            self.rogue_port = free_port()
            for port, cert, key in (
                (self.tls_port, tls["server_pem"], tls["server_key"]),
                (self.rogue_port, tls["rogue_pem"], tls["rogue_key"]),
            ):
                text += "listener %d 127.0.0.1\ncertfile %s\nkeyfile %s\n" % (port, cert, key)
        conf = os.path.join(self._dir.name, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(text)
        self.log = os.path.join(self._dir.name, "mosquitto.log")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([exe, "-c", conf], stdout=subprocess.DEVNULL, stderr=log)
        try:
            for port in (self.port, self.tls_port, self.rogue_port):
                if port:
                    wait_port(port)
        except OSError:
            with open(self.log, errors="replace") as f:
                said = f.read()
            self.close()
            raise RuntimeError("mosquitto did not start: %s" % said) from None

    def close(self):
        stop(self.proc)
        self._dir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Subscriber:
    """mosquitto_sub on a topic filter; .lines are "topic qos hexpayload", as they arrive."""

    def __init__(self, port, topic, qos=1):
        self.lines = []
        self.proc = subprocess.Popen(
            [
                "mosquitto_sub",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-q",
                str(qos),
                "-t",
                topic,
                "-F",
                "%t %q %x",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def messages(self):
        """[(topic, qos, payload bytes)] received so far."""
        out = []
        for line in list(self.lines):
            topic, qos, hexed = (line.split(" ") + ["", ""])[:3]
            out.append((topic, int(qos), bytes.fromhex(hexed)))
        return out

    def wait_for(self, predicate, timeout=10.0):
        deadline = time.monotonic() + timeout
        while not predicate(self.messages()):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self):
        stop(self.proc)
        self._thread.join(2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def publish(port, topic, payload, qos=0):
    """One message through mosquitto_pub, as another client of the broker."""
    subprocess.run(
        ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-q", str(qos), "-t", topic, "-s"],
        input=payload,
        check=True,
        timeout=10,
    )
