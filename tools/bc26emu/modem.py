"""The emulated module's AT side: bytes in, bytes out, in the manual's dialect.

Sans-IO: the modem prints through `emit`, asks for time through `schedule(delay, fn)` and reaches the
network only through `net` (sockets) and `services` (DNS, NTP, ping), whose callbacks come back on
another thread. One re-entrant lock guards all state; every way in (feed, timers, network callbacks)
takes it, so the handlers below never race.
"""

import random
import threading

from . import errors, general, services_at, tcpip
from .atparse import NoAnswer, Prompt, parse_command, split_chain, strip_to_at
from .errors import CommandError
from .netservices import is_ipv4
from .sockets import SocketTable

CTRL_Z = 0x1A
ESC = 0x1B
_CR, _LF, _BS = 0x0D, 0x0A, 0x08
_MAX_LINE = 3100  # a hex QISEND of 512 bytes plus its header fits with room to spare

_BROM_BANNER = (
    b"F1: 0000 0000\n\rV0: 0000 0000 [0001]\n\r00: 0006 000C\n\r01: 0000 0000\n\r"
    b"U0: 0000 0001 [0000]\n\rT0: 0000 00B4\n\rLeaving the BROM\n\r"
)

# Commands whose errors AT+QIGETERROR reports (manual section 3: "the last TCP/IP AT command").
TCPIP_COMMANDS = frozenset(
    "+QIOPEN +QICLOSE +QISTATE +QISEND +QIRD +QISENDEX +QISWTMD +QPING +QNTP +QIDNSGIP "
    "+QIDNSCFG +QICFG".split()
)


class Nv:
    """Settings the manual says are saved to NVRAM: they survive a reboot."""

    def __init__(self):
        self.send_hex = 0
        self.recv_hex = 0
        self.viewmode = 0
        self.showlength = 0
        self.qsclk = 1
        self.psm = [0, "00111000", "00100100"]  # mode, T3412, T3324
        self.edrx = [0, 5, "0101"]  # mode, AcT, value
        self.pdp = ["IP", "", "", ""]  # AT+QCGDEFCONT: type, APN, user, password (used from the next boot)


class Modem:
    def __init__(self, knobs, emit, schedule, net, services, transcript, clock):
        self.knobs = knobs
        self._emit_raw = emit
        self._schedule = schedule
        self.net = net
        self.services = services
        self.transcript = transcript
        self.clock = clock  # time.time-like; the RTC (NTP may move it)
        self.lock = threading.RLock()
        self._rng = random.Random(knobs.seed + 1)  # apart from the output pipe's, so faults stay independent
        # The realistic profile's draws (delays, noise, late notices): a stream of their own, so
        # turning them on does not change which URCs the duplicate fault hits.
        self._real_rng = random.Random("realistic %d" % knobs.seed)
        self._hold = 0.0  # the next output waits this long (a slow answer); see emit()
        self._after_answer = []  # lines a handler wants printed after its final result
        self._ready = True  # False while booting: every byte is ignored
        self._boot_waiting = False  # the first boot waits for the host (host_attached)
        self.nv = Nv()
        self.handlers = {}
        for table in (general.COMMANDS, tcpip.COMMANDS, services_at.COMMANDS):
            self.handlers.update(table)
        self._gen = 0
        self.commands_seen = 0
        self.sockets = SocketTable(self)
        self._power_on("power on")

    # State that a reboot resets ---------------------------------------------------------------

    def _power_on(self, reason):
        self._gen += 1
        self.echo = self.knobs.echo
        self.echomode = self.knobs.echomode
        self.cereg_n = self.knobs.cereg
        self.cmee = 0
        self.registered = False
        self.denied = False  # the network refused the attach (+CEREG stat 3): a wrong APN
        self.coverage = getattr(self, "coverage", True)  # the network, not the module: kept over a reboot
        self.cfun = 1  # AT+CFUN: 0 radio off
        self.attach = True  # AT+CGATT: 0 detached
        self.apn = self.nv.pdp[1] or self.knobs.apn  # AT+QCGDEFCONT takes effect at boot
        self.last_error = errors.OK
        self.dns_servers = []
        self.rtc_offset = 0.0
        self.busy = set()  # services that allow one request at a time: "dns", "ping", "ntp"
        self._line = bytearray()
        self._line_overflow = False
        self._after_cr = False
        self._data = None  # bytearray while in data mode
        self._data_target = None  # (connectID, fixed byte count or None)
        self.sockets.forget_all()
        self.transcript.event(reason)
        self._hold = 0.0
        self._after_answer = []
        if not (self.knobs.boot_time or self.knobs.boot_deaf):
            self._ready = True
            self._booted()
            return
        # A real module ignores the UART until it has booted, and for a moment after its banner.
        self._ready = False
        if reason == "power on":
            self._boot_waiting = True  # host_attached() starts the clock
        else:
            self._boot_waiting = False
            self.later(self.knobs.boot_time, self._booted)

    def host_attached(self):
        with self.lock:
            if self._boot_waiting:
                self._boot_waiting = False
                self.later(self.knobs.boot_time, self._booted)

    def _booted(self):
        banner = {"rdy": b"\r\nRDY\r\n", "brom": _BROM_BANNER, "none": b""}[self.knobs.boot]
        if banner:
            self.emit(banner)
        if not self._ready:
            self.later(self.knobs.boot_deaf, self._now_ready)
        self.later(self.knobs.reg_delay, self._register)

    def _now_ready(self):
        self._ready = True
        self._line.clear()
        self._line_overflow = False
        self._after_cr = False
        self.transcript.event("ready")

    def _register(self):
        if self.registered or not general.wants_network(self):
            return
        if not general.may_register(self):
            self.transcript.event(
                "not registering (sim %s, network %s)" % (self.knobs.sim, self.knobs.network)
            )
            if self.cereg_n:
                self.urc(general.cereg_urc(self))
            return
        want = self.knobs.network_apn
        if want is not None and self.apn != want:
            self.denied = True
            self.transcript.event("attach refused: APN %r" % self.apn)
            if self.cereg_n:
                self.urc(general.cereg_urc(self))
            return
        self.registered = True
        self.transcript.event("registered")
        if self.cereg_n:
            self.urc(general.cereg_urc(self))
        self.urc("+IP: %s" % self.knobs.ip)

    def reboot(self, reason="reboot"):
        with self.lock:
            self._power_on(reason)

    # Output --------------------------------------------------------------------------------

    def emit(self, data, hold=0.0):
        # The first output after a command carries its answer delay (_hold); the output pipe
        # keeps order, so whatever is printed later waits behind it.
        hold = max(hold, self._hold)
        self._hold = 0.0
        if not self.knobs.silent:
            data = data if isinstance(data, bytes) else data.encode("latin-1")
            if self.knobs.wrong_baud:
                # What a UART at the wrong rate makes of each byte: junk, never a line end.
                data = bytes(0x80 | ((b * 7 + 3) & 0x7F) for b in data)
            self._emit_raw(data, hold)

    def final(self, text, hold=0.0):
        self.emit(b"\r\n" + text.encode() + b"\r\n" + self.noise(), hold)

    def answer_delay(self):
        """Seconds before an answer starts: up to knobs.answer_delay, mostly short (cubed uniform)."""
        limit = self.knobs.answer_delay
        return limit * self._real_rng.random() ** 3 if limit else 0.0

    def noise(self):
        """An unsolicited line, framed, with probability knobs.urc_noise_rate; else b"".

        Lines a real module prints on its own at any time and that change nothing: the
        registration status as it is, and the signalling connection going up or down.
        """
        if not self.chance(self.knobs.urc_noise_rate):
            return b""
        pick = self._real_rng.randrange(3)
        if pick == 0:
            line = b"+CEREG: %d" % general.registration_stat(self)
        else:
            line = b"+CSCON: %d" % (pick - 1)
        return b"\r\n" + line + b"\r\n"

    def chance(self, rate):
        """True with probability rate, from the realistic profile's own random stream."""
        return bool(rate) and self._real_rng.random() < rate

    def after_answer(self, body):
        """From a handler: print this unsolicited line right after the command's final result."""
        self._after_answer.append(b"\r\n" + (body if isinstance(body, bytes) else body.encode()) + b"\r\n")

    def urc(self, body):
        """Print an unsolicited line, with the URC faults applied."""
        if isinstance(body, str):
            body = body.encode("latin-1")
        framed = b"\r\n" + body + b"\r\n"
        rate = self.knobs.urc_duplicate_rate
        copies = 2 if rate and self._rng.random() < rate else 1
        for _ in range(copies):
            if self.knobs.urc_delay > 0:
                self.later(self.knobs.urc_delay, self.emit, framed)
            else:
                self.emit(framed)

    # Time and callbacks from other threads ----------------------------------------------------

    def later(self, delay, fn, *args):
        """Run fn under the lock after delay, unless the module rebooted in between."""
        gen = self._gen

        def run():
            with self.lock:
                if gen == self._gen:
                    fn(*args)

        return self._schedule(delay, run)

    def guarded(self, fn):
        """Wrap a network callback so it runs under the lock and is ignored after a reboot."""
        gen = self._gen

        def run(*args):
            with self.lock:
                if gen == self._gen:
                    fn(*args)

        return run

    def now(self):
        return self.clock() + self.rtc_offset

    # Input ---------------------------------------------------------------------------------

    def resolve(self, host, done, family=4):
        """Look host up with the module's DNS servers: done(err, [ip, ...], ttl). family as
        for NetServices.resolve (4, 6, or 0 for both)."""
        if self.knobs.no_dns and not self.dns_servers and not is_ipv4(host):
            self._schedule(0, lambda: done(errors.DNS_FAILED, [], 0))
            return
        self.services.resolve(host, self.dns_servers, done, family)

    def feed(self, data):
        with self.lock:
            if self.knobs.wrong_baud:
                # Read at the wrong rate each byte the driver sends arrives as something else:
                # no command is understood, only the echo comes back (as junk: see emit()).
                self.transcript.event("wrong baud: %d bytes not understood" % len(data))
                if self.echo:
                    self.emit(bytes(data))
                return
            if self.knobs.silent or not self._ready:
                self._note_while_silent(data)
                return
            view = memoryview(bytes(data))
            i = 0
            while i < len(view):
                if self._data is not None:
                    i = self._feed_data(view, i)
                else:
                    self._feed_command_byte(view[i])
                    i += 1

    def _note_while_silent(self, data):
        # A hung module still receives: keep the command list complete, execute nothing.
        for byte in bytes(data):
            if byte == _CR:
                body = strip_to_at(self._line.decode("latin-1"))
                if body is not None:
                    self.transcript.command("AT" + body)
                self._line.clear()
            elif byte != _LF and len(self._line) < _MAX_LINE:
                self._line.append(byte)

    def _feed_command_byte(self, byte):
        if byte == _LF and self._after_cr:
            self._after_cr = False  # the LF of a CR LF line end: no echo, no effect
            return
        self._after_cr = byte == _CR
        if self.echo:
            self.emit(bytes((byte,)))
        if byte == _CR:
            line, overflow = bytes(self._line), self._line_overflow
            self._line.clear()
            self._line_overflow = False
            self._run_line(line, overflow)
        elif byte == _LF:
            pass
        elif byte == _BS:
            if self._line:
                self._line.pop()
        elif len(self._line) < _MAX_LINE:
            self._line.append(byte)
        else:
            self._line_overflow = True

    def enter_data_mode(self, connect_id, fixed_length):
        self._data = bytearray()
        self._data_target = (connect_id, fixed_length)
        self.emit(b"\r\n> ")

    def _feed_data(self, view, i):
        connect_id, fixed = self._data_target
        if fixed is not None:
            want = fixed * (2 if self.nv.send_hex else 1) - len(self._data)
            chunk = bytes(view[i : i + want])
            self._data += chunk
            if self.echomode:
                self.emit(chunk)
            if len(self._data) >= fixed * (2 if self.nv.send_hex else 1):
                self._end_data(send=True)
            return i + len(chunk)
        end = i
        while end < len(view) and view[end] not in (CTRL_Z, ESC):
            end += 1
        chunk = bytes(view[i:end])
        self._data += chunk
        if self.echomode and chunk:
            self.emit(chunk)
        if end < len(view):
            self._end_data(send=view[end] == CTRL_Z)
            return end + 1
        return end

    def _end_data(self, send):
        raw = bytes(self._data)
        connect_id, fixed = self._data_target
        self._data = None
        self._data_target = None
        self._after_cr = False
        self.last_error = errors.OK
        self._hold = self.answer_delay()
        try:
            if not send:
                raise CommandError(errors.CANCEL_SEND)
            tcpip.send_from_data_mode(self, connect_id, raw, fixed)
        except CommandError as exc:
            self.last_error = exc.code
            self.final("ERROR")
        self._hold = 0.0

    # Command lines ------------------------------------------------------------------------

    def _run_line(self, line, overflow):
        text = line.decode("latin-1")
        body = strip_to_at(text)
        if body is None:
            return  # noise without an AT prefix: a real module ignores it
        self.transcript.command("AT" + body)
        self.commands_seen += 1
        # After the echo, before the (possibly slow) answer: where a URC often lands.
        noise = self.noise()
        if noise:
            self.emit(noise)
        self._hold = self.answer_delay()
        self._after_answer = []
        try:
            self._run_checked_line(body, text, overflow)
        finally:
            self._hold = 0.0  # a command that printed nothing (AT+QRST) leaves no delay behind
            self._after_answer = []

    def _run_checked_line(self, body, text, overflow):
        reboot_on = self.knobs.reboot_on
        if reboot_on and ("AT" + body).upper().startswith(reboot_on.upper()):
            self.knobs.reboot_on = None
            self._power_on("reboot (fault) on " + text.strip())
            return
        fail_next = self.knobs.fail_next
        if fail_next and ("AT" + body).upper().startswith(fail_next[0].upper()):
            self.knobs.fail_next = None
            self.last_error = fail_next[1]
            self.final("ERROR")
        elif overflow:
            self.final("ERROR")
        else:
            self._run_chain(body)
        silent_after = self.knobs.silent_after
        if silent_after is not None and self.commands_seen >= silent_after:
            self.knobs.silent = True
            self.transcript.event("silent (fault)")

    def _run_chain(self, body):
        lines = []
        for part in split_chain(body):
            cmd = parse_command(part)
            handler = self.handlers.get(cmd.name)
            tcpip_cmd = cmd.name in TCPIP_COMMANDS
            if tcpip_cmd:
                self.last_error = errors.OK
            try:
                if handler is None or cmd.form == "bad":
                    raise CommandError(errors.INVALID_PARAM)
                answer = handler(self, cmd)
            except CommandError as exc:
                if tcpip_cmd:
                    self.last_error = exc.code
                cme = exc.cme is not None and self.cmee
                self._print(lines, "+CME ERROR: %d" % exc.cme if cme else "ERROR")
                return
            if answer is Prompt or answer is NoAnswer:
                self._print(lines, None)
                return
            lines.extend(answer or ())
        self._print(lines, "OK")

    def _print(self, lines, result):
        out = bytearray()
        # Real modules let an unsolicited line cut into an answer (+CEREG: before another
        # command's lines, peers.md section 5): the knob puts one before the first answer line
        # and before the final result; urc_noise_rate at random there, between lines and after
        # the result. Never between a header and its data: that is one record.
        noise = b"\r\n" + self.knobs.urc_in_answers.encode() + b"\r\n" if self.knobs.urc_in_answers else b""
        if lines:
            out += noise + self.noise() + b"\r\n"
            between = False  # no noise before the first line (it had its chance) or after a header
            for line in lines:
                line = line if isinstance(line, bytes) else line.encode("latin-1")
                if between:
                    out += self.noise()
                out += line + b"\r\n"
                between = not line.startswith(b"+QIRD:")  # counted data follows its header directly
        if result:
            out += noise + self.noise() + b"\r\n" + result.encode() + b"\r\n" + self.noise()
            for late in self._after_answer:
                out += late
            self._after_answer = []
        if out:
            self.emit(bytes(out))
