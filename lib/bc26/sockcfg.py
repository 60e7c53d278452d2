# AT+QICFG: the four values that decide how the module frames data (dataformat, viewmode,
# showlength, echomode). The driver reads them before the first socket opens (start() at every
# boot, through bringup.py) and records what it sets. Loaded on first use, through
# Modem.__getattr__: modem.configure(...) is configure(modem, ...). read_config stays beside
# configure, not in bringup.py: a program that sets the values without start() (the soak
# does) would otherwise load the whole bring-up for it. What the formats other than the
# default (viewmode 1, showlength 1, hex, echomode 1) need on the data path is here too, as
# methods of sockets.Sockets loaded on first use (qird_format, skip_echo): only a program that
# set or read them here meets them.

from .checks import check_range
from .engine import LINE_MORE
from .errors import BC26Error
from .fields import Fields


def read_config(m):
    """Read the module's AT+QICFG values (dataformat, viewmode, showlength persist in NVRAM).

    Returns them as configure() takes them: {"send_hex", "recv_hex", "viewmode",
    "showlength", "echomode"} (echomode 0 on firmware without it).
    """
    net = m.sockets
    for name in ("dataformat", "viewmode", "showlength", "echomode"):
        try:
            lines = m.command('AT+QICFG="', name, '"', expect=(b"+QICFG:",), tcpip=True)
        except BC26Error:
            if name == "echomode":  # older firmware has no echomode: no echo then
                net.echomode = 0
                continue
            raise
        for line in lines:
            f = Fields(line)
            f.start(7, len(line))
            f.str()
            key = line[f.a : f.b]  # (a copy: this runs a few times, at start())
            a = f.int(0)
            if key == b"dataformat":
                net.send_hex = a == 1
                net.recv_hex = f.int(0) == 1
            elif key == b"viewmode":
                net.viewmode = a
            elif key == b"showlength":
                net.showlength = a
            elif key == b"echomode":
                net.echomode = a
    net.known = True
    return {
        "send_hex": net.send_hex,
        "recv_hex": net.recv_hex,
        "viewmode": net.viewmode,
        "showlength": net.showlength,
        "echomode": net.echomode,
    }


def configure(m, send_hex=None, recv_hex=None, viewmode=None, showlength=None, echomode=None):
    """AT+QICFG: data formats (text or hex), viewmode, showlength, echomode (None: leave as is);
    the driver frames data accordingly."""
    net = m.sockets
    if not net.known:
        read_config(m)
    if send_hex is not None or recv_hex is not None:
        s = net.send_hex if send_hex is None else bool(send_hex)
        r = net.recv_hex if recv_hex is None else bool(recv_hex)
        m.command('AT+QICFG="dataformat",', int(s), ",", int(r), tcpip=True)
        net.send_hex = s
        net.recv_hex = r
    for name, value in (("viewmode", viewmode), ("showlength", showlength), ("echomode", echomode)):
        if value is not None:
            check_range(value, 0, 1, name)
            m.command('AT+QICFG="', name, '",', value, tcpip=True)
            setattr(net, name, value)


def qird_format(self, p, end, n):
    # Sockets.on_qird in viewmode 1, showlength 1 or hex: '+QIRD: <n>' was read up to buf[p].
    e = self.e
    buf = e.buf
    f = e.fields
    f.start(p, end)
    f.int()  # the empty rest of the <n> field: steps over its comma
    if self.showlength:
        # Left in the module after this read; some firmware prints it negative.
        self.remaining = f.int(0)
    if n <= 0:
        return LINE_MORE
    if self.recv_hex:
        self.hex.data(self.hex.read_hex, n, self.viewmode, f.pos, end)
    elif self.viewmode:
        # The data starts right after the comma: Fields skipped the spaces after it,
        # which may be the data's own first bytes.
        q = f.pos
        while buf[q - 1] == 32:
            q -= 1
        e.take(n, self.read_sink, q, True)
    else:
        e.take(n, self.read_sink)
    return LINE_MORE


def skip_echo(self, k, partial=False):
    # Socket.sent after the '>' under echomode 1: the module repeats the k bytes of data-mode
    # input (2 k in hex; partial: k as they went out, digits in hex), which are no record.
    self.e.take(2 * k if self.send_hex and not partial else k, _ignore, -2)


def _ignore(mv, s, e):
    pass
