# The network beyond bring-up: the +CEREG record (AT+CEREG? as a Registration, with the names
# of its states), signal quality (AT+CSQ), the driver's preferred AT+QICFG values, and
# reattach() when a program calls it itself (start() takes over kept sockets on its own).
# Modem imports this module the first time one of its functions is used; what start() and
# wait_network() run at every boot is in bringup.py, which loads this module only for
# start(configure=True) and for the error of a network that never came.

from .bringup import adopt, kinds, reg_line
from .checks import check_range
from .fields import Fields

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


def registration(modem):
    """AT+CEREG?: a network.Registration (stat, tac, ci, act, timers...) or None."""
    line = reg_line(modem)
    return None if line is None else Registration(line, True)


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


def prefer(modem):
    # The driver's preferred AT+QICFG values, set only where the module differs: text both
    # ways (half the UART bytes of hex), viewmode 0 (data after a line end, counted),
    # showlength 1 (recv URCs announce their length), echomode 0 (no echo of data-mode input).
    n = modem.sockets
    fmt = False if (n.send_hex or n.recv_hex) else None
    modem.configure(
        fmt,
        fmt,
        0 if n.viewmode != 0 else None,
        1 if n.showlength != 1 else None,
        0 if n.echomode != 0 else None,
    )


def reattach(modem, keep=("UDP",), rxsize=1024):
    """Take over the sockets the module still has (AT+QISTATE?): a list of Socket.

    Connected sockets of the kinds in keep get a Socket (its .info is the SocketInfo)
    in the socket table; every other socket the driver does not track is closed.
    """
    keep = kinds(keep)
    check_range(rxsize, 16, 65536, "rxsize")
    if not modem.sockets.known:
        modem.read_config()
    return adopt(modem, modem.socket_state(), keep, rxsize)
