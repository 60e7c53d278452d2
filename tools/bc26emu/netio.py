"""Real host sockets behind the module's connectIDs, driven by the reactor thread.

Every socket call happens on the reactor thread; results go back to the modem through the callbacks
given at open time. A link whose owner closed it (or rebooted) is dead and reports nothing more.
"""

import errno
import fcntl
import socket
import struct
import termios

from . import errors

# One node of the module's receive buffer holds at most what one TCP segment carries.
RECV_CHUNK = 1460
_UDP_MAX = 65535


class Link:
    """A host socket standing in for one module socket."""

    def __init__(self, kind, addr, local_port, on_open, on_data, on_closed):
        self.kind = kind
        self.addr = addr
        self.local_port = local_port
        self.on_open = on_open
        self.on_data = on_data
        self.on_closed = on_closed
        self.sock = None
        self.alive = True
        self.connected = False
        self.pending = bytearray()
        self.sent_total = 0
        self.timer = None


class HostNetwork:
    def __init__(self, reactor, connect_timeout=60.0):
        self.reactor = reactor
        self.connect_timeout = connect_timeout

    # Requests from the modem (any thread) ---------------------------------------------------

    def open(self, kind, addr, local_port, on_open, on_data, on_closed):
        link = Link(kind, addr, local_port, on_open, on_data, on_closed)
        self.reactor.call_soon(self._start_open, link)
        return link

    def send(self, link, data, done):
        self.reactor.call_soon(self._send, link, bytes(data), done)

    def close(self, link):
        link.alive = False
        if link.timer:
            link.timer.cancel()
        if link.sock is not None:
            self.reactor.discard(link.sock)
        else:
            # The open may still be queued: close whatever it creates.
            self.reactor.call_soon(self._close_late, link)

    def unacked(self, link):
        """Bytes handed to TCP that the peer has not acknowledged yet (Linux SIOCOUTQ)."""
        if link.kind != "TCP" or link.sock is None or not link.connected:
            return 0
        try:
            raw = fcntl.ioctl(link.sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
            return struct.unpack("i", raw)[0] + len(link.pending)
        except (OSError, ValueError):
            return len(link.pending)

    # Reactor side --------------------------------------------------------------------------

    def _close_late(self, link):
        if link.sock is not None:
            self.reactor.discard(link.sock)

    def _report_open(self, link, err):
        if link.timer:
            link.timer.cancel()
            link.timer = None
        if not link.alive:
            return
        if err:
            if link.sock is not None:
                self.reactor.discard(link.sock)
                link.sock = None
        link.on_open(err)

    def _start_open(self, link):
        if not link.alive:
            return
        kind = socket.SOCK_STREAM if link.kind == "TCP" else socket.SOCK_DGRAM
        v6 = ":" in link.addr[0]
        try:
            sock = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, kind)
        except OSError:
            self._report_open(link, errors.CREATE_FAILED)
            return
        link.sock = sock
        sock.setblocking(False)
        if link.local_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("::" if v6 else "0.0.0.0", link.local_port))
            except OSError as exc:
                code = errors.PORT_BUSY if exc.errno == errno.EADDRINUSE else errors.BIND_FAILED
                self._report_open(link, code)
                return
        if link.kind == "UDP":
            try:
                sock.connect(link.addr)
            except OSError:
                self._report_open(link, errors.CONNECT_FAILED)
                return
            self._opened(link)
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rc = sock.connect_ex(link.addr)
        if rc == 0:
            self._opened(link)
        elif rc in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
            link.timer = self.reactor.call_later(
                self.connect_timeout, self._report_open, link, errors.TIMEOUT
            )
            self.reactor.watch(sock, 2, lambda mask: self._connect_done(link))
        else:
            self._report_open(link, errors.CONNECT_FAILED)

    def _connect_done(self, link):
        if link.sock is None:
            return
        err = link.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self.reactor.unwatch(link.sock)
            self._report_open(link, errors.CONNECT_FAILED)
        else:
            self._opened(link)

    def _opened(self, link):
        if link.timer:
            link.timer.cancel()
            link.timer = None
        if not link.alive:
            return
        link.connected = True
        self._watch(link)
        link.on_open(0)

    def _watch(self, link):
        events = 1 | (2 if link.pending else 0)
        self.reactor.watch(link.sock, events, lambda mask: self._ready(link, mask))

    def _ready(self, link, mask):
        if not link.alive or link.sock is None:
            return
        if mask & 2:
            self._flush(link)
        if mask & 1:
            self._receive(link)

    def _receive(self, link):
        try:
            data = link.sock.recv(RECV_CHUNK if link.kind == "TCP" else _UDP_MAX)
        except (BlockingIOError, InterruptedError):
            return
        except ConnectionRefusedError:
            if link.kind == "UDP":
                return  # an ICMP port unreachable from an earlier datagram; UDP does not care
            data = None
        except OSError:
            data = None
        if data:
            link.on_data(data)
            return
        if link.kind == "UDP" and data == b"":
            link.on_data(b"")  # an empty datagram is still a datagram
            return
        # Orderly close or reset by the peer: stop reading but keep the socket until AT+QICLOSE.
        self.reactor.unwatch(link.sock)
        link.connected = False
        link.on_closed()

    def _send(self, link, data, done):
        if not link.alive or link.sock is None or not link.connected:
            done(False)
            return
        if link.kind == "UDP":
            try:
                link.sock.send(data)
            except ConnectionRefusedError:
                try:
                    link.sock.send(data)
                except OSError:
                    done(False)
                    return
            except OSError:
                done(False)
                return
            link.sent_total += len(data)
            done(True)
            return
        link.pending += data
        link.sent_total += len(data)
        ok = self._flush(link)
        done(ok)

    def _flush(self, link):
        try:
            while link.pending:
                n = link.sock.send(link.pending)
                del link.pending[:n]
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            link.pending.clear()
            return False
        self._watch(link)
        return True
