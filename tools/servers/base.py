"""What every local server shares: a socketserver server on a daemon thread, on 127.0.0.1 or ::1."""

import socket
import threading
import time


def family(host):
    # "::1" and other IPv6 addresses listen on IPv6.
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def make_server(base, host, port, handler, owner):
    """An instance of socketserver class `base` for host's address family, bound now; its
    handlers reach the object that runs it as self.server.owner."""
    attrs = {
        "address_family": family(host),
        "allow_reuse_address": True,
        # A client that never hangs up must not hold up close(), nor the interpreter's exit.
        "daemon_threads": True,
        "block_on_close": False,
        # UDPServer reads 8 KB by default; a datagram of the tests may be as large as UDP allows.
        "max_packet_size": 65535,
    }
    server = type(base.__name__, (base,), attrs)((host, port), handler)
    server.owner = owner
    return server


class Background:
    """Serves self.server (make_server) on a daemon thread; .host, .port, close(), a context manager."""

    def _run(self, server, name):
        self.server = server
        self.host, self.port = server.server_address[:2]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        self._thread.start()

    def close(self):
        # shutdown() waits for serve_forever to return: from the serving thread it never would.
        if threading.current_thread() is not self._thread and self._thread.is_alive():
            self.server.shutdown()
            self._thread.join(2.0)
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def free_port(kind=socket.SOCK_STREAM):
    """A port on 127.0.0.1 that nothing listens on right now (TCP, or UDP with SOCK_DGRAM)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0):
    """Until something accepts on 127.0.0.1:port; OSError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
