# bc26.doctor: the first contact with a module, one step at a time, in plain words.
#
#   import bc26.doctor
#   bc26.doctor.run("esp32_devkitc", server=("203.0.113.5", 7))   # a board file of boards/
#
# Each step says what it found and, when something is wrong, what to check next; it stops at
# the first step that fails and returns a Diagnosis a program can test (.ok, .failed). The
# steps: the UART answers (at which baud), echo, the SIM (AT+CPIN?, AT+QCCID), the signal
# (AT+CSQ), registration (AT+CEREG?), attach (AT+CGATT?), the address (AT+CGPADDR), the APN
# (AT+QCGDEFCONT?), the DNS servers (AT+QIDNSCFG), one name lookup, one ping, and one UDP
# round trip to an echo server you name. It talks to the module only through the library's
# own calls, over an AT trace (bc26.trace), whose last lines it shows when a step fails.
# Loaded only by `import bc26.doctor`; nothing of it stays in RAM otherwise.

from ._compat import sleep_ms, ticks_add, ticks_diff, ticks_ms
from .errors import BC26Error, BC26Timeout
from .fields import as_text
from .modem import Modem
from .trace import Trace

# The rates to try when the first gives nothing: the board file's, then the common ones.
BAUDS = (115200, 9600, 57600, 38400, 19200, 4800, 230400, 460800)
STEPS = (
    "uart",
    "echo",
    "sim",
    "signal",
    "registration",
    "attach",
    "address",
    "apn",
    "dns",
    "lookup",
    "ping",
    "udp",
)


class Diagnosis:
    """What the doctor found. ok: every step that ran passed; failed: the name of the step that
    failed (see STEPS) or None; advice: its sentence; steps: [(name, passed, sentence)];
    baud: the rate the module answered at; modem and trace: to go on from where it stopped."""

    def __init__(self, modem, trace):
        self.ok = False
        self.failed = None
        self.advice = None
        self.steps = []
        self.baud = None
        self.modem = modem
        self.trace = trace

    def __repr__(self):
        if self.ok:
            return "<Diagnosis: every step passed>"
        return "<Diagnosis: %s failed: %s>" % (self.failed, self.advice)


class _Stop(Exception):
    pass


class _Doctor:
    def __init__(self, out, wait, modem, trace):
        self.out = out
        self.d = Diagnosis(modem, trace)
        if not 0 < wait <= 3600:  # also refuses nan and inf
            raise ValueError("wait must be 0..3600 s")
        self.deadline = ticks_add(ticks_ms(), int(wait * 1000))
        self.reply_ms = 10000 if wait >= 10 else max(1000, int(wait * 1000))  # the UDP echo's

    def ok(self, step, sentence):
        self.d.steps.append((step, True, sentence))
        self.say("ok   ", step, sentence)

    def fail(self, step, sentence):
        self.d.steps.append((step, False, sentence))
        self.d.failed = step
        self.d.advice = sentence
        self.say("FAIL ", step, sentence)
        raise _Stop()

    def say(self, mark, step, sentence):
        if self.out is not None:
            self.out("%s %-12s %s" % (mark, step, sentence))

    def left_ms(self):
        return ticks_diff(self.deadline, ticks_ms())


def _words(e):
    # The module's own words for an error, as the library raised it.
    return str(e) or type(e).__name__


def _field(line):
    # What follows "+NAME: " in an answer line, without quotes.
    k = line.find(":")
    return line[k + 1 :].strip().replace('"', "") if k >= 0 else line.strip()


def run(board=None, server=None, name=None, ping=None, wait=90, bauds=None, out=print, uart=None, tries=5):
    """Walk the bring-up; print a line per step (out=None: quiet) and return a Diagnosis.

    board: a board module or its name (boards/: "esp32_devkitc", "rp2_pico", "teb", "unix";
    None: this port's default), or uart: a UART (or any object with its surface) to use as it
    is. server: (host, port) of a UDP echo server for the last step (None: skipped). name: a
    host name to look up (default: the server's, if it is a name, else "example.com"). ping: a
    host to ping (default: the server, else the looked-up address; False: skip the ping,
    which many NB-IoT networks drop). wait: seconds allowed for signal, registration, attach
    and address together (a first registration can take minutes). bauds: the rates to try
    when the first gives nothing (default: the board's, then BAUDS; only with a UART that has
    init()). tries: AT tries per rate.
    """
    b = None
    if uart is None:
        # board.py sits beside the library on a board (mpremote mip install .../boards).
        b = __import__("board").load(board)
        uart = b.uart()
    first = getattr(b, "BAUD", 115200)
    if bauds is None:
        bauds = (first,) + tuple(x for x in BAUDS if x != first)
    if not hasattr(uart, "init"):
        bauds = bauds[:1]  # a socket to the emulator has no rate to change
    trace = Trace(uart, lines=12, out=None)
    modem = Modem(trace)
    doc = _Doctor(out, wait, modem, trace)
    d = doc.d
    try:
        _uart(doc, modem, uart, trace, bauds, b, tries)
        _echo(doc, modem, trace)
        _sim(doc, modem)
        _signal(doc, modem)
        _registration(doc, modem)
        _attach(doc, modem)
        apn = _address(doc, modem)
        doc.ok("apn", apn)
        servers = _dns(doc, modem)
        found = _lookup(doc, modem, name, server, servers)
        if ping is not False:
            _ping(doc, modem, ping or (server[0] if server else found))
        _udp(doc, modem, server)
        d.ok = True
    except _Stop:
        pass
    if out is not None:
        if d.ok:
            out("All steps passed: the module is ready for bc26.")
        else:
            out("Stopped at '%s'. The last AT traffic (bc26.trace; > to the module, < from it):" % d.failed)
            trace.dump(out)
    return d


# --- the steps -----------------------------------------------------------------------------


def _synced(modem, trace, tries):
    # AT until OK (Modem.sync). A module that has just booted may answer the first ATs with
    # its banner and an OK that sync() cannot yet trust: when an OK was heard, ask again
    # before calling the line garbled.
    for _ in range(2):
        try:
            modem.sync(tries, 300)
            return True
        except BC26Error:
            if not any(line[9:10] == "<" and "OK\\r" in line for line in trace.lines()):
                return False
    return False


def _uart(doc, modem, uart, trace, bauds, b, tries):
    garbage = False
    for baud in bauds:
        if baud != bauds[0] or len(bauds) > 1:
            uart.init(baudrate=baud)
        before = trace.bytes_in
        if _synced(modem, trace, tries):
            doc.d.baud = baud
            extra = "" if baud == bauds[0] else ": set BAUD = %d in the board file" % baud
            doc.ok("uart", "The module answers AT with OK at %d baud%s." % (baud, extra))
            return
        garbage = garbage or trace.bytes_in > before
    rates = ", ".join("%d" % x for x in bauds)
    if not garbage and b is not None:
        # Maybe it is off: press PWRKEY once (board files with the pin wired), then ask again.
        try:
            pins = b.pins()
            if pins[0] is not None:
                if len(bauds) > 1:
                    uart.init(baudrate=bauds[0])
                modem.set_pins(pins[0], pins[1], pins[2], b.ACTIVE)
                modem.power_on(tries=tries)
                doc.d.baud = bauds[0]
                doc.ok("uart", "The module was off: after a PWRKEY press it answers at %d baud." % bauds[0])
                return
        except Exception:
            pass
    if garbage:
        doc.fail(
            "uart",
            "Bytes come back, but never an OK: the line is garbled, as at a wrong baud rate (tried %s). "
            "Check the board file's BAUD, that both UART lines go through the level translator and "
            "that the module's GND is connected to the board's GND." % rates,
        )
    doc.fail(
        "uart",
        "No answer at all, not a single byte (tried %s). Check in this order: MCU TX to the module's "
        "RXD and MCU RX to its TXD (crossed, not TX to TX); the level translator powered on both "
        "sides (1.8 V and 3.3 V); VBAT from a supply that gives 0.5 A; GND shared; and that the "
        "module was switched on (PWRKEY held low for at least 0.5 s: modem.power_on())." % rates,
    )


def _echo(doc, modem, trace):
    trace.end_line()
    modem.command("AT")
    trace.end_line()
    echo = False
    for line in trace.lines()[-3:]:
        if line[9:10] == "<" and line[11:].startswith("AT\\r"):
            echo = True
    try:
        modem.command("ATE0")
        modem.command("AT+CMEE=1")  # errors as numbers: +CME ERROR: 10 says which
    except BC26Error as e:
        doc.fail("echo", "The module refused ATE0 or AT+CMEE=1 (%s): is it a BC26 or BC20?" % _words(e))
    if echo:
        doc.ok("echo", "Echo was on (the module repeated each command, its default); now off (ATE0).")
    else:
        doc.ok("echo", "Echo is off; errors now come as numbers (AT+CMEE=1).")


def _sim(doc, modem):
    try:
        lines = modem.at("AT+CPIN?", 5000)
    except BC26Error as e:
        if e.code == 10:
            doc.fail(
                "sim",
                "No SIM card: the module says 'SIM not inserted' (+CME ERROR: 10). Switch the module off, "
                "push the SIM into its holder the right way round (contacts towards the board), and switch "
                "it on.",
            )
        doc.fail(
            "sim",
            "The module cannot use the SIM (%s). Check that it sits flat in its holder, that it is a "
            "nano/micro SIM of an NB-IoT plan, and that its contacts are clean." % _words(e),
        )
    state = _field(lines[0]) if lines else ""
    if state != "READY":
        doc.fail(
            "sim",
            "The SIM is locked (+CPIN: %s): put it in a phone, turn its PIN request off, and try again."
            % state,
        )
    iccid = ""
    try:
        for line in modem.at("AT+QCCID", 2000):
            iccid = _field(line)
    except BC26Error:
        pass
    if iccid:
        doc.ok("sim", "SIM ready, ICCID %s (give this number to your SIM provider if it is refused)." % iccid)
    else:
        doc.ok("sim", "SIM ready (the module did not tell its ICCID).")


def _signal(doc, modem):
    while True:
        rssi, ber, dbm = modem.signal()
        if dbm is not None:
            break
        if doc.left_ms() <= 0:
            doc.fail(
                "signal",
                "No signal: AT+CSQ says 99 (no cell heard). Check that the antenna is connected to the "
                "main antenna pad, move near a window, and ask your provider whether NB-IoT covers this "
                "place and on which band (AT+QBAND).",
            )
        sleep_ms(2000 if doc.left_ms() > 2000 else 200)
    if rssi >= 20:
        words = "strong"
    elif rssi >= 15:
        words = "good"
    elif rssi >= 10:
        words = "fair"
    elif rssi >= 3:
        words = "weak: expect slow answers and retries"
    else:
        words = "very weak: at the edge of coverage, expect failures"
    doc.ok("signal", "Signal %s: CSQ %d, about %d dBm." % (words, rssi, dbm))


def _registration(doc, modem):
    while True:
        reg = modem.registration()
        stat = reg.stat if reg is not None else 4
        if stat == 1:
            where = " (area %s, cell %s)" % (reg.tac, reg.ci) if reg.tac else ""
            doc.ok("registration", "Registered on the home network%s." % where)
            return
        if stat == 5:
            doc.ok("registration", "Registered, roaming: fine if the SIM's plan allows roaming.")
            return
        if stat == 3:
            doc.fail(
                "registration",
                "The network turned the module away (registration denied, +CEREG stat 3). The SIM is not "
                "activated for NB-IoT, its plan has ended, or it is not allowed on this network: ask the "
                "SIM provider, with the ICCID above.",
            )
        if doc.left_ms() <= 0:
            if stat == 0:
                doc.fail(
                    "registration",
                    "Not registered and not searching (+CEREG stat 0): the radio may be off (AT+CFUN? "
                    "should say 1) or the SIM unusable.",
                )
            doc.fail(
                "registration",
                "Still searching for a network (+CEREG stat %d). A first registration can take "
                "minutes: run again with a longer wait, check the antenna, and the band of your provider "
                "(AT+QBAND)." % stat,
            )
        sleep_ms(2000 if doc.left_ms() > 2000 else 200)


def _attach(doc, modem):
    while True:
        lines = modem.command("AT+CGATT?", expect=(b"+CGATT:",), timeout=5000)
        state = _field(as_text(lines[0])) if lines else ""
        if state == "1":
            doc.ok("attach", "Attached to the packet network (AT+CGATT? 1).")
            return
        if doc.left_ms() <= 0:
            doc.fail(
                "attach",
                "Registered but not attached to the packet network (AT+CGATT? %s). Wait a minute and run "
                "again; if it stays so, the SIM's data plan or the APN is the likely cause." % (state or "?"),
            )
        sleep_ms(2000 if doc.left_ms() > 2000 else 200)


def _apn(modem):
    # A sentence about the attach APN (AT+QCGDEFCONT?); never fails the diagnosis.
    try:
        lines = modem.at("AT+QCGDEFCONT?", 2000)
    except BC26Error as e:
        return "The module does not show its APN (%s): older firmware." % _words(e)
    if not lines:
        return "The module shows no APN: the network chooses one."
    parts = _field(lines[0]).split(",")
    apn = parts[1] if len(parts) > 1 else ""
    if not apn:
        return "No APN set (%s): the network chooses one." % parts[0]
    return 'APN "%s" (%s).' % (apn, parts[0])


def _address(doc, modem):
    # Returns the APN's sentence, for the next step.
    while True:
        ip = modem.ip or modem.address()
        if ip:
            doc.ok("address", "IP address %s: the data connection is up." % ip)
            return _apn(modem)
        if doc.left_ms() <= 0:
            apn = _apn(modem)
            doc.fail(
                "address",
                "No IP address (AT+CGPADDR gives none): the network did not open a data connection. Most "
                "often the APN: %s Set the one your SIM provider gives with "
                'AT+QCGDEFCONT="IP","<apn>", then AT+QRST=1.' % apn,
            )
        modem.poll()
        sleep_ms(2000 if doc.left_ms() > 2000 else 200)


def _dns(doc, modem):
    try:
        servers = [x for x in modem.dns_servers() if x]
    except BC26Error as e:
        doc.ok("dns", "The module did not say which DNS servers it uses (%s)." % _words(e))
        return None
    if servers:
        doc.ok("dns", "DNS servers %s." % " and ".join(servers))
    else:
        doc.ok("dns", "The module reports no DNS server; the lookup shows whether it finds names anyway.")
    return servers


def _lookup(doc, modem, name, server, servers):
    if name is None:
        host = server[0] if server else ""
        name = host if host and not host.replace(".", "").isdigit() else "example.com"
    try:
        addresses, ttl = modem.resolve(name, 30000)
    except BC26Error as e:
        if not servers:
            doc.fail(
                "lookup",
                "No DNS: the network gave the module no DNS server, so the lookup of %s failed (%s). Set "
                'servers yourself: modem.set_dns("8.8.8.8", "1.1.1.1") (some NB-IoT networks allow only '
                "their own: ask the SIM provider), or use IP addresses." % (name, _words(e)),
            )
        doc.fail(
            "lookup",
            "The lookup of %s failed (%s). Check the name; the DNS servers %s may be unreachable from "
            'this network: try modem.set_dns("8.8.8.8", "1.1.1.1").'
            % (name, _words(e), " and ".join(servers)),
        )
    doc.ok("lookup", "%s is %s." % (name, ", ".join(addresses)))
    return addresses[0]


def _ping(doc, modem, host):
    try:
        replies, summary = modem.ping(host, 10, 1, 32)
    except BC26Error as e:
        replies, summary = [], None
        why = _words(e)
    else:
        why = "no reply"
    if summary is not None and summary[2] > 0:
        doc.ok("ping", "Ping %s: an answer in %d ms." % (host, replies[0][3]))
        return
    doc.fail(
        "ping",
        "No answer to a ping of %s (%s). Many NB-IoT networks drop ping: if so, run the doctor with "
        "ping=False and let the UDP step decide." % (host, why),
    )


def _udp(doc, modem, server):
    if not server:
        doc.ok("udp", "Skipped: name a UDP echo server you run, run(..., server=(host, port)).")
        return
    host, port = server
    msg = b"bc26 doctor %d" % ticks_ms()
    t0 = ticks_ms()
    try:
        s = modem.open("UDP", host, port)
    except BC26Error as e:
        doc.fail("udp", "The module could not open a UDP socket to %s:%d (%s)." % (host, port, _words(e)))
    why = "nothing came back in %.0f s" % (doc.reply_ms / 1000)
    got = None
    try:
        s.send(msg)
        got = s.recv(64, doc.reply_ms)
    except BC26Timeout:
        pass
    except BC26Error as e:
        why = _words(e)
    finally:
        s.close()
    if got == msg:
        ms = ticks_diff(ticks_ms(), t0)
        doc.ok("udp", "UDP round trip to %s:%d: %d bytes back in %d ms." % (host, port, len(got), ms))
        return
    if got:
        why = "%d other bytes came back" % len(got)
    doc.fail(
        "udp",
        "Sent a datagram to %s:%d but %s. Check that the server runs and echoes, that its firewall lets "
        "UDP port %d in, and that its address is public (the network cannot reach 192.168.x.x)."
        % (host, port, why, port),
    )
