# A network interface object like network.WLAN, network.LAN or network.PPP, for code written
# for those: it asks isconnected() and status() and calls active(), connect(), disconnect().
#
#     import bc26.netif
#     nic = bc26.netif.NIC(modem)        # one per modem; NIC(modem) again gives the same one
#     nic.connect("iot.example")         # the APN (AT+QCGDEFCONT), restarting the module if it changed
#     while not nic.isconnected(): ...   # registered and the default PDN up (+IP:)
#     nic.ipconfig("addr4")              # ("10.170.235.216", "255.255.255.255")
#
#     bc26.netif.install(modem)          # "import network" now gives this module, so code
#     import network                     # that asks network.WLAN(network.STA_IF) gets the NIC
#
# mqtt_as runs on it unmodified: bc26.usocket.install(modem), bc26.netif.install(modem), then
# import mqtt_as (on the unix port, which has no machine.unique_id, stand that in first).
#
# The state comes from the module's own news: +CEREG (registration), +IP: (the address),
# +QIURC: "pdpdeact" (the network took the PDN away) and a restart (RDY, the boot banner):
# the last three, and a +CEREG that is not "registered", clear the address (Modem.ip) until
# the next +IP:. The NIC listens to those URCs beside the library (Engine.listen), after Modem
# and Sockets have handled them. Loaded only when used (nothing in "import bc26").
#
# connect() and disconnect() return at once, as on WiFi: registration takes the network its
# time (seconds to minutes on NB-IoT); poll isconnected() or status(). Only an APN change
# blocks: AT+QCGDEFCONT takes effect at the next boot, so the NIC restarts the module
# (AT+QRST=1) and brings it up again (Modem.start), which closes every socket.

import sys

from .checks import check_text
from .fields import Fields

STA_IF = 0
AP_IF = 1
# status() values, those of the RP2 (CYW43) and generic ports.
STAT_IDLE = 0  # inactive, or detached by disconnect()
STAT_CONNECTING = 1  # searching for or registering with the network, or waiting for +IP:
STAT_GOT_IP = 3
STAT_CONNECT_FAIL = -1  # the network denied the registration (a wrong APN, a barred SIM)
STAT_NO_AP_FOUND = -2
STAT_WRONG_PASSWORD = -3

_OK_MS = 2000
_RADIO_MS = 90000  # AT+CFUN and AT+CGATT may take the network this long (manual: 85 s, 75 s)
_NETMASK = "255.255.255.255"  # a point-to-point bearer: the address alone


class NIC:
    """The module as a network interface; see the top of bc26/netif.py."""

    def __new__(cls, modem, interface=STA_IF):
        nic = getattr(modem, "nic", None)
        if nic is None:
            nic = object.__new__(cls)
            nic._setup(modem)
            modem.nic = nic
        return nic

    def __init__(self, modem, interface=STA_IF):
        if interface != STA_IF:
            raise ValueError("the module is a station only (STA_IF)")

    def _setup(self, modem):
        self.modem = modem
        self._off = False  # active(False) turned the radio off (AT+CFUN=0)
        self._detached = False  # disconnect() (AT+CGATT=0)
        self.lost = 0  # times the address was lost (pdpdeact, deregistration, restart)
        e = modem.engine
        e.listen(b"+CEREG:", self._on_cereg)
        e.listen(b'+QIURC: "pdpdeact"', self._on_pdpdeact)
        for banner in (b"RDY", b"Leaving the BROM", b"POWERED DOWN"):
            e.listen(banner, self._on_restart)

    def __repr__(self):
        return "<bc26 NIC status %d %s>" % (self.status(), self.modem.ip)

    # --- the module's news (URC handlers: short, no commands) --------------------------

    def _lose(self):
        if self.modem.ip is not None:
            self.lost += 1
        self.modem.ip = None

    def _on_cereg(self, buf, s, end):
        # Modem has read <stat> into .reg: any but registered (1 home, 5 roaming) means the
        # PDN, and so the address, went with it.
        reg = self.modem.reg
        if reg != 1 and reg != 5:
            self._lose()

    def _on_pdpdeact(self, buf, s, end):
        self._lose()

    def _on_restart(self, buf, s, end):
        self.modem.reg = None
        self._lose()

    def _pump(self):
        # Read what the module said; commands only when nothing else is running one (an
        # asyncio task of bc26.aio, or a command this poll interrupts).
        m = self.modem
        aio = getattr(m, "aio", None)
        if not m.engine.busy() and (aio is None or not aio.lock.locked()):
            m.poll()
        else:
            m.engine.poll()

    # --- the interface ------------------------------------------------------------------

    def active(self, flag=None):
        """active(): False after active(False). active(True): radio on (AT+CFUN=1) if it
        was turned off here; active(False): radio off (AT+CFUN=0), the network lost."""
        if flag is None:
            return not self._off
        if flag and self._off:
            self.modem.command("AT+CFUN=1", timeout=_RADIO_MS)
            self._off = False
        elif not flag and not self._off:
            self.modem.command("AT+CFUN=0", timeout=_RADIO_MS)
            self._off = True
            self._lose()

    def connect(self, apn=None, key=None, *, user=None):
        """Look for the network: radio on, attached; returns at once (poll isconnected()).

        apn: the APN of the attach, None to keep the module's. If it differs from the one
        stored (AT+QCGDEFCONT?), it is stored and the module restarts to use it (blocking,
        sockets closed). user and key: the APN's credentials, if it has any.
        """
        if apn is not None:
            self.set_apn(apn, user, key)
        if self._off:
            self.active(True)
        if self._detached:
            self.modem.command("AT+CGATT=1", timeout=_RADIO_MS)
            self._detached = False

    def disconnect(self):
        """Detach from the network (AT+CGATT=0): the address and every connection go."""
        self.modem.command("AT+CGATT=0", timeout=_RADIO_MS)
        self._detached = True
        self._lose()

    def isconnected(self):
        """Holding an address (+IP:, AT+CGPADDR); reads what the module said first. Every
        way of losing the network clears the address, so it alone tells (a +CEREG: 1 may
        never come, when AT+CEREG=0)."""
        self._pump()
        return self.modem.ip is not None

    def status(self, param=None):
        """A STAT_* value; status("rssi"): the signal in dBm (AT+CSQ), None when unknown."""
        if param is not None:
            if param != "rssi":
                raise ValueError("status(): only 'rssi'")
            return self.modem.signal()[2]
        if self._off or self._detached:
            return STAT_IDLE
        if self.isconnected():
            return STAT_GOT_IP
        if self.modem.reg == 3:
            return STAT_CONNECT_FAIL
        return STAT_CONNECTING

    def ipconfig(self, name):
        """ipconfig("addr4"): (address, netmask), ("0.0.0.0", "0.0.0.0") without one."""
        if name != "addr4":
            raise ValueError("ipconfig(): only 'addr4'")
        ip = self.modem.ip if self.isconnected() else None
        return (ip, _NETMASK) if ip else ("0.0.0.0", "0.0.0.0")

    def ifconfig(self):
        """(address, netmask, gateway, DNS server): the older form, as WLAN.ifconfig()."""
        ip, mask = self.ipconfig("addr4")
        dns = "0.0.0.0"
        if ip != "0.0.0.0":
            servers = self.modem.dns_servers()
            if servers and servers[0]:
                dns = servers[0]
        return (ip, mask, "0.0.0.0", dns)

    def config(self, *args, **kw):
        """config("apn") reads the stored APN; config(apn=..., user=..., key=...) sets it."""
        if args:
            if args != ("apn",) or kw:
                raise ValueError("config(): only 'apn'")
            return self.apn()[1]
        if kw:
            if "apn" not in kw or set(kw) - {"apn", "user", "key"}:
                raise ValueError("config(): apn=, user=, key=")
            self.set_apn(kw["apn"], kw.get("user"), kw.get("key"))

    # --- the APN -------------------------------------------------------------------------

    def apn(self):
        """AT+QCGDEFCONT?: [PDP type, APN, user, password] as stored ("" where none)."""
        lines = self.modem.command("AT+QCGDEFCONT?", expect=(b"+QCGDEFCONT:",), timeout=_OK_MS)
        out = []
        if lines:
            line = lines[0]
            f = Fields(line)
            f.start(12, len(line))
            while f.pos < f.end and len(out) < 4:
                f.str()
                out.append(f.text())
        while len(out) < 4:
            out.append("")
        return out

    def set_apn(self, apn, user=None, key=None, kind="IP"):
        """Store the APN of the attach and restart the module to use it, unless it is stored
        already. "" lets the network choose. Blocking: the restart closes every socket."""
        parts = ['AT+QCGDEFCONT="', _text(kind, "PDP type"), '"']
        if apn:
            parts += [',"', _text(apn, "APN"), '"']
        if user or key:
            if not apn:
                raise ValueError("user and key need an APN")
            parts += [',"', _text(user or "", "user", True), '","', _text(key or "", "key", True), '"']
        want = [kind, apn or "", user or "", key or ""]
        if self.apn() == want:
            return False
        self.modem.command(*parts, timeout=_OK_MS)
        self.modem.reset()  # AT+QRST=1 (or the RESET pin), then AT until OK
        self.modem.start()
        self._off = self._detached = False
        return True


def _text(s, what, empty=False):
    if empty and not s:
        return ""
    return check_text(s, what, 99).decode()


# --- a stand-in for the network module ---------------------------------------------------

_modem = None


def WLAN(interface=STA_IF):
    """The NIC of the modem given to install(), for code that asks for a WiFi station."""
    if _modem is None:
        raise RuntimeError("call bc26.netif.install(modem) first")
    return NIC(_modem, interface)


def install(modem):
    """Make "import network" give this module, its WLAN() the modem's NIC. Call it before
    importing the code that uses network (mqtt_as does at import). Returns the NIC."""
    global _modem
    _modem = modem
    sys.modules["network"] = sys.modules[__name__]
    return NIC(modem)
