"""An HTTP server with a WebSocket echo on 127.0.0.1, HTTPS with a test certificate if asked:

    GET  /json         {"ok": true, "path": ...}
    GET  /bytes/N      N bytes of pattern(N) (every byte value, CR LF and "OK" runs)
    GET  /nolength/N   the same without Content-Length: the body ends where the connection does
    POST /echo         the body back, same Content-Type
    POST (any other)   {"length": ..., "sha256": ..., "type": ...} of the body; .posted keeps it
    GET  /ws           WebSocket (RFC 6455): each text or binary message comes back as it
                       was sent; ping is answered with pong; close with close

One request per connection (the server closes after its answer). Each connection runs on its
own thread (http.server.ThreadingHTTPServer); .messages counts the WebSocket messages echoed,
.upgrades the WebSocket handshakes. `python -m tools.servers --web 0` serves it by hand.
"""

import base64
import hashlib
import http.server
import json
import struct
import threading

_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_TEXT, _BINARY, _CLOSE, _PING, _PONG = 1, 2, 8, 9, 10


def pattern(n):
    """n bytes holding every byte value, CR LF and "OK" runs included."""
    base = bytes(range(256)) + b'\r\nOK\r\n+QIURC: "recv",0,5\r\n'
    return (base * (n // len(base) + 1))[:n]


def accept_key(key):
    """Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 section 4.2.2)."""
    return base64.b64encode(hashlib.sha1(key.encode() + _WS_GUID).digest()).decode()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # for the WebSocket upgrade; every answer says Connection: close

    def log_message(self, *args):
        pass

    def parse_request(self):
        ok = super().parse_request()
        if ok and self.request_version == "HTTP/1.0":
            self.protocol_version = "HTTP/1.0"  # answer in the client's version, as it may check
        return ok

    def _reply(self, code, body, ctype="application/octet-stream", length=True):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def do_GET(self):
        if self.path == "/ws" and self.headers.get("Upgrade", "").lower() == "websocket":
            self._websocket()
        elif self.path.startswith(("/bytes/", "/nolength/")):
            body = pattern(int(self.path.rsplit("/", 1)[1]))
            self._reply(200, body, length=self.path.startswith("/bytes/"))
        elif self.path == "/json":
            self._reply(200, json.dumps({"ok": True, "path": self.path}).encode(), "application/json")
        else:
            self._reply(404, b"not here\n", "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        if self.path == "/echo":
            self._reply(200, body, self.headers.get("Content-Type") or "application/octet-stream")
            return
        with self.server.lock:
            self.server.posted.append(body)
        info = {
            "length": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
            "type": self.headers["Content-Type"],
        }
        self._reply(200, json.dumps(info).encode(), "application/json")

    # --- WebSocket --------------------------------------------------------------------------

    def _websocket(self):
        key = self.headers.get("Sec-WebSocket-Key")
        if not key or self.headers.get("Sec-WebSocket-Version") != "13":
            self._reply(400, b"bad websocket handshake\n", "text/plain")
            return
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept_key(key))
        self.end_headers()
        self.wfile.flush()
        with self.server.lock:
            self.server.upgrades += 1
        self.close_connection = True
        while True:
            frame = self._read_frame()
            if frame is None:
                return
            opcode, payload = frame
            if opcode == _CLOSE:
                self._send_frame(_CLOSE, payload[:2])
                return
            if opcode == _PING:
                self._send_frame(_PONG, payload)
            elif opcode in (_TEXT, _BINARY):
                with self.server.lock:
                    self.server.messages += 1
                self._send_frame(opcode, payload)

    def _read_exactly(self, n):
        data = self.rfile.read(n)
        return data if len(data) == n else None

    def _read_frame(self):
        # One whole message: (opcode, payload); fragments are joined. None at end of stream.
        opcode = None
        payload = b""
        while True:
            head = self._read_exactly(2)
            if head is None:
                return None
            fin, op = head[0] & 0x80, head[0] & 0x0F
            masked, n = head[1] & 0x80, head[1] & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read_exactly(2) or b"\0\0")[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read_exactly(8) or b"\0" * 8)[0]
            mask = self._read_exactly(4) if masked else b"\0\0\0\0"
            data = self._read_exactly(n) if n else b""
            if mask is None or data is None:
                return None
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if op >= 8:  # a control frame may come between the fragments of a message
                return op, data
            if opcode is None:
                opcode = op
            payload += data
            if fin:
                return opcode, payload

    def _send_frame(self, opcode, payload):
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, n)
        elif n < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
        self.wfile.write(head + payload)
        self.wfile.flush()


class WebServer:
    """The server on a thread; .port, .posted, .messages, .upgrades, .close(), a context manager.

    tls: a tlscerts.make() result, to serve HTTPS with its `cert` ("server", or "rogue": the
    certificate of a CA the client does not trust)."""

    def __init__(self, host="127.0.0.1", port=0, tls=None, cert="server"):
        self.server = http.server.ThreadingHTTPServer((host, port), _Handler)
        self.server.daemon_threads = True
        if tls is not None:
            from .tlscerts import server_context

            # The handshake runs in the request's thread, not in accept() on the serving one.
            self.server.socket = server_context(tls, cert).wrap_socket(
                self.server.socket, server_side=True, do_handshake_on_connect=False
            )
            # A client that refuses the certificate ends the handshake with an alert: expected.
            self.server.handle_error = lambda request, address: None
        self.server.lock = threading.Lock()
        self.server.messages = 0
        self.server.upgrades = 0
        self.server.posted = []
        self.posted = self.server.posted
        self.host, self.port = self.server.server_address[:2]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def messages(self):
        return self.server.messages

    @property
    def upgrades(self):
        return self.server.upgrades

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
