"""An SNTP responder on 127.0.0.1 (or ::1)."""

import socketserver
import struct
import threading
import time

from .base import Background, make_server

_NTP_EPOCH_OFFSET = 2208988800


def _stamp(unix_time):
    t = unix_time + _NTP_EPOCH_OFFSET
    return struct.pack("!II", int(t), int((t % 1) * 2**32))


class _Ntp(socketserver.BaseRequestHandler):
    def handle(self):
        request, sock = self.request
        owner = self.server.owner
        if len(request) < 48 or request[0] & 7 != 3:
            return
        received = _stamp(time.time() + owner.offset)
        version = (request[0] >> 3) & 7
        header = struct.pack("!BBbb", (version << 3) | 4, 1, 6, -20)  # LI 0, mode 4; stratum, poll, precision
        reply = (
            header
            + struct.pack("!II", 0, 0)  # root delay, root dispersion
            + b"LOCL"
            + received  # reference time
            + request[40:48]  # originate: the client's transmit time, so it can match the answer
            + received
            + _stamp(time.time() + owner.offset)
        )
        with owner._lock:
            owner.requests += 1
        sock.sendto(reply, self.client_address)


class NtpServer(Background):
    """Answers SNTP client requests (RFC 4330 packet) with time.time() + offset, stratum 1."""

    def __init__(self, host="127.0.0.1", port=0, offset=0.0):
        self.offset = offset
        self.requests = 0
        self._lock = threading.Lock()
        self._run(make_server(socketserver.UDPServer, host, port, _Ntp, self), "ntp")
