"""TCP and UDP echo servers on 127.0.0.1 (or ::1) that also let a test play the remote side."""

import socket
import socketserver
import threading
import time

from .base import Background, make_server


class _TcpEcho(socketserver.BaseRequestHandler):
    def handle(self):
        self.server.owner._serve(self.request)


class TcpEchoServer(Background):
    """Echoes what each client sends (unless echo=False). push() and disconnect_all() let a test
    play the remote side: send unprompted data, or close the connection from the far end. A
    client that sends close_on (default b"QUIT\n") gets its echo, then the far end closes, so
    code on a device can ask for a remote close. A thread per client (ThreadingTCPServer)."""

    def __init__(self, host="127.0.0.1", port=0, echo=True, close_on=b"QUIT\n"):
        self.echo = echo
        self.close_on = close_on
        self.received = bytearray()
        self.clients = []
        self._lock = threading.Lock()
        self._run(make_server(socketserver.ThreadingTCPServer, host, port, _TcpEcho, self), "tcp-echo")

    def _serve(self, client):
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self.clients.append(client)
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    return
                with self._lock:
                    self.received += data
                if self.echo:
                    client.sendall(data)
                if self.close_on and data.endswith(self.close_on):
                    client.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the far end went away, or close()/disconnect_all() shut the socket down
        finally:
            with self._lock:
                self.clients.remove(client)

    def wait_clients(self, count=1, timeout=5.0):
        deadline = time.monotonic() + timeout
        while len(self.clients) < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        return True

    def push(self, data):
        """Send data to every connected client, as a remote server talking first."""
        with self._lock:
            clients = list(self.clients)
        for client in clients:
            client.sendall(data)
        return len(clients)

    def _shut_clients(self):
        with self._lock:
            clients = list(self.clients)
        for client in clients:
            # The client's thread sees the end of its stream, leaves .clients and closes it.
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def disconnect_all(self):
        self._shut_clients()
        deadline = time.monotonic() + 2.0
        while self.clients and time.monotonic() < deadline:
            time.sleep(0.002)

    def close(self):
        super().close()
        self._shut_clients()


class _UdpEcho(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        owner = self.server.owner
        with owner._lock:
            owner.received.append(data)
            owner.last_peer = self.client_address
        if owner.echo:
            sock.sendto(data, self.client_address)


class UdpEchoServer(Background):
    """Echoes each datagram to its sender; push() sends to the last peer seen."""

    def __init__(self, host="127.0.0.1", port=0, echo=True):
        self.echo = echo
        self.received = []
        self.last_peer = None
        self._lock = threading.Lock()
        self._run(make_server(socketserver.UDPServer, host, port, _UdpEcho, self), "udp-echo")

    def push(self, data, peer=None):
        self.server.socket.sendto(data, peer or self.last_peer)
