# Network services of the module: ping (AT+QPING), time (AT+QNTP, which the manual misspells
# QNTTP), name lookup (AT+QIDNSGIP), DNS servers (AT+QIDNSCFG), the last error with its text
# (AT+QIGETERROR) and the test form of any command. Modem imports this module the first time
# one of them is used, so an application that never pings pays no RAM for it.
#
# Ping, NTP and DNS answer OK at once and print their results later; the line handlers
# below take those lines in place while any socket URC that arrives in between still goes
# to the socket handlers (the engine offers a line to the URC table when a handler declines).

from .checks import check_host, check_range, check_text
from .engine import LINE_DONE, LINE_MORE, LINE_NOT_MINE
from .errnames import error_name
from .errors import BC26Error, BC26Timeout
from .fields import Fields, as_text

_QUOTE = 34
_COMMA = 44
_OK_MS = 2000  # OK / ERROR of the command itself (the manual: 300 ms)
_REPLY_TIMEOUT = 569  # "Operation timeout" on its own line: one echo request went unanswered

PING_MARGIN_MS = 20000  # on top of timeout x count: the name lookup and the module's pace
SUMMARY_GRACE_MS = 2000  # after the last reply, how long the summary line may take
LOOKUP_MS = 60000  # default deadline of a DNS lookup or an NTP sync after OK

# --- AT+QPING ---------------------------------------------------------------------------


class _Ping:
    # Sorts the +QPING lines by their number of fields: 5 is a reply
    # (result,"ip",bytes,time,ttl), 7 the summary (result,sent,rcvd,lost,min,max,avg), 1 an
    # error code. A lone 569 while replies are still due is a reply that timed out; any other
    # lone code ends the ping (DNS failure, no PDP context, busy...).

    def __init__(self, engine, count):
        self.e = engine
        self.count = count
        self.replies = []
        self.summary = None
        self.error = 0

    def line(self, buf, s, end):
        f = self.e.fields
        f.start(s + 7, end)
        n = 0
        while f.pos < f.end:
            f.str()
            n += 1
        f.start(s + 7, end)
        code = f.int(-1)
        if n == 5:
            f.str()
            ip = f.text()
            self.replies.append((code, ip, f.int(0), f.int(0), f.int(0)))
        elif n == 7:
            self.summary = (code, f.int(0), f.int(0), f.int(0), f.int(0), f.int(0), f.int(0))
            return LINE_DONE
        elif n == 1 and code == _REPLY_TIMEOUT and len(self.replies) < self.count:
            self.replies.append((code, None, None, None, None))
        elif n == 1:
            self.error = code if code > 0 else 0
            return LINE_DONE
        else:
            return LINE_MORE  # a shape no manual shows: not a reply, not the end
        if len(self.replies) >= self.count:
            # Every reply is in; the summary follows at once if it comes at all. Shorten the
            # wait so a firmware that prints no summary costs seconds, not timeout x count.
            self.e.shorten(SUMMARY_GRACE_MS)
        return LINE_MORE


def _summary(replies):
    # The summary the module would print, from the replies (when it printed none).
    times = [r[3] for r in replies if r[0] == 0]
    got = len(times)
    sent = len(replies)
    if not got:
        return (0, sent, 0, sent, 0, 0, 0)
    return (0, sent, got, sent - got, min(times), max(times), (sum(times) + got // 2) // got)


def ping(modem, host, timeout=4, count=4, size=32):
    """AT+QPING: (replies, summary); a failure raises BC26Error with the module's code.

    host a domain or dotted IPv4 (<= 150 bytes); timeout 1-255 s per request; count
    1-10; size 32-200 bytes. replies: one (result, ip, bytes, time_ms, ttl) per request,
    (569, None, None, None, None) for one that timed out; summary: (result, sent,
    received, lost, min_ms, max_ms, avg_ms).
    """
    return modem.drive(ping_steps(modem, host, timeout, count, size))


def ping_steps(modem, host, timeout=4, count=4, size=32):
    # ping() as steps (see Modem.drive); bc26.aio awaits the same.
    host = check_host(host)
    check_range(timeout, 1, 255, "ping timeout")
    check_range(count, 1, 10, "ping count")
    check_range(size, 32, 200, "ping size")
    # The module's defaults are left off the line, as in the manual's example 4.3.
    parts = ['AT+QPING=1,"', host, '"']
    if (timeout, count, size) != (4, 4, 32):
        parts += [",", timeout]
        if (count, size) != (4, 32):
            parts += [",", count]
            if size != 32:
                parts += [",", size]
    p = _Ping(modem.engine, count)
    try:
        yield from modem.command_steps(
            parts, (b"+QPING:",), p.line, _OK_MS, count * timeout * 1000 + PING_MARGIN_MS, True
        )
    except BC26Timeout:
        if p.error or len(p.replies) < count:
            raise
    if p.error:
        raise BC26Error(p.error)
    summary = p.summary or _summary(p.replies)
    if summary[0]:
        raise BC26Error(summary[0])
    return p.replies, summary


# --- AT+QNTP ----------------------------------------------------------------------------


def ntp(modem, server, port=123, set_clock=None, timeout=60000):
    """AT+QNTP: the time as (year, month, day, hour, minute, second, zone).

    Date and time are UTC (the manual: the module syncs to UTC); zone is the network's,
    in quarter hours, or None. set_clock 1/0 (True/False) sets the module's clock or not;
    None leaves it to the module. timeout: ms to wait for +QNTP. bc26.utc_seconds()
    turns the tuple into seconds. modem.ntp_text keeps the time as the module wrote it.
    """
    server = check_host(server, "NTP server")
    check_range(port, 1, 65535, "NTP port")
    if isinstance(set_clock, bool):
        set_clock = int(set_clock)
    if set_clock is not None:
        check_range(set_clock, 0, 1, "set_clock")
    check_range(timeout, 1, 3600000, "timeout")
    parts = ['AT+QNTP=1,"', server, '"']
    if port != 123 or set_clock is not None:
        parts += [",", port]
    if set_clock is not None:
        parts += [",", set_clock]
    lines = modem.command(*parts, expect=(b"+QNTP:",), timeout=_OK_MS, trailer=timeout, tcpip=True)
    line = lines[0]
    f = Fields(line)
    f.start(6, len(line))
    err = f.int(-1)
    if err != 0:
        raise BC26Error(err if err > 0 else None)
    f.str()
    text = bytes(line[f.a : f.b])
    # The module's own words, for a log or for fields the tuple leaves out.
    modem.ntp_text = as_text(text)
    try:
        return parse_time(text)
    except ValueError:
        raise BC26Error(None, "unreadable +QNTP time: %r" % text)


def _num(s, what):
    s = s.strip()
    if not s or not s.isdigit():
        raise ValueError("time: bad " + what)
    return int(s)


def parse_time(text):
    """(year, month, day, hour, minute, second, zone) from "yy/MM/dd,hh:mm:ss+zz".

    Takes 2- or 4-digit years, an extra ':field' after the seconds (the manual's example
    "19/06/11,11:08:20:35+32"), a zone of one or two digits and no zone at all (zone None).
    The zone is in quarter hours. Surrounding quotes are allowed. ValueError if unreadable.
    """
    s = text.encode() if isinstance(text, str) else text
    s = bytes(s).strip().strip(b'"')
    k = s.find(b",")
    if k < 0:
        raise ValueError("time: no ',' between date and time")
    date = s[:k].split(b"/")
    clock = s[k + 1 :]
    zone = None
    z = max(clock.rfind(b"+"), clock.rfind(b"-"))
    if z >= 0:
        zs = clock[z + 1 :].strip()
        zone = _num(zs, "zone")
        if clock[z] == 45:
            zone = -zone
        clock = clock[:z]
        if not -96 <= zone <= 96:
            raise ValueError("time: zone out of range")
    clock = clock.split(b":")
    if len(date) != 3 or len(clock) < 3:
        raise ValueError("time: not yy/MM/dd,hh:mm:ss")
    year = _num(date[0], "year")
    if year < 100:
        year += 2000
    t = (
        year,
        _num(date[1], "month"),
        _num(date[2], "day"),
        _num(clock[0], "hour"),
        _num(clock[1], "minute"),
        _num(clock[2], "second"),
        zone,
    )
    if not (1 <= t[1] <= 12 and 1 <= t[2] <= 31 and t[3] <= 23 and t[4] <= 59 and t[5] <= 60):
        raise ValueError("time: field out of range")
    return t


def _days(y, m, d):
    # Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar.
    if m <= 2:
        y -= 1
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def utc_seconds(t, epoch=2000, local=False):
    """Seconds since 2000-01-01 00:00 UTC (epoch=1970: since 1970-01-01) of a time tuple.

    The manual says AT+QNTP sets the module to UTC, so the date and time fields are taken as
    UTC and the zone only says where the network is; local=True gives the wall-clock time
    of that zone instead (fields + zone x 15 min). MicroPython on the ESP32 and RP2040 counts
    from 2000, the unix port from 1970: time.gmtime(0) tells which.
    """
    if epoch not in (1970, 2000):
        raise ValueError("epoch must be 1970 or 2000")
    secs = _days(t[0], t[1], t[2]) * 86400 + t[3] * 3600 + t[4] * 60 + t[5]
    if epoch == 2000:
        secs -= 946684800
    if local and len(t) > 6 and t[6]:
        secs += t[6] * 900
    return secs


# --- AT+QIDNSGIP ------------------------------------------------------------------------


def _after(buf, start, end, head, rest):
    # Where the arguments start if buf[start:end] is head, optional spaces, rest; else -1.
    if not buf.startswith(head, start):
        return -1
    p = start + len(head)
    while p < end and buf[p] == 32:
        p += 1
    if not buf.startswith(rest, p):
        return -1
    p += len(rest)
    return p if p <= end else -1


class _Lookup:
    # +QIURC: "dnsgip",<err>,<count>,<ttl>, then <count> lines +QIURC: "dnsgip","<ip>".
    # Any other +QIURC (a socket's "recv" or "closed") is declined: it stays a URC.

    def __init__(self, engine):
        self.e = engine
        self.err = -1  # -1: the first line has not come yet
        self.left = 0
        self.ttl = 0
        self.addrs = []

    def line(self, buf, s, end):
        e = self.e
        p = _after(buf, s, end, b"+QIURC:", b'"dnsgip"')
        if p < 0:
            return LINE_NOT_MINE
        if p < end and buf[p] == _COMMA:
            p += 1
        f = e.fields
        f.start(p, end)
        quoted = f.pos < f.end and buf[f.pos] == _QUOTE
        if self.err < 0:
            if quoted:
                # An address before its header (the header was damaged on the wire): only
                # this lookup asks for addresses, so it is noise, not a URC for someone else.
                e.noise += 1
                return LINE_MORE
            self.err = f.int(550)
            if self.err:
                return LINE_DONE
            self.left = f.int(0)
            self.ttl = f.int(0)
        elif quoted:
            f.str()
            self.addrs.append(f.text())
            self.left -= 1
        else:
            return LINE_NOT_MINE
        return LINE_DONE if self.left <= 0 else LINE_MORE


def resolve(modem, host, timeout=60000):
    """AT+QIDNSGIP: (addresses, ttl), addresses a list of str; 564/565 raise BC26Error."""
    return modem.drive(resolve_steps(modem, host, timeout))


def resolve_steps(modem, host, timeout=60000):
    # resolve() as steps (see Modem.drive); bc26.aio awaits the same.
    host = check_host(host)
    check_range(timeout, 1, 3600000, "timeout")
    d = _Lookup(modem.engine)
    yield from modem.command_steps(
        ('AT+QIDNSGIP=1,"', host, '"'), (b"+QIURC:",), d.line, _OK_MS, timeout, True
    )
    if d.err:
        raise BC26Error(d.err)
    return d.addrs, d.ttl


# --- AT+QIDNSCFG ------------------------------------------------------------------------


def set_dns(modem, primary, secondary=None):
    """AT+QIDNSCFG=1,"<primary>"[,"<secondary>"]: DNS server addresses (<= 64 bytes)."""
    primary = check_host(primary, "DNS server", 64)
    parts = ['AT+QIDNSCFG=1,"', primary, '"']
    if secondary is not None:
        parts += [',"', check_host(secondary, "DNS server", 64), '"']
    modem.command(*parts, timeout=_OK_MS, tcpip=True)


def dns_servers(modem):
    """AT+QIDNSCFG=1: (primary, secondary), None where the module reports none."""
    lines = modem.command("AT+QIDNSCFG=1", expect=(b"+QIDNSCFG:",), timeout=_OK_MS, tcpip=True)
    if not lines:
        return None, None
    line = lines[0]
    f = Fields(line)
    f.start(10, len(line))
    f.int()
    primary = f.text() if f.str() else None
    secondary = f.text() if f.str() else None
    return primary, secondary


# --- AT+QIGETERROR, test forms ----------------------------------------------------------


def error_info(modem):
    """AT+QIGETERROR: (code, description) of the last TCP/IP error, as the module words it."""
    lines = modem.command("AT+QIGETERROR", expect=(b"+QIGETERROR:",), timeout=_OK_MS)
    if not lines:
        return 0, error_name(0)
    line = lines[0]
    f = Fields(line)
    f.start(12, len(line))
    code = f.int(0)
    # The rest of the line, without one pair of quotes around it.
    a = f.pos
    b = len(line)
    if b - a >= 2 and line[a] == 34 and line[b - 1] == 34:
        a += 1
        b -= 1
    text = as_text(line[a:b]).strip()
    return code, text or error_name(code) or ""


def command_name(name):
    """A command name as bytes: letters only, with an optional leading '+' ('QPING', '+CSQ')."""
    name = check_text(name, "command name", 20)
    if name[0] == 43:
        name = name[1:]
    if not name or not name.isalpha():
        raise ValueError("a command name is letters only")
    return name


def test_form(modem, name, timeout=2000):
    """AT+<name>=? through at(): the module's lines (str). name: letters, e.g. "QPING"."""
    return modem.at(b"AT+" + command_name(name) + b"=?", timeout)


def supports(modem, name, timeout=2000):
    """Whether the module knows AT+<name> (its test form answers OK; no answer raises)."""
    name = command_name(name)
    try:
        test_form(modem, name, timeout)
    except BC26Timeout:
        raise
    except BC26Error:
        return False
    return True
