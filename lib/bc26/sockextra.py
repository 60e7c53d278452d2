# The rarely used parts of sockets, loaded on first use: every method costs heap whether it
# is called or not, so Socket and Sockets reach these through __getattr__ (_compat.lazy).
# Here: the explicit send forms (inline, fixed length, Ctrl+Z, QISENDEX), the sent/acked
# counters, available() and the access-mode switch (AT+QISTATE is sockstate.py, AT+QICFG
# sockcfg.py).

from ._compat import const
from .checks import as_bytes, check_range
from .errors import BC26Error, BC26Timeout
from .fields import Fields
from .sockets import BUFFER, PUSH

# limits.py's values (tests_host/test_limits.py checks that they agree).
_DATA_HEX_MAX = const(730)
_DATA_TEXT_MAX = const(1460)
_INLINE_HEX_MAX = const(512)
_INLINE_TEXT_MAX = const(1024)
_QISENDEX_MAX = const(512)

# --- Socket methods ------------------------------------------------------------------


def send_inline(sock, data, quote=None):
    """AT+QISEND=<id>,<len>,<data>: text in double quotes (as the manual asks for
    JSON) when quote is True or the data holds more than letters and digits; hex in
    hex send format. At most 1024 text / 512 hex bytes, no CR, LF, ';' or controls."""
    data = as_bytes(data)
    n = len(data)
    if sock.sockets.send_hex:
        check_range(n, 1, _INLINE_HEX_MAX, "inline hex payload length")
        return sock.send(data, 1)
    check_range(n, 1, _INLINE_TEXT_MAX, "inline payload length")
    kind = 2
    for c in data:
        if c < 32 or c > 126 or c == 59:
            raise ValueError("inline data cannot hold byte %d: use send()" % c)
        if c == 34 and quote is False:
            raise ValueError("unquoted inline data cannot hold '\"'")
    if quote is None:
        # Plain for letters and digits only.
        kind = 1
        for c in data:
            if not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122):
                kind = 2
                break
    elif not quote:
        kind = 1
    return sock.send(data, kind)


def send_fixed(sock, data):
    """AT+QISEND=<id>,<len>, then the data after '>': any byte values, <= 1460
    bytes (730 in hex send format)."""
    data = as_bytes(data)
    n = len(data)
    check_range(n, 1, _DATA_HEX_MAX if sock.sockets.send_hex else _DATA_TEXT_MAX, "data-mode payload length")
    return sock.send(data, 3)


def send_stream(sock, data, cancel=False):
    """AT+QISEND=<id>, the data after '>', then Ctrl+Z; with cancel=True, Esc instead,
    so nothing is sent (returns 0). Text data may not hold Ctrl+Z or Esc."""
    data = as_bytes(data)
    n = len(data)
    check_range(n, 1, _DATA_HEX_MAX if sock.sockets.send_hex else _DATA_TEXT_MAX, "data-mode payload length")
    if not sock.sockets.send_hex:
        for c in data:
            if c == 0x1A or c == 0x1B:
                raise ValueError("Ctrl+Z / Esc in Ctrl+Z-ended data: use send_fixed()")
    return sock.send(data, 4, cancel)


def send_hex(sock, data):
    """AT+QISENDEX=<id>,<len>,"<hex>": any byte values, at most 512 bytes."""
    data = as_bytes(data)
    check_range(len(data), 1, _QISENDEX_MAX, "QISENDEX payload length")
    return sock.send(data, 5)


def send_status(sock):
    """AT+QISEND=<id>,0: (sent, acked, unacked) byte totals; acked ones for TCP only."""
    lines = sock.sockets.modem.command("AT+QISEND=", sock.id, ",0", expect=(b"+QISEND:",), tcpip=True)
    if not lines:
        raise BC26Error(None, "no +QISEND answer")
    line = lines[0]
    f = Fields(line)
    f.start(8, len(line))
    sent, acked, unacked = f.int(), f.int(), f.int()
    if sent is None or acked is None or unacked is None:
        raise BC26Error(None, "unreadable +QISEND answer")
    return sent, acked, unacked


def available(sock):
    """Bytes (push mode) or the last announced length (buffer mode) waiting now."""
    if sock.ring is not None and sock.ring.readable():
        return sock.ring.readable()
    return sock.hint if sock.pending else 0


def set_mode(sock, mode):
    """AT+QISWTMD: switch between BUFFER and PUSH access mode."""
    check_range(mode, 0, 1, "access mode")
    if mode == sock.mode:
        return
    if sock.closed or sock.released:
        raise BC26Error(567)
    # The switch is made the moment the module says OK: a record it sent before taking the
    # command is read in the old mode, one it sends after in the new, even when both arrive
    # in the same read as the OK. After a timeout the module's mode is unknown and the new
    # one is assumed (a push header read as a notice would leave its data to be parsed as
    # lines; a notice read as a push header costs at most one record).
    if mode == PUSH and sock.ring is None:
        from .ring import Ring

        sock.ring = Ring(sock.rxsize, sock.udp)

    def switch():
        sock.mode = mode
        if mode == BUFFER:
            # The module may hold data that arrived after the switch; a gap in the push
            # buffer is still reported before it (Socket.take).
            sock.pending = True

    modem = sock.sockets.modem
    parts = ("AT+QISWTMD=", sock.id, ",", mode)
    try:
        modem.drive(modem.command_steps(parts, None, None, sock.sockets.cmd_timeout, 0, True, switch))
    except BC26Timeout:
        e = modem.engine
        if e.at_ok is switch:  # the command went out and its OK never came (not the resync)
            e.at_ok = None
            switch()
        raise
