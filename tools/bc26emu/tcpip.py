"""Socket commands of the manual (2.3.1-2.3.7, 2.3.12, 2.3.13)."""

from . import errors
from .atparse import Prompt, decode_hex, unquote_data
from .errors import INVALID_PARAM, CommandError
from .netservices import is_ipv4, is_ipv6
from .sockets import BUFFER, CLOSING, CONNECTED, DIRECT_PUSH, INITIAL, Slot

_INLINE_TEXT_MAX, _INLINE_HEX_MAX = 1024, 512
_DATA_TEXT_MAX, _DATA_HEX_MAX = 1460, 730


def _context(p, i=0):
    # The manual allows 1-3 but "currently only contextID 1 is supported".
    if p.int(i, 1, 3) != 1:
        raise CommandError(INVALID_PARAM)


# AT+QIOPEN ----------------------------------------------------------------------------------


def qiopen(m, cmd):
    if cmd.form == "test":
        return [
            '+QIOPEN: (1-3),(0-4),"TCP/UDP",<IP_address>/<domain_name>,<remote_port>,<local_port>,(0,1),(0,1)'
        ]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) > 8:
        raise CommandError(INVALID_PARAM)
    _context(p)
    connect_id = p.int(1, 0, 4)
    kind = p.str(2, 3).upper()
    if kind not in ("TCP", "UDP"):
        raise CommandError(INVALID_PARAM)
    host = p.str(3, 150)
    remote_port = p.int(4, 1, 65535)
    local_port = p.int(5, 0, 65535, default=0)
    access_mode = p.int(6, 0, 1, default=BUFFER)
    ipv6 = p.int(7, 0, 1, default=0) == 1  # <protocol_type>: 0 IPv4, 1 IPv6
    if (ipv6 and is_ipv4(host)) or (not ipv6 and is_ipv6(host)):
        raise CommandError(INVALID_PARAM)  # an address of the other protocol
    if m.sockets.get(connect_id) is not None:
        # The identity is taken: OK now, the refusal comes as the URC (as seen on real modules).
        m.later(0, _open_result, m, None, connect_id, errors.SOCKET_ID_USED)
        return []
    slot = Slot(connect_id, kind, host, remote_port, local_port, access_mode, ipv6)
    m.sockets.slots[connect_id] = slot
    if not m.registered:
        m.later(0, _open_result, m, slot, connect_id, errors.PDP_OPEN_FAILED)
    elif m.knobs.refuse_connect:
        m.later(m.knobs.open_latency, _open_result, m, slot, connect_id, errors.CONNECT_FAILED)
    else:
        m.later(m.knobs.open_latency, _dial, m, slot)
    return []


def _open_result(m, slot, connect_id, err):
    if slot is not None:
        if m.sockets.get(connect_id) is not slot or slot.closed_by_host:
            return  # closed before the network answered
        slot.state = CONNECTED if err == 0 else INITIAL
        if err:
            if slot.link is not None:
                m.net.close(slot.link)
                slot.link = None
    if err:
        m.last_error = err
    m.urc("+QIOPEN: %d,%d" % (connect_id, err))


def _dial(m, slot):
    if m.sockets.get(slot.connect_id) is not slot or slot.closed_by_host:
        return
    host, port = m.knobs.redirected(slot.host, slot.remote_port)

    def resolved(err, addrs, ttl):
        if m.sockets.get(slot.connect_id) is not slot or slot.closed_by_host:
            return
        if err or not addrs:
            _open_result(m, slot, slot.connect_id, errors.DNS_FAILED)
            return
        dest = m.knobs.redirected(addrs[0], port)  # a redirect may also name the resolved address
        slot.link = m.net.open(
            slot.kind,
            dest,
            slot.local_port,
            m.guarded(lambda e: _open_result(m, slot, slot.connect_id, e)),
            m.guarded(lambda data: m.sockets.received(slot, data)),
            m.guarded(lambda: m.sockets.remote_closed(slot)),
        )

    m.resolve(host, m.guarded(resolved), 6 if slot.ipv6 else 4)


# AT+QICLOSE / AT+QISTATE ----------------------------------------------------------------------


def qiclose(m, cmd):
    if cmd.form == "test":
        return ["+QICLOSE: (0-4)"]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) > 2:
        raise CommandError(INVALID_PARAM)
    connect_id = p.int(0, 0, 4)
    p.int(1, 0, 65535, default=0)  # some firmware takes a timeout here
    slot = m.sockets.get(connect_id)
    if slot is not None:
        slot.state = CLOSING
        slot.closed_by_host = True
        if slot.link is not None:
            m.net.close(slot.link)
            slot.link = None
    m.later(m.knobs.close_latency, _closed, m, slot)
    return []


def _closed(m, slot):
    if slot is not None:
        m.sockets.drop(slot)
    m.final("CLOSE OK", m.answer_delay())


def qistate(m, cmd):
    if cmd.form == "test":
        return []
    slots = [m.sockets.slots[k] for k in sorted(m.sockets.slots)]
    if cmd.form == "read":
        return [s.state_line() for s in slots]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) != 2:
        raise CommandError(INVALID_PARAM)
    query_type = p.int(0, 0, 1)
    if query_type == 0:
        context = p.int(1, 1, 3)
        return [s.state_line() for s in slots] if context == 1 else []
    connect_id = p.int(1, 0, 4)
    return [s.state_line() for s in slots if s.connect_id == connect_id]


# Sending -------------------------------------------------------------------------------------


def _start_send(m, slot, data):
    """After the OK of a send: hand the bytes to the host socket, then SEND OK or SEND FAIL."""
    m.transcript.payload(slot.connect_id, data)
    slot.sent += len(data)

    def report(ok):
        if not ok:
            m.last_error = errors.WRITE_FAILED
        result = "SEND OK" if ok else "SEND FAIL"
        if m.knobs.send_latency > 0:
            m.later(m.knobs.send_latency, m.final, result, m.answer_delay())
        else:
            # At once, on the thread that did the send: an echo from the peer cannot overtake it,
            # just as the radio round trip never beats SEND OK on a real module (a slow answer
            # is held in the output pipe, and the echo's notice waits behind it).
            m.final(result, m.answer_delay())

    if m.knobs.send_fail:
        m.later(0, report, False)
        return
    m.net.send(slot.link, data, m.guarded(report))


def qisend(m, cmd):
    if cmd.form == "test":
        return ["+QISEND: (0-4),(0-1024),<data>"]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    connect_id = p.int(0, 0, 4)
    hex_mode = m.nv.send_hex
    if len(p) == 1:
        m.sockets.sendable(connect_id)
        m.enter_data_mode(connect_id, None)
        return Prompt
    if len(p) == 2:
        length = p.int(1, 0, _DATA_HEX_MAX if hex_mode else _DATA_TEXT_MAX)
        if length == 0:
            slot = m.sockets.get(connect_id)
            if slot is None:
                raise CommandError(errors.SOCKET_CLOSED)
            if slot.kind != "TCP" or slot.link is None:
                return ["+QISEND: %d,0,0" % slot.sent]
            unacked = min(m.net.unacked(slot.link), slot.sent)
            return ["+QISEND: %d,%d,%d" % (slot.sent, slot.sent - unacked, unacked)]
        m.sockets.sendable(connect_id)
        m.enter_data_mode(connect_id, length)
        return Prompt
    length = p.int(1, 1, _INLINE_HEX_MAX if hex_mode else _INLINE_TEXT_MAX)
    raw = p.rest_after(2)
    if hex_mode:
        data = decode_hex(unquote_data(raw, length * 2))
    else:
        data = unquote_data(raw, length).encode("latin-1")
    if len(data) != length:
        raise CommandError(INVALID_PARAM)
    slot = m.sockets.sendable(connect_id)
    _start_send(m, slot, data)
    return []


def send_from_data_mode(m, connect_id, raw, fixed):
    """Ctrl+Z or the last byte of a fixed length arrived: OK, then the send result."""
    if m.nv.send_hex:
        data = decode_hex(raw)
        limit = _DATA_HEX_MAX
    else:
        data, limit = raw, _DATA_TEXT_MAX
    if not data or len(data) > limit:
        raise CommandError(INVALID_PARAM)
    slot = m.sockets.sendable(connect_id)
    m.final("OK")
    _start_send(m, slot, data)


def qisendex(m, cmd):
    if cmd.form == "test":
        return ["+QISENDEX: (0-4),(1-512),<hex_string>"]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) != 3:
        raise CommandError(INVALID_PARAM)
    connect_id = p.int(0, 0, 4)
    length = p.int(1, 1, _INLINE_HEX_MAX)
    data = decode_hex(p.str(2, 2 * _INLINE_HEX_MAX))
    if len(data) != length:
        raise CommandError(INVALID_PARAM)
    slot = m.sockets.sendable(connect_id)
    _start_send(m, slot, data)
    return []


# Receiving and modes -------------------------------------------------------------------------


def qird(m, cmd):
    if cmd.form == "test":
        return ["+QIRD: (0-4),(1-512)"]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) != 2:
        raise CommandError(INVALID_PARAM)
    connect_id = p.int(0, 0, 4)
    limit = p.int(1, 1, 512)
    slot = m.sockets.get(connect_id)
    if slot is None or slot.state == INITIAL or slot.closed_by_host:
        raise CommandError(errors.SOCKET_CLOSED)
    if slot.access_mode == DIRECT_PUSH:
        raise CommandError(errors.NOT_ALLOWED)
    lines = m.sockets.read(slot, limit)
    if slot.last_read and m.chance(m.knobs.late_recv_rate):
        # The notice of data that arrived while the host was already reading it: it comes after
        # the read's OK although the data it announces has been read (the next read may get 0).
        m.after_answer(m.sockets.recv_notice(slot, slot.last_read))
    return lines


def qiswtmd(m, cmd):
    if cmd.form == "test":
        return ["+QISWTMD: (0-4),(0,1)"]
    if cmd.form == "read":
        return []
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) != 2:
        raise CommandError(INVALID_PARAM)
    connect_id = p.int(0, 0, 4)
    mode = p.int(1, 0, 1)
    slot = m.sockets.get(connect_id)
    if slot is None:
        raise CommandError(errors.SOCKET_CLOSED)
    previous, slot.access_mode = slot.access_mode, mode
    if previous == BUFFER and mode == DIRECT_PUSH and slot.nodes:
        m.later(0, m.sockets.flush_to_push, slot)
    if mode == BUFFER:
        slot.recv_urc_armed = not slot.nodes
    return []


# AT+QICFG / AT+QIGETERROR --------------------------------------------------------------------

_QICFG_SINGLE = {"viewmode": "viewmode", "showlength": "showlength", "echomode": None}


def qicfg(m, cmd):
    if cmd.form == "test":
        return [
            '+QICFG: "dataformat",(0,1),(0,1)',
            '+QICFG: "viewmode",(0,1)',
            '+QICFG: "showlength",(0,1)',
            '+QICFG: "echomode",(0,1)',
        ]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    name = p.str(0, 16, need_quotes=True).lower()
    if name == "dataformat":
        if len(p) == 1:
            return ['+QICFG: "dataformat",%d,%d' % (m.nv.send_hex, m.nv.recv_hex)]
        if len(p) != 3:
            raise CommandError(INVALID_PARAM)
        m.nv.send_hex, m.nv.recv_hex = p.int(1, 0, 1), p.int(2, 0, 1)
        return []
    if name not in _QICFG_SINGLE:
        raise CommandError(INVALID_PARAM)
    if len(p) == 1:
        value = m.echomode if name == "echomode" else getattr(m.nv, name)
        return ['+QICFG: "%s",%d' % (name, value)]
    if len(p) != 2:
        raise CommandError(INVALID_PARAM)
    value = p.int(1, 0, 1)
    if name == "echomode":
        m.echomode = value  # not saved: gone after a reboot, as the manual says
    else:
        setattr(m.nv, name, value)
    return []


def qigeterror(m, cmd):
    if cmd.form == "test":
        return []
    if cmd.form != "exec":
        raise CommandError(INVALID_PARAM)
    code = m.last_error
    return ["+QIGETERROR: %d,%s" % (code, errors.describe(code, m.knobs.qigeterror_lowercase))]


COMMANDS = {
    "+QIOPEN": qiopen,
    "+QICLOSE": qiclose,
    "+QISTATE": qistate,
    "+QISEND": qisend,
    "+QISENDEX": qisendex,
    "+QIRD": qird,
    "+QISWTMD": qiswtmd,
    "+QICFG": qicfg,
    "+QIGETERROR": qigeterror,
}
