"""Real DNS, NTP and ICMP echo on behalf of the module, all non-blocking on the reactor thread.

Each request ends in exactly one call of its `done` callback; `done` runs on the reactor thread, or on
a resolver thread for getaddrinfo, so callers must lock what they touch.
"""

import ipaddress
import os
import socket
import struct
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.rdataclass
import dns.rdatatype

from . import errors

_NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900-01-01 to 1970-01-01


def is_ipv4(text):
    try:
        ipaddress.IPv4Address(text)
        return True
    except ValueError:
        return False


def is_ipv6(text):
    try:
        ipaddress.IPv6Address(text)
        return True
    except ValueError:
        return False


def family_of(address):
    """socket.AF_INET6 for an IPv6 address, else socket.AF_INET."""
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _of_family(addrs, family):
    # family 4 or 6: only those addresses; 0: all, IPv4 first.
    v4 = [a for a in addrs if ":" not in a]
    v6 = [a for a in addrs if ":" in a]
    return v4 if family == 4 else v6 if family == 6 else v4 + v6


# DNS messages ----------------------------------------------------------------------------------


QTYPE_A, QTYPE_AAAA = dns.rdatatype.A, dns.rdatatype.AAAA


def build_dns_query(name, query_id, qtype=QTYPE_A):
    """A recursive query for name's A or AAAA records (dnspython; IDNA for a non-ASCII name)."""
    query = dns.message.make_query(name, qtype)
    query.id = query_id
    return query.to_wire()


def parse_dns_answer(msg, query_id):
    """(rcode, [addresses: in the order of the answer], min ttl) of a reply to query_id;
    ValueError or dns.exception.DNSException on anything else."""
    reply = dns.message.from_wire(msg)
    if reply.id != query_id or not reply.flags & dns.flags.QR:
        raise ValueError("not our answer")
    addrs, ttls = [], []
    for rrset in reply.answer:
        if rrset.rdclass == dns.rdataclass.IN and rrset.rdtype in (QTYPE_A, QTYPE_AAAA):
            addrs += [rdata.address for rdata in rrset]
            ttls.append(rrset.ttl)
    return reply.rcode(), addrs, (min(ttls) if ttls else 0)


# ICMP ------------------------------------------------------------------------------------------


def _checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def _echo_request(ident, seq, size):
    payload = bytes((i & 0xFF for i in range(size)))
    head = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    return struct.pack("!BBHHH", 8, 0, _checksum(head + payload), ident, seq) + payload


def open_icmp_socket():
    """(socket, raw?) for ICMP echo, or (None, None) when this host forbids both kinds."""
    try:
        return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP), True
    except OSError:
        pass
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
        sock.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)
        return sock, False
    except OSError:
        return None, None


class Services:
    def __init__(self, reactor, dns_port=53, dns_timeout=3.0, dns_ttl=600, hosts=None):
        self.reactor = reactor
        self.dns_port = dns_port
        self.dns_timeout = dns_timeout
        self.dns_ttl = dns_ttl
        self.hosts = dict(hosts or {})
        self._threads = set()
        self._closed = False

    def close(self, timeout=1.0):
        self._closed = True
        for thread in list(self._threads):
            thread.join(timeout)

    # Name resolution ----------------------------------------------------------------------

    def resolve(self, name, servers, done, family=4):
        """done(err, [ip, ...], ttl) from the hosts table, an IP literal, the configured servers
        or, with none configured, the host's own resolver. family 4: IPv4 addresses (A records),
        6: IPv6 (AAAA), 0: both, IPv4 first (an AAAA query follows the A query)."""
        if is_ipv4(name) or is_ipv6(name):
            addrs = _of_family([name], family)
            self.reactor.call_soon(done, 0 if addrs else errors.DNS_FAILED, addrs, 0)
        elif name in self.hosts:
            entry = self.hosts[name]
            addrs = _of_family([entry] if isinstance(entry, str) else list(entry), family)
            self.reactor.call_soon(done, 0 if addrs else errors.DNS_FAILED, addrs, self.dns_ttl)
        elif servers:
            qtypes = {4: [QTYPE_A], 6: [QTYPE_AAAA]}.get(family, [QTYPE_A, QTYPE_AAAA])
            self.reactor.call_soon(self._query_types, name, list(servers), qtypes, [], [], done)
        else:
            thread = threading.Thread(target=self._getaddrinfo, args=(name, family, done), daemon=True)
            self._threads.add(thread)
            thread.start()

    def _getaddrinfo(self, name, family, done):
        af = {4: socket.AF_INET, 6: socket.AF_INET6}.get(family, socket.AF_UNSPEC)
        try:
            infos = socket.getaddrinfo(name, None, af, socket.SOCK_STREAM)
            addrs = _of_family(list(dict.fromkeys(info[4][0] for info in infos)), family)
        except (OSError, UnicodeError):
            addrs = []
        finally:
            self._threads.discard(threading.current_thread())
        if not self._closed:
            self.reactor.call_soon(done, 0 if addrs else errors.DNS_FAILED, addrs, self.dns_ttl)

    def _query_types(self, name, servers, qtypes, addrs, ttls, done):
        # One query per record type, in turn; a name that does not exist (NXDOMAIN) ends it.
        if not qtypes:
            addrs = list(dict.fromkeys(addrs))
            done(0 if addrs else errors.DNS_FAILED, addrs, min(ttls) if addrs else 0)
            return

        def answered(rcode, found, ttl):
            if rcode == 0 and found:
                addrs.extend(found)
                ttls.append(ttl)
            rest = [] if rcode != 0 else qtypes[1:]
            self._query_types(name, servers, rest, addrs, ttls, done)

        self._query(name, servers, qtypes[0], answered)

    def _query(self, name, servers, qtype, done):
        # done(rcode, addresses, ttl) from the first server that answers; rcode None: none did.
        if not servers:
            done(None, [], 0)
            return
        server, rest = servers[0], servers[1:]
        query_id = struct.unpack("!H", os.urandom(2))[0]
        try:
            packet = build_dns_query(name, query_id, qtype)
            sock = socket.socket(family_of(server), socket.SOCK_DGRAM)
            sock.setblocking(False)
            sock.sendto(packet, (server, self.dns_port))
        except (OSError, UnicodeError, ValueError, dns.exception.DNSException):
            self._query(name, rest, qtype, done)
            return
        state = {}

        def finish(result):
            if state:
                return
            state["done"] = True
            timer.cancel()
            self.reactor.discard(sock)
            if result is None:
                self._query(name, rest, qtype, done)
            else:
                done(*result)

        def readable(mask):
            try:
                msg, _ = sock.recvfrom(4096)
                rcode, addrs, ttl = parse_dns_answer(msg, query_id)
            except (OSError, ValueError, dns.exception.DNSException):
                return  # stray or broken packet: keep waiting for ours
            finish((rcode, addrs, ttl))

        timer = self.reactor.call_later(self.dns_timeout, finish, None)
        self.reactor.watch(sock, 1, readable)

    # NTP ----------------------------------------------------------------------------------

    def ntp(self, ip, port, timeout, done):
        """done(err, unix_time) from one SNTP exchange."""
        self.reactor.call_soon(self._ntp, ip, port, timeout, done)

    def _ntp(self, ip, port, timeout, done):
        now = time.time() + _NTP_EPOCH_OFFSET
        stamp = struct.pack("!II", int(now), int((now % 1) * 2**32))
        request = bytes([0x23]) + bytes(39) + stamp  # LI 0, version 4, mode 3 (client)
        try:
            sock = socket.socket(family_of(ip), socket.SOCK_DGRAM)
            sock.setblocking(False)
            sock.sendto(request, (ip, port))
        except OSError:
            self.reactor.call_soon(done, errors.TIMEOUT, None)
            return
        state = {}

        def finish(err, value):
            if state:
                return
            state["done"] = True
            timer.cancel()
            self.reactor.discard(sock)
            done(err, value)

        def readable(mask):
            try:
                reply, _ = sock.recvfrom(512)
            except OSError:
                return
            # A server answer (mode 4 or 5) that echoes our transmit time as its originate time.
            if len(reply) < 48 or reply[0] & 7 not in (4, 5) or reply[24:32] != stamp:
                return
            seconds, fraction = struct.unpack("!II", reply[40:48])
            if seconds == 0:
                return
            finish(0, seconds - _NTP_EPOCH_OFFSET + fraction / 2**32)

        timer = self.reactor.call_later(timeout, finish, errors.TIMEOUT, None)
        self.reactor.watch(sock, 1, readable)

    # ICMP echo ----------------------------------------------------------------------------

    def ping(self, ip, timeout, size, seq, done):
        """done(err, rtt_ms, ttl) for one echo request."""
        self.reactor.call_soon(self._ping, ip, timeout, size, seq, done)

    def _ping(self, ip, timeout, size, seq, done):
        sock, raw = open_icmp_socket()
        if sock is None:
            done(errors.CREATE_FAILED, 0, 0)
            return
        ident = struct.unpack("!H", os.urandom(2))[0]
        sock.setblocking(False)
        sent_at = time.monotonic()
        try:
            sock.sendto(_echo_request(ident, seq, size), (ip, 0))
        except OSError:
            sock.close()
            done(errors.WRITE_FAILED, 0, 0)
            return
        if not raw:
            ident = sock.getsockname()[1]  # the kernel rewrites the id of datagram ICMP sockets
        state = {}

        def finish(err, rtt, ttl):
            if state:
                return
            state["done"] = True
            timer.cancel()
            self.reactor.discard(sock)
            done(err, rtt, ttl)

        def readable(mask):
            try:
                if raw:
                    packet, peer = sock.recvfrom(2048)
                    ttl = packet[8]
                    icmp = packet[(packet[0] & 0x0F) * 4 :]
                else:
                    packet, ancdata, _, peer = sock.recvmsg(2048, 64)
                    icmp, ttl = packet, 64
                    for level, kind, value in ancdata:
                        if level == socket.IPPROTO_IP and kind == getattr(socket, "IP_TTL", 2):
                            ttl = struct.unpack("i", value[:4])[0] if len(value) >= 4 else value[0]
            except OSError:
                return
            if len(icmp) < 8 or peer[0] != ip:
                return
            kind, _, _, got_id, got_seq = struct.unpack("!BBHHH", icmp[:8])
            if kind != 0 or got_id != ident or got_seq != seq:
                return
            finish(0, (time.monotonic() - sent_at) * 1000.0, ttl)

        timer = self.reactor.call_later(timeout, finish, errors.TIMEOUT, 0, 0)
        self.reactor.watch(sock, 1, readable)
