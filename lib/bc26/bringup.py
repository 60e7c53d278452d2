# Bring-up: what start() runs at every boot and every wake, and the network wait after it.
# start(), wait_network(), address(); Modem imports this module the first time one of them is
# used.
#
# The module outlives the MCU: after an MCU reset it may be registered for hours, echo
# may be on or off, its AT+QICFG values are whatever was stored, and sockets may still be
# open. Nothing here assumes a blank module; it asks.
#
# Every function here runs on a healthy boot; what runs only on an unusual one lives where it
# is loaded only then: the +CEREG record with its names, the preferred AT+QICFG values and
# reattach() called on its own (network.py), the parser of AT+QISTATE's records (sockstate.py,
# loaded only when the module kept a socket). AT+QICFG's read and writes are sockcfg.py,
# which start() loads.

from ._compat import const, ticks_diff, ticks_ms
from .checks import check_range
from .engine import LINE_MORE, LINE_NOT_MINE
from .errors import BC26Timeout
from .fields import Fields
from .sockcfg import read_config
from .sockets import BUFFER, Socket

# limits.py's values (tests_host/test_limits.py checks that they agree).
_WAIT_MAX = const(86400000)

_OK_MS = const(2000)  # OK / ERROR of these commands (const: no name kept at run time)
_ECHO_OFF = const(1)  # resync.py's Engine.cmd_tag of an ATE0 that succeeded


def reg_line(modem):
    # AT+CEREG?: its read-form line (bytes) or None; sets .reg. The read form is
    # "+CEREG: <n>,<stat>[,...]", the URC "+CEREG: <stat>[,"<tac>",...]": the read form's
    # second field is a bare number, the URC's a quoted or empty one. URCs of the same prefix
    # inside the answer are declined (Modem handles them), in order: a URC that comes after
    # the answer is the newer news.
    got = []

    def take(buf, s, end):
        f = modem.engine.fields
        if got:
            return LINE_NOT_MINE
        f.start(s + 7, end)
        f.int()
        p = f.pos
        if p >= end or not 48 <= buf[p] <= 57:
            return LINE_NOT_MINE
        modem.reg = f.int(4)
        got.append(bytes(buf[s:end]))
        return LINE_MORE

    modem.command("AT+CEREG?", expect=(b"+CEREG:",), on_line=take, timeout=_OK_MS)
    return got[0] if got else None


def address(modem):
    """AT+CGPADDR=1: the module's IP address (str), or None; also sets .ip."""
    # Cleared first: a +IP: URC that arrives while the command runs sets it again.
    modem.ip = None
    lines = modem.command("AT+CGPADDR=1", expect=(b"+CGPADDR:",), timeout=_OK_MS)
    for line in lines:
        f = Fields(line)
        f.start(9, len(line))
        if f.int() == 1 and f.str():
            modem.ip = f.text()
    return modem.ip


def wait_network(modem, timeout=180000, every=3000):
    """Wait until the module has an IP address (+IP: or AT+CGPADDR); returns it.

    Asks first and again every ``every`` ms, so a module registered before the MCU
    started is seen at once. BC26Timeout after timeout ms, naming the registration state.
    """
    check_range(timeout, 0, _WAIT_MAX, "timeout")
    check_range(every, 100, 600000, "every")
    t0 = ticks_ms()
    e = modem.engine
    while True:
        # Ask, so a module that registered before the MCU started is seen at once, then
        # listen for +IP: until the next question.
        if address(modem):
            return modem.ip
        line = reg_line(modem)
        t1 = ticks_ms()
        while not modem.ip:
            left = timeout - ticks_diff(ticks_ms(), t0)
            if left <= 0:
                what = "no answer"
                if line is not None:
                    # The names of the states are network.py's: loaded on this error only.
                    from .network import Registration

                    what = Registration(line, True).stat_name
                raise BC26Timeout("no network after %d ms (%s)" % (timeout, what))
            wait = every - ticks_diff(ticks_ms(), t1)
            if wait <= 0:
                break
            modem.poll()
            if not modem.ip:
                e.idle(wait if wait < left else left)
        if modem.ip:
            return modem.ip


def kinds(keep):
    # keep as start() and reattach() take it ("TCP", "UDP", one or both) as a list.
    if isinstance(keep, str):
        keep = (keep,)
    out = []
    for k in keep or ():
        k = k.upper() if isinstance(k, str) else k
        if k not in ("TCP", "UDP"):
            raise ValueError("keep holds 'TCP' and/or 'UDP'")
        out.append(k)
    return out


def start(modem, tries=10, cereg=2, configure=False, keep=("UDP",), rxsize=1024):
    """Bring-up of a module in any state; returns the sockets it kept (reattach()).

    Esc (leaves a data mode), AT until OK (auto-baud), ATE0 (not right after power_on() or
    reset(), whose sync sent it), AT+CMEE=1, AT+CEREG=<cereg>
    (None: leave), AT+QICFG read (configure=True: set the driver's preferred values),
    AT+CEREG? and AT+CGPADDR=1 (sets .reg and .ip), then reattach(keep, rxsize).
    """
    if cereg is not None:
        check_range(cereg, 0, 5, "cereg")
    keep = kinds(keep)
    check_range(rxsize, 16, 65536, "rxsize")
    # Esc first: an MCU reset in the middle of a Ctrl+Z-ended send leaves the module in data
    # mode, where every AT would be taken for data. In command mode it is one bad line,
    # answered by ERROR, and sync() sends AT again.
    e = modem.engine
    e.write(b"\x1b")
    # Echo is unknown after an MCU reset: marked on, as a restart marks it, so the sync ends
    # with ATE0 (once: a restart seen in the sync asks for the same one). Not when the last
    # command was a resync's ATE0 that succeeded (power_on() or reset() just before).
    if e.cmd_tag != _ECHO_OFF:
        modem.sockets.echo_on = True
    modem.sync(tries)
    modem.command("AT+CMEE=1", timeout=_OK_MS)
    if cereg is not None:
        modem.command("AT+CEREG=", cereg, timeout=_OK_MS)
    read_config(modem)
    if configure:
        from .network import prefer

        prefer(modem)
    reg_line(modem)
    address(modem)
    # reattach(), with the question asked here: a module that kept no socket answers with
    # no record, and then the records' parser (sockstate.py) is not needed.
    lines = modem.command("AT+QISTATE?", expect=(b"+QISTATE:",), tcpip=True)
    if not lines:
        return []
    from .sockstate import infos

    return adopt(modem, infos(lines), keep, rxsize)


def adopt(modem, found, keep, rxsize):
    # reattach() once the SocketInfo list is known (start() has asked AT+QISTATE? itself;
    # network.reattach, called on its own, asks through socket_state()).
    net = modem.sockets
    out = []
    for info in found:
        cid = info.id
        if not 0 <= cid <= 4 or net.table[cid] is not None:
            continue
        if info.service in keep and info.state == 2 and info.access_mode in (0, 1):
            s = Socket(net, cid, info.service, info.access_mode, rxsize)
            # A "recv" URC may have gone out before the MCU listened, and the module sends
            # no other until its buffer is read empty: read once to find out.
            s.pending = info.access_mode == BUFFER
            s.info = info
            net.table[cid] = s
            out.append(s)
        else:
            modem.drive(net.close_steps(cid))
    return out
