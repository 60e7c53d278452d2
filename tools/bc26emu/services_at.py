"""Network service commands: AT+QPING, AT+QNTP (the manual's "QNTTP"), AT+QIDNSGIP, AT+QIDNSCFG."""

import time

from . import errors
from .errors import INVALID_PARAM, CommandError
from .netservices import is_ipv4, is_ipv6


def format_clock(unix_time, tz_quarters):
    """yy/MM/dd,hh:mm:ss±zz: UTC time with the network's zone, as MediaTek-based modules print it."""
    t = time.gmtime(unix_time)
    sign = "-" if tz_quarters < 0 else "+"
    return "%02d/%02d/%02d,%02d:%02d:%02d%s%02d" % (
        t.tm_year % 100,
        t.tm_mon,
        t.tm_mday,
        t.tm_hour,
        t.tm_min,
        t.tm_sec,
        sign,
        abs(tz_quarters),
    )


def _context(p):
    if p.int(0, 1, 3) != 1:
        raise CommandError(INVALID_PARAM)


def _claim(m, service):
    # The module runs one request of each kind at a time.
    if service in m.busy:
        raise CommandError(errors.DNS_BUSY if service == "dns" else errors.BUSY)
    m.busy.add(service)


def _resolve_then(m, host, on_error, on_ok, family=4):
    # family 4 for ping and NTP (the manual: QPING has no IPv6); 0 for AT+QIDNSGIP.
    def resolved(err, addrs, ttl):
        if err or not addrs:
            on_error(errors.DNS_FAILED)
        else:
            on_ok(addrs, ttl)

    m.resolve(host, m.guarded(resolved), family)


# AT+QPING ------------------------------------------------------------------------------------


def qping(m, cmd):
    if cmd.form == "test":
        return ['+QPING: (1-3),"<host>",(1-255),(1-10),(32-200)']
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) > 5:
        raise CommandError(INVALID_PARAM)
    _context(p)
    host = p.str(1, 150)  # a real BC26 took the host unquoted too
    timeout = p.int(2, 1, 255, default=4)
    count = p.int(3, 1, 10, default=4)
    size = p.int(4, 32, 200, default=32)
    _claim(m, "ping")
    run = _PingRun(m, host, timeout, count, size)
    m.later(0, run.start)
    return []


class _PingRun:
    def __init__(self, m, host, timeout, count, size):
        self.m, self.host, self.timeout, self.count, self.size = m, host, timeout, count, size
        self.ip = None
        self.times = []
        self.sent = 0

    def start(self):
        if not self.m.registered:
            self.fail(errors.PDP_OPEN_FAILED)
            return
        _resolve_then(self.m, self.host, self.fail, self.resolved)

    def fail(self, err):
        self.m.busy.discard("ping")
        self.m.last_error = err
        self.m.urc("+QPING: %d" % err)

    def resolved(self, addrs, ttl):
        self.ip = addrs[0]
        self.next()

    def next(self):
        self.sent += 1
        self.m.services.ping(self.ip, self.timeout, self.size, self.sent, self.m.guarded(self.answered))

    def answered(self, err, rtt_ms, ttl):
        m = self.m
        if err == errors.CREATE_FAILED:
            self.fail(err)  # this host lets no one send ICMP: nothing was sent
            return
        latency = m.knobs.ping_latency
        m.later(latency, self.report, err, int(round(rtt_ms + latency * 1000)), ttl)

    def report(self, err, ms, ttl):
        m = self.m
        if err:
            m.last_error = err
            m.urc("+QPING: %d" % err)
        else:
            self.times.append(ms)
            m.urc('+QPING: 0,"%s",%d,%d,%d' % (self.ip, self.size, ms, ttl))
        if self.sent < self.count:
            self.next()
            return
        m.busy.discard("ping")
        got = len(self.times)
        if got:
            m.urc(
                "+QPING: 0,%d,%d,%d,%d,%d,%d"
                % (
                    self.sent,
                    got,
                    self.sent - got,
                    min(self.times),
                    max(self.times),
                    round(sum(self.times) / got),
                )
            )
        else:
            m.urc("+QPING: 0,%d,0,%d,0,0,0" % (self.sent, self.sent))


# AT+QNTP --------------------------------------------------------------------------------------


def qntp(m, cmd):
    if cmd.form == "test":
        return ['+QNTP: (1-3),"<server>",<port>,(0,1)']
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) > 4:
        raise CommandError(INVALID_PARAM)
    _context(p)
    server = p.str(1, 150)
    port = p.int(2, 1, 65535, default=123)
    auto_set = p.int(3, 0, 1, default=1)
    _claim(m, "ntp")

    def fail(err):
        m.busy.discard("ntp")
        m.last_error = err
        m.urc("+QNTP: %d" % err)

    def synced(err, unix_time):
        if err:
            fail(err)
            return
        m.busy.discard("ntp")
        if auto_set:
            m.rtc_offset = unix_time - m.clock()
        m.urc('+QNTP: 0,"%s"' % format_clock(unix_time, m.knobs.tz_quarters))

    def ask(addrs, ttl):
        ip, dest_port = m.knobs.redirected(addrs[0], port)  # as QIOPEN dials
        m.services.ntp(ip, dest_port, m.knobs.ntp_timeout, m.guarded(synced))

    def start():
        if not m.registered:
            fail(errors.PDP_OPEN_FAILED)
        else:
            _resolve_then(m, server, fail, ask)

    m.later(m.knobs.ntp_latency, start)
    return []


# AT+QIDNSGIP / AT+QIDNSCFG -------------------------------------------------------------------


def qidnsgip(m, cmd):
    if cmd.form == "test":
        return ['+QIDNSGIP: (1-3),"<hostname>"']
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if len(p) != 2:
        raise CommandError(INVALID_PARAM)
    _context(p)
    host = p.str(1, 150)
    _claim(m, "dns")

    def fail(err):
        m.busy.discard("dns")
        m.last_error = err
        m.urc('+QIURC: "dnsgip",%d' % err)

    def answered(addrs, ttl):
        m.busy.discard("dns")
        m.urc('+QIURC: "dnsgip",0,%d,%d' % (len(addrs), ttl))
        for addr in addrs:
            m.urc('+QIURC: "dnsgip","%s"' % addr)

    def start():
        if not m.registered:
            fail(errors.PDP_OPEN_FAILED)
        else:
            _resolve_then(m, host, fail, answered, 0)  # A and AAAA: IPv4 addresses first

    m.later(m.knobs.dns_latency, start)
    return []


def qidnscfg(m, cmd):
    if cmd.form == "test":
        return ["+QIDNSCFG: (1-3),<pridnsaddr>,<secdnsaddr>"]
    if cmd.form != "set":
        raise CommandError(INVALID_PARAM)
    p = cmd.params()
    if not 1 <= len(p) <= 3:
        raise CommandError(INVALID_PARAM)
    _context(p)
    if len(p) == 1:
        if not m.dns_servers:
            return []
        return ["+QIDNSCFG: 1," + ",".join('"%s"' % s for s in m.dns_servers)]
    servers = [p.str(i, 64) for i in range(1, len(p))]
    if not all(is_ipv4(s) or is_ipv6(s) for s in servers):
        raise CommandError(INVALID_PARAM)
    if not m.registered:
        raise CommandError(errors.PDP_OPEN_FAILED)  # manual note 3: only after +IP:
    m.dns_servers = servers
    return []


COMMANDS = {
    "+QPING": qping,
    "+QNTP": qntp,
    "+QIDNSGIP": qidnsgip,
    "+QIDNSCFG": qidnscfg,
}
