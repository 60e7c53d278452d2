# The object a user holds: one module on one UART.
#
# Modem owns the engine and runs every command through command(), which recovers from an
# earlier timeout and turns a bare ERROR from a TCP/IP command into the module's own error
# code (AT+QIGETERROR), so users see "566 Socket connection failed" and not "ERROR".

from .checks import check_text
from .engine import DEFAULT_RXBUF, LINE_MORE, Engine
from .errors import BC26Error
from .fields import as_text
from .sockets import Sockets


class Modem:
    def __init__(self, uart, rxbuf=DEFAULT_RXBUF, query_errors=True):
        """uart: a machine.UART (or anything with its any/readinto/write surface).

        rxbuf: size of the one receive buffer. query_errors: ask the module for the code
        behind a bare ERROR from a TCP/IP command (one extra command, only on failure).
        """
        self.engine = Engine(uart, rxbuf)
        self.query_errors = query_errors
        self._err = 0
        self.net = Sockets(self)
        self.ip = None  # the module's address: the +IP: URC or AT+CGPADDR (network.py)
        self.reg = None  # registration <stat> from the +CEREG: URC or AT+CEREG?
        self.on(b"+IP:", self._on_ip)
        self.on(b"+CEREG:", self._on_cereg)

    def on(self, prefix, handler):
        """Register handler(buf, start, end) for an unsolicited line; see Engine.on."""
        self.engine.on(prefix, handler)

    def poll(self):
        """Read what the module sent and dispatch URCs. Call it often while idle."""
        self.engine.poll()
        self.net.service()

    # --- sockets (sockets.py) ------------------------------------------------------------

    def open(
        self, kind, host, port, local_port=0, mode=0, ipv6=False, connect_id=None, timeout=None, rxsize=1024
    ):
        """AT+QIOPEN: a connected bc26 Socket, or BC26Error with the module's code.

        kind "TCP" or "UDP"; host an IP address or a domain name (<= 150 bytes); mode
        bc26.BUFFER (0) or bc26.PUSH (1); connect_id 0-4 or None for the first free one;
        timeout ms for +QIOPEN (default 60 s); rxsize: a push-mode socket's buffer.
        """
        return self.net.open(kind, host, port, local_port, mode, ipv6, connect_id, timeout, rxsize)

    def socket_state(self, connect_id=None, context=None):
        """AT+QISTATE (all, one connectID, or one context): a list of SocketInfo."""
        return self.net.state(connect_id, context)

    def configure(self, send_hex=None, recv_hex=None, viewmode=None, showlength=None, echomode=None):
        """AT+QICFG: data formats (text or hex), viewmode, showlength, echomode."""
        self.net.configure(send_hex, recv_hex, viewmode, showlength, echomode)

    def read_config(self):
        """Read the module's AT+QICFG values (they persist in its NVRAM)."""
        self.net.read_config()

    def sync(self, tries=10, timeout=300):
        """Send AT until the module answers OK, then let late answers drain.

        Serves after power-on and wake (the module auto-bauds and the first bytes after
        wake may be lost) and after a command timed out (its answer may still arrive).
        """
        e = self.engine
        e.stale = False
        for _ in range(tries):
            try:
                e.command("AT", timeout=timeout)
                break
            except OSError:
                pass
        else:
            e.stale = True
            raise BC26Error(None, "no answer to AT")
        # One more exchange: an OK that belonged to a timed-out command was just taken by
        # the first AT; this one's OK is then surely ours.
        e.command("AT", timeout=timeout)

    def ready(self):
        """Resynchronise first if an earlier command timed out (its answer may be late).

        Bounded: three AT tries of 200 ms and one more AT, under a second; a module that
        stays silent raises BC26Error("no answer to AT") and is tried again next time.
        """
        if self.engine.stale:
            self.sync(3, 200)

    def command(self, *parts, expect=None, on_line=None, timeout=1000, trailer=0, tcpip=False):
        """Run one command (parts as for Engine.cmd_parts) and return its collected lines."""
        self.ready()
        self.engine.cmd_parts(parts)
        return self.run(expect, on_line, timeout, trailer, tcpip)

    def run(self, expect=None, on_line=None, timeout=1000, trailer=0, tcpip=False, data=None, quote=False):
        """Run the command already built in the engine (call ready() before building it)."""
        e = self.engine
        try:
            e.begin(expect, on_line, timeout, trailer, False, False, data, quote)
            e.wait()
            return e.finish()
        except BC26Error as err:
            self._explain(err, tcpip)
            raise

    def _explain(self, err, tcpip):
        # A bare ERROR from a TCP/IP command: raise the module's own code instead.
        e = self.engine
        bare = err.code is None and err.name == "ERROR"
        if tcpip and bare and self.query_errors and not e.stale and e.state == 0:
            code = self.last_error()
            if code:
                raise BC26Error(code)

    def last_error(self):
        """AT+QIGETERROR: the code of the last TCP/IP command's error (0 when none)."""
        self._err = 0
        self.engine.command("AT+QIGETERROR", expect=(b"+QIGETERROR:",), on_line=self._on_error)
        return self._err

    def _on_error(self, buf, s, end):
        f = self.engine.fields
        f.start(s + 12, end)
        self._err = f.int(0)
        return LINE_MORE

    def at(self, text, timeout=1000, trailer=0):
        """Send any AT command as it is and return its answer lines as str.

        Lines that start with the command's own '+NAME:' are returned, and so are bare
        lines (ATI, AT+CGSN); other '+X:' lines are URCs and go to their handlers. With
        trailer (ms), wait that long after OK for the first '+NAME:' line that follows.
        """
        cmd = check_text(text, "command", 250, quotes=True)
        if cmd[:2] not in (b"AT", b"at"):
            raise ValueError("an AT command starts with AT")
        expect = None
        if len(cmd) > 2 and cmd[2] in b"+$^":
            end = 3
            while end < len(cmd) and cmd[end] not in b"=?":
                end += 1
            expect = (cmd[2:end] + b":",)
        e = self.engine
        self.ready()
        e.cmd(cmd)
        e.begin(expect, None, timeout, trailer, False, True)
        e.wait()
        lines = e.finish() or []
        return [as_text(x) for x in lines]

    # --- services (services.py) and network (network.py) -------------------------------------
    # Each method imports its module on first use: an application that never pings or
    # resolves carries none of that code.

    def _on_ip(self, buf, s, end):
        # +IP: 10.170.235.216 (the default PDN is up: the manual's go-ahead for QIOPEN).
        f = self.engine.fields
        f.start(s + 4, end)
        if f.str():
            self.ip = f.text()

    def _on_cereg(self, buf, s, end):
        # The URC form: +CEREG: <stat>[,...] (the read form, with <n> first, is a response).
        f = self.engine.fields
        f.start(s + 7, end)
        stat = f.int()
        if stat is not None:
            self.reg = stat

    def ping(self, host, timeout=4, count=4, size=32):
        """AT+QPING: (replies, summary); a failure raises BC26Error with the module's code.

        host a domain or dotted IPv4 (<= 150 bytes); timeout 1-255 s per request; count
        1-10; size 32-200 bytes. replies: one (result, ip, bytes, time_ms, ttl) per request,
        (569, None, None, None, None) for one that timed out; summary: (result, sent,
        received, lost, min_ms, max_ms, avg_ms).
        """
        from .services import ping

        return ping(self, host, timeout, count, size)

    def ntp(self, server, port=123, set_clock=None, timeout=60000):
        """AT+QNTP: the time as (year, month, day, hour, minute, second, zone).

        Date and time are UTC (the manual: the module syncs to UTC); zone is the network's,
        in quarter hours, or None. set_clock 1/0 (True/False) sets the module's clock or not;
        None leaves it to the module. timeout: ms to wait for +QNTP. bc26.utc_seconds()
        turns the tuple into seconds.
        """
        from .services import ntp

        return ntp(self, server, port, set_clock, timeout)

    def resolve(self, host, timeout=60000):
        """AT+QIDNSGIP: (addresses, ttl), addresses a list of str; 564/565 raise BC26Error."""
        from .services import resolve

        return resolve(self, host, timeout)

    def set_dns(self, primary, secondary=None):
        """AT+QIDNSCFG=1,"<primary>"[,"<secondary>"]: DNS server addresses (<= 64 bytes)."""
        from .services import set_dns

        set_dns(self, primary, secondary)

    def dns_servers(self):
        """AT+QIDNSCFG=1: (primary, secondary), None where the module reports none."""
        from .services import dns_servers

        return dns_servers(self)

    def error_info(self):
        """AT+QIGETERROR: (code, description) of the last TCP/IP error, as the module words it."""
        from .services import error_info

        return error_info(self)

    def test_form(self, name, timeout=2000):
        """AT+<name>=? through at(): the module's lines (str). name: letters, e.g. "QPING"."""
        from .services import test_form

        return test_form(self, name, timeout)

    def supports(self, name, timeout=2000):
        """Whether the module knows AT+<name> (its test form answers OK; no answer raises)."""
        from .services import supports

        return supports(self, name, timeout)

    def start(self, tries=10, cereg=2, configure=False, keep=("UDP",), rxsize=1024):
        """Bring-up of a module in any state; returns the sockets it kept (reattach()).

        Esc (leaves a data mode), AT until OK (auto-baud), ATE0, AT+CMEE=1, AT+CEREG=<cereg>
        (None: leave), AT+QICFG read (configure=True: set the driver's preferred values),
        AT+CEREG? and AT+CGPADDR=1 (sets .reg and .ip), then reattach(keep, rxsize).
        """
        from .network import start

        return start(self, tries, cereg, configure, keep, rxsize)

    def registration(self):
        """AT+CEREG?: a network.Registration (stat, tac, ci, act, timers...) or None."""
        from .network import registration

        return registration(self)

    def address(self):
        """AT+CGPADDR=1: the module's IP address (str), or None; also sets .ip."""
        from .network import address

        return address(self)

    def signal(self):
        """AT+CSQ: (rssi, ber, dbm); rssi 0-31 or 99, dbm None when unknown."""
        from .network import signal

        return signal(self)

    def wait_network(self, timeout=180000, every=3000):
        """Wait until the module has an IP address (+IP: or AT+CGPADDR); returns it.

        Asks first and again every ``every`` ms, so a module registered before the MCU
        started is seen at once. BC26Timeout after timeout ms, naming the registration state.
        """
        from .network import wait_network

        return wait_network(self, timeout, every)

    def reattach(self, keep=("UDP",), rxsize=1024):
        """Take over the sockets the module still has (AT+QISTATE?): a list of Socket.

        Connected sockets of the kinds in keep get a Socket (its .info is the SocketInfo)
        in the socket table; every other socket the driver does not track is closed.
        """
        from .network import reattach

        return reattach(self, keep, rxsize)

    # --- power (power.py) --------------------------------------------------------------------
    # Pins, sleep, PSM and eDRX; the timers are seconds, encoded and decoded as 3GPP bit strings
    # by bc26.power (encode_tau, decode_tau, encode_active, ...). Imported on first use.

    def set_pins(self, pwrkey=None, reset=None, psm_eint=None, active=1):
        """The MCU outputs wired to PWRKEY, RESET, PSM_EINT (machine.Pin or None), all released.

        active: the GPIO level that pulls the module's pin low, 1 behind the usual NPN stage.
        """
        from .power import Pins

        self.pins = Pins(pwrkey, reset, psm_eint, active)
        return self.pins

    def power_on(self, ms=600, tries=20):
        """Press PWRKEY for ms (>= 500), then sync() (auto-baud). Without the pin: sync() only."""
        from .power import power_on

        power_on(self, ms, tries)

    def reset(self, ms=100, tries=20):
        """Pull RESET low for ms (>= 50), or send AT+QRST=1 without the pin; then sync()."""
        from .power import reset

        reset(self, ms, tries)

    def wake(self, ms=100, tries=20):
        """Pulse PSM_EINT low for ms (a falling edge wakes PSM), then sync() until OK."""
        from .power import wake

        wake(self, ms, tries)

    def set_sleep(self, mode):
        """AT+QSCLK=<mode>: 0 never sleep, 1 light and deep sleep (PSM_EINT wakes), 2 light only."""
        from .power import set_sleep

        set_sleep(self, mode)

    def sleep_mode(self):
        """AT+QSCLK?: the sleep mode (0-2)."""
        from .power import sleep_mode

        return sleep_mode(self)

    def release_sleep_lock(self):
        """AT+QRELLOCK: let the module sleep now, not 10 s after the last command."""
        self.command("AT+QRELLOCK", timeout=2000)

    def set_psm(self, periodic_tau=None, active_time=None, mode=1):
        """AT+CPSMS: request PSM with T3412 and T3324 in seconds (None: keep); mode 0 off, 2 reset.

        Returns (periodic_tau, active_time) in seconds as encoded (the nearest the 3GPP units
        allow); the network decides what it grants: psm_granted().
        """
        from .power import set_psm

        return set_psm(self, periodic_tau, active_time, mode)

    def psm_config(self):
        """AT+CPSMS?: (mode, periodic_tau, active_time), seconds, None where absent or off."""
        from .power import psm_config

        return psm_config(self)

    def psm_granted(self):
        """(periodic_tau, active_time) in seconds as the network granted them (AT+CEREG? n=4), or None."""
        from .power import psm_granted

        return psm_granted(self)

    def set_edrx(self, cycle=None, mode=1):
        """AT+CEDRXS=<mode>,5,<cycle>: eDRX with the cycle nearest to cycle s (20.48-10485.76).

        mode 0 off, 1 on, 2 on with +CEDRXP URCs, 3 off and reset. Returns the cycle as encoded.
        """
        from .power import set_edrx

        return set_edrx(self, cycle, mode)

    def edrx_config(self):
        """AT+CEDRXS?: the requested eDRX cycle in seconds, or None when eDRX is off."""
        from .power import edrx_config

        return edrx_config(self)

    def edrx_granted(self):
        """AT+CEDRXRDP: (requested, granted, paging window) in seconds, or None without eDRX."""
        from .power import edrx_granted

        return edrx_granted(self)

    def psm_events(self, on=True):
        """AT+QNBIOTEVENT=1,1 and AT+QATWAKEUP=1: .psm_state follows "PSM" / "awake"."""
        from .power import psm_events

        psm_events(self, on)

    def wait_psm(self, timeout=10000):
        """Wait up to timeout ms for +QNBIOTEVENT: "ENTER PSM"; True if it came."""
        from .power import wait_psm

        return wait_psm(self, timeout)
