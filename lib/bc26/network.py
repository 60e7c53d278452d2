# Bring-up and the network: start(), registration (AT+CEREG; Modem handles its URC), the module's
# address (AT+CGPADDR; and the +IP: URC), signal quality (AT+CSQ), waiting for the network,
# and taking over the sockets a module kept while the MCU was reset or asleep.
#
# The module outlives the MCU: after an MCU reset it may be registered for hours, echo
# may be on or off, its AT+QICFG values are whatever was stored, and sockets may still be
# open. Nothing here assumes a blank module; it asks.
# Modem imports this module the first time one of its functions is used.

from ._compat import ticks_diff, ticks_ms
from .checks import check_range
from .engine import LINE_MORE, LINE_NOT_MINE
from .errors import BC26Timeout
from .fields import Fields
from .limits import WAIT_MAX
from .sockets import BUFFER, Socket

_OK_MS = 2000

STAT_NAMES = ("not registered", "registered, home", "searching", "denied", "unknown", "registered, roaming")


class Registration:
    """One +CEREG record, read form (AT+CEREG?) or URC form: what is absent is None.

    stat 0 not registered, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming; tac and ci
    hex strings; act 9 for NB-IoT; cause_type and reject_cause with n=3/5; active_time
    (T3324) and periodic_tau (T3412) as the network granted them, with n=4/5 (8-bit strings).
    n is the URC mode, known only from the read form.
    """

    def __init__(self, line, read):
        f = Fields(line)
        f.start(7, len(line))
        self.n = f.int() if read else None
        self.stat = f.int(4)
        self.tac = _text(f)
        self.ci = _text(f)
        self.act = f.int()
        self.cause_type = f.int()
        self.reject_cause = f.int()
        self.active_time = _text(f)
        self.periodic_tau = _text(f)

    @property
    def registered(self):
        return self.stat == 1 or self.stat == 5

    @property
    def stat_name(self):
        return STAT_NAMES[self.stat] if 0 <= self.stat <= 5 else "unknown"

    def __repr__(self):
        return "<Registration %d %s tac=%s ci=%s>" % (self.stat, self.stat_name, self.tac, self.ci)


def _text(f):
    return f.text() if f.str() else None


def _is_read_form(buf, s, end, fields):
    # AT+CEREG? answers "+CEREG: <n>,<stat>[,...]"; the URC is "+CEREG: <stat>[,"<tac>",...]".
    # The read form's second field is a bare number, the URC's a quoted or empty one.
    fields.start(s + 7, end)
    fields.int()
    p = fields.pos
    return p < end and 48 <= buf[p] <= 57


class _ReadLine:
    # Takes the read-form line of AT+CEREG?; declines the URCs of the same prefix. The state
    # is recorded here, in order: a URC that comes after the answer is the newer news.

    def __init__(self, modem):
        self.modem = modem
        self.line = None

    def take(self, buf, s, end):
        f = self.modem.engine.fields
        if self.line is not None or not _is_read_form(buf, s, end, f):
            return LINE_NOT_MINE
        self.modem.reg = f.int(4)
        self.line = bytes(buf[s:end])
        return LINE_MORE


def registration(modem):
    """AT+CEREG?: a network.Registration (stat, tac, ci, act, timers...) or None."""
    r = _ReadLine(modem)
    modem.command("AT+CEREG?", expect=(b"+CEREG:",), on_line=r.take, timeout=_OK_MS)
    if r.line is None:
        return None
    return Registration(r.line, True)


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


def signal(modem):
    """AT+CSQ: (rssi, ber, dbm); rssi 0-31 or 99, dbm None when unknown."""
    lines = modem.command("AT+CSQ", expect=(b"+CSQ:",), timeout=_OK_MS)
    line = lines[0]
    f = Fields(line)
    f.start(5, len(line))
    rssi = f.int(99)
    ber = f.int(99)
    dbm = -113 + 2 * rssi if 0 <= rssi <= 31 else None
    return rssi, ber, dbm


def wait_network(modem, timeout=180000, every=3000):
    """Wait until the module has an IP address (+IP: or AT+CGPADDR); returns it.

    Asks first and again every ``every`` ms, so a module registered before the MCU
    started is seen at once. BC26Timeout after timeout ms, naming the registration state.
    """
    check_range(timeout, 0, WAIT_MAX, "timeout")
    check_range(every, 100, 600000, "every")
    t0 = ticks_ms()
    e = modem.engine
    while True:
        # Ask, so a module that registered before the MCU started is seen at once, then
        # listen for +IP: until the next question.
        if address(modem):
            return modem.ip
        reg = registration(modem)
        t1 = ticks_ms()
        while not modem.ip:
            left = timeout - ticks_diff(ticks_ms(), t0)
            if left <= 0:
                what = reg.stat_name if reg is not None else "no answer"
                raise BC26Timeout("no network after %d ms (%s)" % (timeout, what))
            wait = every - ticks_diff(ticks_ms(), t1)
            if wait <= 0:
                break
            modem.poll()
            if not modem.ip:
                e.idle(wait if wait < left else left)
        if modem.ip:
            return modem.ip


def prefer(modem):
    # The driver's preferred AT+QICFG values, set only where the module differs: text both
    # ways (half the UART bytes of hex), viewmode 0 (data after a line end, counted),
    # showlength 1 (recv URCs announce their length), echomode 0 (no echo of data-mode input).
    n = modem.net
    fmt = False if (n.send_hex or n.recv_hex) else None
    modem.configure(
        fmt,
        fmt,
        0 if n.viewmode != 0 else None,
        1 if n.showlength != 1 else None,
        0 if n.echomode != 0 else None,
    )


def _kinds(keep):
    if isinstance(keep, str):
        keep = (keep,)
    out = []
    for k in keep or ():
        k = k.upper() if isinstance(k, str) else k
        if k not in ("TCP", "UDP"):
            raise ValueError("keep holds 'TCP' and/or 'UDP'")
        out.append(k)
    return out


def reattach(modem, keep=("UDP",), rxsize=1024):
    """Take over the sockets the module still has (AT+QISTATE?): a list of Socket.

    Connected sockets of the kinds in keep get a Socket (its .info is the SocketInfo)
    in the socket table; every other socket the driver does not track is closed.
    """
    keep = _kinds(keep)
    check_range(rxsize, 16, 65536, "rxsize")
    net = modem.net
    if not net.known:
        modem.read_config()
    out = []
    for info in modem.socket_state():
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


def start(modem, tries=10, cereg=2, configure=False, keep=("UDP",), rxsize=1024):
    """Bring-up of a module in any state; returns the sockets it kept (reattach()).

    Esc (leaves a data mode), AT until OK (auto-baud), ATE0, AT+CMEE=1, AT+CEREG=<cereg>
    (None: leave), AT+QICFG read (configure=True: set the driver's preferred values),
    AT+CEREG? and AT+CGPADDR=1 (sets .reg and .ip), then reattach(keep, rxsize).
    """
    if cereg is not None:
        check_range(cereg, 0, 5, "cereg")
    keep = _kinds(keep)
    check_range(rxsize, 16, 65536, "rxsize")
    # Esc first: an MCU reset in the middle of a Ctrl+Z-ended send leaves the module in data
    # mode, where every AT would be taken for data. In command mode it is one bad line,
    # answered by ERROR, and sync() sends AT again.
    modem.engine.write(b"\x1b")
    modem.sync(tries)
    modem.command("ATE0", timeout=_OK_MS)
    modem.command("AT+CMEE=1", timeout=_OK_MS)
    if cereg is not None:
        modem.command("AT+CEREG=", cereg, timeout=_OK_MS)
    modem.read_config()
    if configure:
        prefer(modem)
    registration(modem)
    address(modem)
    return reattach(modem, keep, rxsize)
