"""The module's five sockets: state, the buffer-mode receive nodes, and how received data is printed."""

import collections

from . import errors
from .atparse import encode_hex

INITIAL, CONNECTING, CONNECTED, CLOSING, REMOTE_CLOSING = range(5)
BUFFER, DIRECT_PUSH = 0, 1
_URC_MAX = 1400  # manual 2.4 note 4


class Slot:
    def __init__(self, connect_id, kind, host, remote_port, local_port, access_mode, ipv6=False):
        self.connect_id = connect_id
        self.ipv6 = ipv6  # <protocol_type> 1: the host is an IPv6 address or a name with AAAA records
        self.kind = kind
        self.host = host
        self.remote_port = remote_port
        self.local_port = local_port
        self.access_mode = access_mode
        self.state = CONNECTING
        self.closed_by_host = False  # AT+QICLOSE was sent (state 3 also means the peer closed)
        self.link = None
        self.nodes = collections.deque()
        self.recv_urc_armed = True  # the next arrival into an empty buffer is announced
        self.full_reported = False
        self.sent = 0
        self.last_read = 0  # bytes the latest AT+QIRD returned

    def state_line(self):
        return '+QISTATE: %d,"%s","%s",%d,%d,%d,1,%d' % (
            self.connect_id,
            self.kind,
            self.host,
            self.remote_port,
            self.local_port,
            self.state,
            self.access_mode,
        )


class SocketTable:
    def __init__(self, modem):
        self.modem = modem
        self.slots = {}

    def get(self, connect_id):
        return self.slots.get(connect_id)

    def sendable(self, connect_id):
        slot = self.slots.get(connect_id)
        if slot is None or slot.state != CONNECTED or slot.link is None:
            raise errors.CommandError(errors.SOCKET_CLOSED)
        return slot

    def forget_all(self):
        for slot in self.slots.values():
            if slot.link is not None:
                self.modem.net.close(slot.link)
        self.slots.clear()

    def drop(self, slot):
        if slot.link is not None:
            self.modem.net.close(slot.link)
            slot.link = None
        if self.slots.get(slot.connect_id) is slot:
            del self.slots[slot.connect_id]

    # Data from the network -------------------------------------------------------------------

    def received(self, slot, data):
        if self.slots.get(slot.connect_id) is not slot:
            return
        if slot.access_mode == DIRECT_PUSH:
            self.push(slot, data)
        else:
            self.store(slot, data)

    def store(self, slot, data):
        m = self.modem
        if not data:
            return
        if len(slot.nodes) >= m.knobs.max_nodes:
            # Out of nodes: the data is lost (TCP has already acknowledged it) and the host is told once.
            if not slot.full_reported:
                slot.full_reported = True
                m.urc('+QIURC: "recv",%d,"buff full"' % slot.connect_id)
            m.transcript.event("buff full: dropped %d bytes on %d" % (len(data), slot.connect_id))
            return
        slot.nodes.append(bytearray(data))
        if slot.recv_urc_armed:
            slot.recv_urc_armed = False
            m.urc(self.recv_notice(slot, len(data)))

    def recv_notice(self, slot, length):
        """The buffer-mode notice that `length` bytes arrived (with showlength, the length shows)."""
        if self.modem.nv.showlength:
            return '+QIURC: "recv",%d,%d' % (slot.connect_id, length)
        return '+QIURC: "recv",%d' % slot.connect_id

    def _payload(self, data):
        return encode_hex(data) if self.modem.nv.recv_hex else bytes(data)

    def _push_urc(self, connect_id, data):
        head = b'+QIURC: "recv",%d,%d' % (connect_id, len(data))
        if self.modem.nv.viewmode:
            return head + b',"' + self._payload(data) + b'"'
        return head + b"\r\n" + self._payload(data)

    def push(self, slot, data):
        m = self.modem
        if slot.kind == "UDP":
            body = self._push_urc(slot.connect_id, data)
            if len(body) > _URC_MAX:
                m.transcript.event("udp datagram of %d bytes dropped: URC over 1400" % len(data))
                return
            m.urc(body)
            return
        # A TCP stream has no datagram edges to keep: cut it so every URC fits in 1400 bytes.
        room = _URC_MAX - len(self._push_urc(slot.connect_id, b"")) - 4
        room = room // 2 if m.nv.recv_hex else room
        for start in range(0, len(data), room):
            m.urc(self._push_urc(slot.connect_id, data[start : start + room]))

    def read(self, slot, limit):
        """Answer lines of AT+QIRD: one node at a time, as manual 2.3.5 note 3 describes."""
        m = self.modem
        if not slot.nodes:
            slot.recv_urc_armed = True
            slot.last_read = 0
            return ["+QIRD: 0"]
        node = slot.nodes[0]
        chunk = bytes(node[:limit])
        slot.last_read = len(chunk)
        del node[:limit]
        remaining = len(node)
        if not remaining:
            slot.nodes.popleft()
            slot.full_reported = False
        if not slot.nodes:
            slot.recv_urc_armed = True
        head = b"+QIRD: %d" % len(chunk)
        if m.nv.showlength:
            head += b",%d" % remaining
        if m.nv.viewmode:
            return [head + b"," + self._payload(chunk)]
        return [head, self._payload(chunk)]

    def flush_to_push(self, slot):
        """After AT+QISWTMD switches to direct push, what was buffered comes out as push URCs."""
        while slot.nodes and self.slots.get(slot.connect_id) is slot:
            self.push(slot, bytes(slot.nodes.popleft()))
        slot.full_reported = False
        slot.recv_urc_armed = True

    def remote_closed(self, slot):
        if self.slots.get(slot.connect_id) is not slot or slot.state != CONNECTED:
            return
        slot.state = self.modem.knobs.remote_close_state
        self.modem.urc('+QIURC: "closed",%d' % slot.connect_id)
