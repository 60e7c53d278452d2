# Helpers of the end-to-end tests (test_e2e_*.py): real servers on 127.0.0.1 (mosquitto, an
# HTTP server), the settings file the device scripts read, and UART byte counts taken from
# the emulator's transcript. The client libraries are micropython-lib's current releases,
# unmodified, from ../shared/clients (see its README), ahead of the unix port's frozen ones.
import getpass
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

from mp import ROOT, run_micropython

CLIENTS = os.path.join(os.path.dirname(ROOT), "shared", "clients")
MPLIB = os.path.join(CLIENTS, "micropython-lib")  # umqtt, requests, aiohttp, ntptime
MQTT_AS = os.path.join(CLIENTS, "mqtt_as")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def write_settings(path, **values):
    lines = ['BOARD = "unix"']
    lines += ["%s = %r" % (k, v) for k, v in values.items()]
    (path / "e2e_settings.py").write_text("\n".join(lines) + "\n")


def run_device(script, emu_port, tmp_path, timeout=90, extra=(), heapsize="256k"):
    """Run tests_device/<script> in the unix port; its output, or a failed test."""
    try:
        proc = run_micropython(
            [os.path.join(ROOT, "tests_device", script)],
            env={"BC26_EMU_PORT": str(emu_port)},
            path=(str(tmp_path),) + tuple(extra),
            before=clients(),
            timeout=timeout,
            heapsize=heapsize,
        )
    except subprocess.TimeoutExpired as err:
        said = [(x or b"").decode(errors="replace") for x in (err.stdout, err.stderr)]
        pytest.fail("%s ran over %d s; it said:\n%s" % (script, timeout, "".join(said)))
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    return out


def clients():
    """The folders of the unmodified client libraries; a missing one fails the test."""
    for d in (MPLIB, MQTT_AS):
        if not os.path.isdir(d):
            pytest.fail("the client libraries are missing: %s (see ../shared/clients/README.md)" % d)
    return (MPLIB, MQTT_AS)


# --- mosquitto ------------------------------------------------------------------------


def mosquitto_binary():
    exe = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None
    )
    if not exe or not shutil.which("mosquitto_sub"):
        pytest.fail("mosquitto is missing: bash tools/ensure_mosquitto.sh (tools/test.sh runs it)")
    return exe


class Mosquitto:
    """A mosquitto broker on 127.0.0.1 with a free port and its own config file.

    With tls (certs()): .tls_port is a TLS listener with the server certificate of the test CA,
    .rogue_port one whose certificate names the same hosts but comes from another CA.
    """

    def __init__(self, tmp_path, tls=None):
        exe = mosquitto_binary()
        self.port = free_port()
        conf = tmp_path / "mosquitto.conf"
        # As root mosquitto would switch to its own user, who cannot read the test's key files.
        text = (
            "user %s\nallow_anonymous true\npersistence false\nlog_dest stderr\n"
            "log_type error\nlog_type warning\nlistener %d 127.0.0.1\n" % (getpass.getuser(), self.port)
        )
        self.tls_port = self.rogue_port = None
        if tls is not None:
            self.tls_port = free_port()
            self.rogue_port = free_port()
            for port, cert, key in (
                (self.tls_port, tls["server_pem"], tls["server_key"]),
                (self.rogue_port, tls["rogue_pem"], tls["rogue_key"]),
            ):
                text += "listener %d 127.0.0.1\ncertfile %s\nkeyfile %s\n" % (port, cert, key)
        conf.write_text(text)
        self.proc = subprocess.Popen(
            [exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            for port in (self.port, self.tls_port, self.rogue_port):
                if port:
                    wait_port(port)
        except OSError:
            self.close()
            raise

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc.stderr.close()

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
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._thread.join(2)


def publish(port, topic, payload, qos=0):
    subprocess.run(
        ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-q", str(qos), "-t", topic, "-s"],
        input=payload,
        check=True,
        timeout=10,
    )


# --- HTTP ----------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: the server closes after it

    def log_message(self, *args):
        pass

    def _reply(self, code, body, ctype="application/octet-stream"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if not self.path.startswith("/nolength"):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/bytes/") or self.path.startswith("/nolength/"):
            n = int(self.path.rsplit("/", 1)[1])
            self._reply(200, pattern(n))
        elif self.path == "/json":
            self._reply(200, json.dumps({"ok": True, "path": self.path}).encode(), "application/json")
        else:
            self._reply(404, b"not here\n", "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        self.server.posted.append(body)
        info = {
            "length": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
            "type": self.headers["Content-Type"],
        }
        self._reply(200, json.dumps(info).encode(), "application/json")


def pattern(n):
    """n bytes holding every byte value, CR LF and "OK" runs included."""
    base = bytes(range(256)) + b'\r\nOK\r\n+QIURC: "recv",0,5\r\n'
    return (base * (n // len(base) + 1))[:n]


class HttpServer:
    """http.server on 127.0.0.1; with tls (certs()), HTTPS with the given certificate."""

    def __init__(self, tls=None, cert="server"):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        if tls is not None:
            from tools.tlscerts import server_context

            # The handshake runs in the request's thread, not in accept() on the serving one.
            self.server.socket = server_context(tls, cert).wrap_socket(
                self.server.socket, server_side=True, do_handshake_on_connect=False
            )
            # A client that refuses the certificate ends the handshake with an alert: expected.
            self.server.handle_error = lambda request, address: None
        self.server.posted = []
        self.port = self.server.server_address[1]
        self.posted = self.server.posted
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- certificates -------------------------------------------------------------------------


def certs(tmp_path):
    """A test CA, a server certificate for 127.0.0.1 and tools.tlscerts.NAMES, and a rogue
    one from another CA, made now with the openssl command (tools/tlscerts.py)."""
    from tools import tlscerts

    try:
        return tlscerts.make(str(tmp_path / "tls"))
    except RuntimeError as err:
        pytest.fail(str(err))


# --- the UART, as the emulator saw it ------------------------------------------------------


def uart_bytes(emu, marker="AT+CGSN"):
    """(to the module, from the module) byte counts between consecutive marker commands.

    Each span holds the answer of the marker that opens it and the command of the one that
    closes it; the first span (two markers back to back) is that overhead alone and is
    subtracted from the others.
    """
    entries = list(emu.transcript.entries)
    spans = []
    cur = None
    for _, kind, payload in entries:
        if kind == "cmd" and payload == marker:
            if cur is not None:
                spans.append(tuple(cur))
            cur = [0, 0]
        elif cur is not None and kind in ("in", "out"):
            cur[0 if kind == "in" else 1] += len(payload)
    if not spans:
        return []
    base = spans[0]
    return [(a - base[0], b - base[1]) for a, b in spans[1:]]
