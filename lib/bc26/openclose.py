# AT+QIOPEN and AT+QICLOSE: the Sockets methods that open and close sockets, loaded by the
# first open or close (Sockets.__getattr__, _compat.lazy). A deep-sleep node that keeps its
# socket through PSM (Modem.reattach) never opens or closes one again, and never loads this.
# They are Sockets methods written as functions of self, so they use its state as its own
# code does; open() is Modem.open (modem.open(...) is open(modem, ...)).

from ._compat import const
from .checks import check_host, check_range
from .engine import LINE_DONE, LINE_NOT_MINE
from .errors import BC26Error, BC26Timeout
from .sockets import BUFFER, Socket, done_line

# limits.py's values (tests_host/test_limits.py checks that they agree).
_URC_MAX = const(1400)
_WAIT_MAX = const(86400000)


def open(  # Modem.open, by its public name (this module never needs the builtin)
    m, kind, host, port, local_port=0, mode=0, ipv6=False, connect_id=None, timeout=None, rxsize=1024
):
    """AT+QIOPEN: a connected bc26 Socket, or BC26Error with the module's code.

    kind "TCP" or "UDP"; host an IP address or a domain name (<= 150 bytes); mode
    bc26.BUFFER (0) or bc26.PUSH (1); connect_id 0-4 or None for the first free one;
    timeout ms for +QIOPEN (default 60 s); rxsize: a push-mode socket's buffer, as a
    size or a bytearray to use (allocated early, while the heap is still in one piece).
    """
    return m.drive(
        open_steps(m.sockets, kind, host, port, local_port, mode, ipv6, connect_id, timeout, rxsize)
    )


def open_steps(
    self,
    kind,
    host,
    port,
    local_port=0,
    mode=BUFFER,
    ipv6=False,
    connect_id=None,
    timeout=None,
    rxsize=1024,
):
    # Modem.open as steps (see Modem.drive): the Socket, once +QIOPEN reports success.
    if isinstance(kind, bytes):
        kind = kind.decode()
    kind = kind.upper() if isinstance(kind, str) else kind
    if kind not in ("TCP", "UDP"):
        raise ValueError("kind must be 'TCP' or 'UDP'")
    host = check_host(host)
    check_range(port, 1, 65535, "remote port")
    check_range(local_port, 0, 65535, "local port")
    check_range(mode, 0, 1, "access mode")
    if not isinstance(rxsize, bytearray):
        check_range(rxsize, 16, 65536, "rxsize")
    elif len(rxsize) < 16:
        raise ValueError("rxsize: a bytearray of at least 16 bytes")
    if connect_id is None:
        for i in range(5):
            if self.table[i] is None and not (self.orphans | self.closing) & (1 << i):
                connect_id = i
                break
        else:
            raise BC26Error(563, "all five sockets are in use")
    else:
        check_range(connect_id, 0, 4, "connectID")
        if self.table[connect_id] is not None:
            raise ValueError("connectID %d is in use" % connect_id)
    work = self.service(True)
    if work is not None:
        yield from work
    if not self.known:
        self.modem.read_config()  # blocking: four short commands, once per boot (start() does it)
    if timeout is None:
        timeout = self.open_timeout
    check_range(timeout, 1, _WAIT_MAX, "timeout")
    if self.viewmode and len(self.e.buf) < _URC_MAX + 64:
        # viewmode 1 puts the data inside the record: the buffer must hold the longest.
        raise ValueError("viewmode 1 needs rxbuf >= %d; configure(viewmode=0)" % (_URC_MAX + 64))
    self._open_id = connect_id
    self._open_err = -1
    parts = ["AT+QIOPEN=1,", connect_id, ',"', kind, '","', host, '",', port, ",", local_port, ",", mode]
    if ipv6:
        parts.append(",1")
    # The socket takes its slot before the command goes out: data pushed right after
    # +QIOPEN, or a repeated +QIOPEN, may arrive in the same read as the result.
    # If the open fails, the socket stays there, closed to its user, until AT+QICLOSE is
    # answered: the module may still open it, and what it pushes meanwhile is counted and
    # dropped (a socket unknown to the table would leave its data to be read as lines).
    sock = Socket(self, connect_id, kind, mode, rxsize)
    self.table[connect_id] = sock
    try:
        m = self.modem
        yield from m.command_steps(parts, (b"+QIOPEN:",), self.open_line, self.cmd_timeout, timeout, True)
        if self._open_err:
            raise BC26Error(self._open_err)
        if self.table[connect_id] is not sock and self.table[connect_id] is None:
            # The module restarted while the resynchronisation before AT+QIOPEN ran
            # (which forgot every socket, this reserved one too), then opened it.
            sock.released = False
            self.table[connect_id] = sock
    except BC26Error:
        # The manual: after a failed open, AT+QICLOSE before anything else.
        self._open_id = -1
        sock.closed = True
        yield from self.release_steps(sock)
        raise
    except BaseException:
        # Cancelled or interrupted: no command may run now; the next poll closes it.
        self.defer_close(sock)
        raise
    finally:
        self._open_id = -1
    return sock


def open_line(self, buf, s, end):
    f = self.e.fields
    f.start(s + 8, end)
    if f.int(-1) != self._open_id:
        return LINE_NOT_MINE
    self._open_err = f.int(0)
    return LINE_DONE


def release_steps(self, sock):
    # Steps (see Modem.drive): free sock's connectID on the module (AT+QICLOSE) and in
    # the table, once.
    if sock.released:
        return
    sock.released = True
    yield from self.close_steps(sock.id)


def close_steps(self, cid):
    # Steps (see Modem.drive): AT+QICLOSE=<cid>, waiting for CLOSE OK. An ERROR (nothing
    # open there) is fine. Until the module has answered, a released socket keeps its
    # place in the table, so that data pushed for it is dropped by its count; if the
    # close gets no answer, the next poll tries again.
    bit = 1 << cid
    done = False
    try:
        yield from self.modem.command_steps(
            ("AT+QICLOSE=", cid), (b"CLOSE OK",), done_line, self.cmd_timeout, self.close_timeout
        )
        done = True
    except BC26Error as err:
        if isinstance(err, BC26Timeout):
            raise
        done = True
    finally:
        if done:
            self.orphans &= ~bit
            self.closing &= ~bit
            s = self.table[cid]
            if s is not None and s.released:
                self.table[cid] = None
        else:
            self.closing |= bit
