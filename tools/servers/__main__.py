"""Run local servers by hand on 127.0.0.1:

    python -m tools.servers --tcp-echo 0 --udp-echo 0 --ntp 0 --dns 0 --record iot.example=127.0.0.1 --web 0

prints one "<kind> 127.0.0.1:<port>" line per server, then serves until interrupted.
"""

import argparse
import signal
import threading

from . import DnsServer, NtpServer, TcpEchoServer, UdpEchoServer, WebServer


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.servers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tcp-echo", type=int, metavar="PORT")
    parser.add_argument("--udp-echo", type=int, metavar="PORT")
    parser.add_argument("--ntp", type=int, metavar="PORT")
    parser.add_argument("--dns", type=int, metavar="PORT")
    parser.add_argument("--record", action="append", default=[], metavar="NAME=IP", help="DNS A record")
    parser.add_argument("--web", type=int, metavar="PORT", help="HTTP and WebSocket (tools/servers/web.py)")
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
    if args.web is not None:
        servers.append(("web", WebServer(port=args.web)))
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
