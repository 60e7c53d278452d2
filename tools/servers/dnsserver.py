"""A DNS responder on 127.0.0.1 (or ::1) for A and AAAA records; the messages are dnspython's."""

import socketserver
import threading

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from .base import Background, make_server


class _Dns(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        owner = self.server.owner
        try:
            query = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return  # not a DNS message: a real server drops it too
        if query.flags & dns.flags.QR or len(query.question) != 1:
            return
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        with owner._lock:
            owner.queries.append(name)
            owner.qtypes.append(int(question.rdtype))
        reply = dns.message.make_response(query)
        reply.flags |= dns.flags.RA
        entry = owner.records.get(name)
        if entry is None:
            reply.set_rcode(dns.rcode.NXDOMAIN)
        else:
            addrs = [entry] if isinstance(entry, str) else list(entry)
            if question.rdtype == dns.rdatatype.A:
                addrs = [a for a in addrs if ":" not in a]
            elif question.rdtype == dns.rdatatype.AAAA:
                addrs = [a for a in addrs if ":" in a]
            else:
                addrs = []
            if addrs:
                reply.answer.append(
                    dns.rrset.from_text_list(question.name, owner.ttl, "IN", question.rdtype, addrs)
                )
        # In the order the test gave them: dnspython would shuffle the records of a set.
        sock.sendto(reply.to_wire(want_shuffle=False), self.client_address)


class DnsServer(Background):
    """Answers A and AAAA queries from `records` (name -> address or list; an address with ':' is
    IPv6, answered to AAAA); NXDOMAIN for a name it does not hold. .queries lists the names
    asked, .qtypes their record types (1 A, 28 AAAA)."""

    def __init__(self, records=None, host="127.0.0.1", port=0, ttl=300):
        self.records = {k.lower().rstrip("."): v for k, v in (records or {}).items()}
        self.ttl = ttl
        self.queries = []
        self.qtypes = []
        self._lock = threading.Lock()
        self._run(make_server(socketserver.UDPServer, host, port, _Dns, self), "dns")
