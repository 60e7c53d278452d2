"""Local servers on 127.0.0.1 (or ::1) for the tests, the demo, the examples and the benchmark.

Each runs on its own thread (socketserver, http.server), binds port 0 unless told otherwise,
exposes .port and stops on .close() (also a context manager). `python -m tools.servers --help`
runs them by hand.
"""

from .base import free_port, wait_port
from .dnsserver import DnsServer
from .echo import TcpEchoServer, UdpEchoServer
from .files import serve_folder
from .mosquitto import Mosquitto, Subscriber, publish
from .ntp import NtpServer
from .web import WebServer, pattern

__all__ = [
    "DnsServer",
    "Mosquitto",
    "NtpServer",
    "Subscriber",
    "TcpEchoServer",
    "UdpEchoServer",
    "WebServer",
    "free_port",
    "pattern",
    "publish",
    "serve_folder",
    "wait_port",
]
