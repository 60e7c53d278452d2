"""Small servers on 127.0.0.1 for tests and the demo: TCP echo, UDP echo, NTP and DNS responders.

Each runs on its own thread, binds port 0 unless told otherwise, exposes `.port` and stops on
`.close()` (also a context manager). From the command line:

    python tools/localservers.py --tcp-echo 0 --udp-echo 0 --ntp 0 --dns 0 --record iot.example=127.0.0.1

prints one "<kind> 127.0.0.1:<port>" line per server, then serves until interrupted.
"""

import argparse
import selectors
import signal
import socket
import struct
import threading
import time

_NTP_EPOCH_OFFSET = 2208988800


def _family(host):
    # "::1" and other IPv6 addresses listen on IPv6.
    return socket.AF_INET6 if ":" in host else socket.AF_INET


class _Server:
    """A selector loop on a thread; subclasses register sockets and handle them."""

    def __init__(self, name):
        self._selector = selectors.DefaultSelector()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def _start(self):
        self._thread.start()
        return self

    def _loop(self):
        while not self._stopping.is_set():
            for key, _ in self._selector.select(0.05):
                if self._stopping.is_set():
                    break
                try:
                    key.data(key.fileobj)
                except OSError:
                    pass

    def close(self):
        self._stopping.set()
        if threading.current_thread() is not self._thread and self._thread.is_alive():
            self._thread.join(2.0)
        for key in list(self._selector.get_map().values()):
            try:
                key.fileobj.close()
            except OSError:
                pass
        self._selector.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class TcpEchoServer(_Server):
    """Echoes what each client sends (unless echo=False). push() and disconnect_all() let a test
    play the remote side: send unprompted data, or close the connection from the far end. A
    client that sends close_on (default b"QUIT\n") gets its echo, then the far end closes, so
    code on a device can ask for a remote close."""

    def __init__(self, host="127.0.0.1", port=0, echo=True, close_on=b"QUIT\n"):
        super().__init__("tcp-echo")
        self.echo = echo
        self.close_on = close_on
        self.received = bytearray()
        self.clients = []
        self._listener = socket.socket(_family(host), socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, port))
        self._listener.listen(8)
        self._listener.setblocking(False)
        self.host, self.port = self._listener.getsockname()[:2]
        self._selector.register(self._listener, selectors.EVENT_READ, self._accept)
        self._start()

    def _accept(self, listener):
        client, _ = listener.accept()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self.clients.append(client)
        self._selector.register(client, selectors.EVENT_READ, self._read)

    def _read(self, client):
        try:
            data = client.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._drop(client)
            return
        with self._lock:
            self.received += data
        if self.echo:
            client.sendall(data)
        if self.close_on and data.endswith(self.close_on):
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _drop(self, client):
        try:
            self._selector.unregister(client)
        except (KeyError, ValueError):
            pass
        with self._lock:
            if client in self.clients:
                self.clients.remove(client)
        client.close()

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

    def disconnect_all(self):
        with self._lock:
            clients = list(self.clients)
        for client in clients:
            # Hand the socket to the loop thread's view in one step: shut down, then close.
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + 2.0
        while self.clients and time.monotonic() < deadline:
            time.sleep(0.002)


class UdpEchoServer(_Server):
    """Echoes each datagram to its sender; push() sends to the last peer seen."""

    def __init__(self, host="127.0.0.1", port=0, echo=True):
        super().__init__("udp-echo")
        self.echo = echo
        self.received = []
        self.last_peer = None
        self._sock = socket.socket(_family(host), socket.SOCK_DGRAM)
        self._sock.bind((host, port))
        self._sock.setblocking(False)
        self.host, self.port = self._sock.getsockname()[:2]
        self._selector.register(self._sock, selectors.EVENT_READ, self._read)
        self._start()

    def _read(self, sock):
        data, peer = sock.recvfrom(65535)
        with self._lock:
            self.received.append(data)
            self.last_peer = peer
        if self.echo:
            sock.sendto(data, peer)

    def push(self, data, peer=None):
        self._sock.sendto(data, peer or self.last_peer)


class NtpServer(_Server):
    """Answers SNTP client requests (RFC 4330 packet) with time.time() + offset, stratum 1."""

    def __init__(self, host="127.0.0.1", port=0, offset=0.0):
        super().__init__("ntp")
        self.offset = offset
        self.requests = 0
        self._sock = socket.socket(_family(host), socket.SOCK_DGRAM)
        self._sock.bind((host, port))
        self._sock.setblocking(False)
        self.host, self.port = self._sock.getsockname()[:2]
        self._selector.register(self._sock, selectors.EVENT_READ, self._read)
        self._start()

    @staticmethod
    def _stamp(unix_time):
        t = unix_time + _NTP_EPOCH_OFFSET
        return struct.pack("!II", int(t), int((t % 1) * 2**32))

    def _read(self, sock):
        request, peer = sock.recvfrom(512)
        if len(request) < 48 or request[0] & 7 != 3:
            return
        received = self._stamp(time.time() + self.offset)
        version = (request[0] >> 3) & 7
        header = struct.pack("!BBbb", (version << 3) | 4, 1, 6, -20)  # LI 0, mode 4; stratum, poll, precision
        reply = (
            header
            + struct.pack("!II", 0, 0)  # root delay, root dispersion
            + b"LOCL"
            + received  # reference time
            + request[40:48]  # originate: the client's transmit time, so it can match the answer
            + received
            + self._stamp(time.time() + self.offset)
        )
        with self._lock:
            self.requests += 1
        sock.sendto(reply, peer)


class DnsServer(_Server):
    """Answers A and AAAA queries from `records` (name -> address or list; an address with ':' is
    IPv6, answered to AAAA); NXDOMAIN for a name it does not hold. .queries lists the names
    asked, .qtypes their record types (1 A, 28 AAAA)."""

    def __init__(self, records=None, host="127.0.0.1", port=0, ttl=300):
        super().__init__("dns")
        self.records = {k.lower().rstrip("."): v for k, v in (records or {}).items()}
        self.ttl = ttl
        self.queries = []
        self.qtypes = []
        self._sock = socket.socket(_family(host), socket.SOCK_DGRAM)
        self._sock.bind((host, port))
        self._sock.setblocking(False)
        self.host, self.port = self._sock.getsockname()[:2]
        self._selector.register(self._sock, selectors.EVENT_READ, self._read)
        self._start()

    def _read(self, sock):
        query, peer = sock.recvfrom(4096)
        if len(query) < 12:
            return
        qid, flags, qdcount = struct.unpack("!HHH", query[:6])
        if flags & 0x8000 or qdcount != 1:
            return
        labels, pos = [], 12
        while query[pos]:
            length = query[pos]
            labels.append(query[pos + 1 : pos + 1 + length].decode("ascii", "replace"))
            pos += 1 + length
        question_end = pos + 5
        qtype = struct.unpack("!H", query[pos + 1 : pos + 3])[0]
        name = ".".join(labels).lower()
        with self._lock:
            self.queries.append(name)
            self.qtypes.append(qtype)
        entry = self.records.get(name)
        addrs = [] if entry is None else ([entry] if isinstance(entry, str) else list(entry))
        rcode = 0 if entry is not None else 3
        answers = b""
        if qtype == 1:
            addrs = [a for a in addrs if ":" not in a]
            for addr in addrs:
                # Name as a pointer to the question (offset 12), type A, class IN, TTL, 4 bytes.
                answers += struct.pack("!HHHIH", 0xC00C, 1, 1, self.ttl, 4) + socket.inet_aton(addr)
        elif qtype == 28:
            addrs = [a for a in addrs if ":" in a]
            for addr in addrs:
                packed = socket.inet_pton(socket.AF_INET6, addr)
                answers += struct.pack("!HHHIH", 0xC00C, 28, 1, self.ttl, 16) + packed
        else:
            addrs = []
        header = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(addrs), 0, 0)
        sock.sendto(header + query[12:question_end] + answers, peer)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tcp-echo", type=int, metavar="PORT")
    parser.add_argument("--udp-echo", type=int, metavar="PORT")
    parser.add_argument("--ntp", type=int, metavar="PORT")
    parser.add_argument("--dns", type=int, metavar="PORT")
    parser.add_argument("--record", action="append", default=[], metavar="NAME=IP", help="DNS A record")
    args = parser.parse_args(argv)
    servers = []
    if args.tcp_echo is not None:
        servers.append(("tcp-echo", TcpEchoServer(port=args.tcp_echo)))
    if args.udp_echo is not None:
        servers.append(("udp-echo", UdpEchoServer(port=args.udp_echo)))
    if args.ntp is not None:
        servers.append(("ntp", NtpServer(port=args.ntp)))
    if args.dns is not None:
        records = dict(item.split("=", 1) for item in args.record)
        servers.append(("dns", DnsServer(records, port=args.dns)))
    if not servers:
        parser.error("choose at least one server")
    # The handlers go in before the addresses are printed: a caller that has read them may
    # stop the servers at once.
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    for kind, server in servers:
        print("%s %s:%d" % (kind, server.host, server.port), flush=True)
    while not done.wait(0.5):
        pass
    for _, server in servers:
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
