# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
import bc26
from bc26 import services
from bc26._compat import ticks_diff, ticks_ms
from fakeuart import FakeUART
from testutil import raises

OK = b"\r\nOK\r\n"
ERROR = b"\r\nERROR\r\n"

# Section 3 of the manual, word for word.
TABLE = (
    (550, "Unknown error"),
    (551, "Operation blocked"),
    (552, "Invalid parameters"),
    (553, "Memory not enough"),
    (554, "Create socket failed"),
    (555, "Operation not supported"),
    (556, "Socket bind failed"),
    (557, "Socket listen failed"),
    (558, "Socket write failed"),
    (559, "Socket read failed"),
    (560, "Socket accept failed"),
    (561, "Open PDP context failed"),
    (562, "Close PDP context failed"),
    (563, "Socket identity has been used"),
    (564, "DNS busy"),
    (565, "DNS parse failed"),
    (566, "Socket connection failed"),
    (567, "Socket has been closed"),
    (568, "Operation busy"),
    (569, "Operation timeout"),
    (570, "PDP context broken down"),
    (571, "Cancel send"),
    (572, "Operation not allowed"),
    (573, "APN not configured"),
    (574, "Port busy"),
)

# Strings that must never reach the command line as a host name or server address.
HOSTILE = (
    "a\rb",
    "a\nb",
    'a"b',
    "a;b",
    "a\x1ab",
    "a\x1bb",
    "a\x00b",
    "h\u00e9.example",
    b"h\xc3\xa9.example",
    "a b",
    "a,b",
    'x",80\rAT+QPOWD=0\r',
    "",
    "a" * 151,
)


def make(chunk=0):
    u = FakeUART(chunk)
    m = bc26.Modem(u)
    m.sockets.known = True  # the AT+QICFG values (only sockets care)
    return u, m


def opened(u, m, cid, mode, kind="TCP"):
    u.reply(b"AT+QIOPEN=", OK + b"\r\n+QIOPEN: %d,0\r\n" % cid)
    s = m.open(kind, "10.0.0.9", 7000, mode=mode, connect_id=cid)
    u.take_tx()
    return s


REPLIES = [
    (0, "47.100.63.174", 32, 560, 88),
    (0, "47.100.63.174", 32, 220, 88),
    (0, "47.100.63.174", 32, 230, 88),
    (0, "47.100.63.174", 32, 280, 88),
]


# --- the manual's examples 4.3 to 4.6, byte for byte ---------------------------------------


def test_manual_4_3_ping():
    u, m = make()
    u.reply(
        b'AT+QPING=1,"iot.quectel.com"\r',
        OK,
        (10, b'\r\n+QPING: 0,"47.100.63.174",32,560,88\r\n'),
        (20, b'\r\n+QPING: 0,"47.100.63.174",32,220,88\r\n'),
        (30, b'\r\n+QPING: 0,"47.100.63.174",32,230,88\r\n'),
        (40, b'\r\n+QPING: 0,"47.100.63.174",32,280,88\r\n'),
        (45, b"\r\n+QPING: 0,4,4,0,220,560,322\r\n"),
    )
    replies, summary = m.ping("iot.quectel.com")
    assert u.take_tx() == b'AT+QPING=1,"iot.quectel.com"\r'
    assert replies == REPLIES
    assert summary == (0, 4, 4, 0, 220, 560, 322)
    assert m.engine.unknown == 0


def test_manual_4_4_ntp():
    u, m = make()
    u.reply(b'AT+QNTP=1,"ntp5.aliyun.com"\r', OK, (20, b'\r\n+QNTP: 0,"19/06/11,11:08:20:35+32"\r\n'))
    t = m.ntp("ntp5.aliyun.com")
    assert u.take_tx() == b'AT+QNTP=1,"ntp5.aliyun.com"\r'
    assert t == (2019, 6, 11, 11, 8, 20, 32)
    assert bc26.utc_seconds(t) == 613566500
    assert bc26.utc_seconds(t, 1970) == 1560251300
    assert bc26.utc_seconds(t, 1970, local=True) == 1560251300 + 8 * 3600


def test_manual_4_5_dns_servers():
    u, m = make()
    u.reply(b'AT+QIDNSCFG=1,"218.2.2.2","8.8.8.8"\r', OK)
    u.reply(b"AT+QIDNSCFG=1\r", b'\r\n+QIDNSCFG: 1,"218.2.2.2","8.8.8.8"\r\n' + OK)
    m.set_dns("218.2.2.2", "8.8.8.8")
    assert m.dns_servers() == ("218.2.2.2", "8.8.8.8")
    assert u.take_tx() == b'AT+QIDNSCFG=1,"218.2.2.2","8.8.8.8"\rAT+QIDNSCFG=1\r'
    # Only a primary; and a module that has none configured prints no line.
    u.reply(b'AT+QIDNSCFG=1,"114.114.114.114"\r', OK)
    u.reply(b"AT+QIDNSCFG=1\r", b'\r\n+QIDNSCFG: 1,"114.114.114.114"\r\n' + OK)
    u.reply(b"AT+QIDNSCFG=1\r", OK)
    m.set_dns(b"114.114.114.114")
    assert m.dns_servers() == ("114.114.114.114", None)
    assert m.dns_servers() == (None, None)
    assert u.take_tx() == b'AT+QIDNSCFG=1,"114.114.114.114"\rAT+QIDNSCFG=1\rAT+QIDNSCFG=1\r'


def test_manual_4_6_last_error():
    u, m = make()
    u.reply(b'AT+QIOPEN=1,"UDP","220.180.239.212",8063,0,1\r', ERROR)
    u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: 552,invalid parameters\r\n" + OK)
    err = raises(bc26.BC26Error, m.command, 'AT+QIOPEN=1,"UDP","220.180.239.212",8063,0,1')
    assert err.code is None
    assert m.error_info() == (552, "invalid parameters")
    assert u.take_tx() == b'AT+QIOPEN=1,"UDP","220.180.239.212",8063,0,1\rAT+QIGETERROR\r'
    # Quoted text, no text, and no error at all.
    u.reply(b"AT+QIGETERROR\r", b'\r\n+QIGETERROR: 566,"Socket connection failed"\r\n' + OK)
    assert m.error_info() == (566, "Socket connection failed")
    u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR:565\r\n" + OK)
    assert m.error_info() == (565, "DNS parse failed")
    u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: 0,operation successful\r\n" + OK)
    assert m.error_info() == (0, "operation successful")


# --- errors --------------------------------------------------------------------------------


def test_every_code_of_the_table_maps_to_its_name():
    for code, name in TABLE:
        assert bc26.error_name(code) == name
        u, m = make()
        # A bare ERROR from a TCP/IP command: the driver asks for the code.
        u.reply(b'AT+QPING=1,"a.example"\r', ERROR)
        u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: %d,%s\r\n" % (code, name.lower().encode()) + OK)
        err = raises(bc26.BC26Error, m.ping, "a.example")
        assert (err.code, err.errno, err.name) == (code, code, name)
        assert str(err) == "%d %s" % (code, name)
        # The same code as a +CME ERROR, and as the result of a service.
        u.reply(b'AT+QIDNSGIP=1,"a.example"\r', b"\r\n+CME ERROR: %d\r\n" % code)
        err = raises(bc26.BC26Error, m.resolve, "a.example")
        assert (err.code, err.name) == (code, name)
        u.reply(b'AT+QNTP=1,"a.example"\r', OK + b"\r\n+QNTP: %d\r\n" % code)
        err = raises(bc26.BC26Error, m.ntp, "a.example")
        assert (err.code, err.name) == (code, name)
        u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: %d,%s\r\n" % (code, name.encode()) + OK)
        assert m.error_info() == (code, name)
    assert bc26.error_name(0) == "Operation successful"


# --- ping ----------------------------------------------------------------------------------


def test_ping_parameters_on_the_wire():
    u, m = make()
    for args, wire in (
        ((10,), b",10"),
        ((4, 2), b",4,2"),
        ((4, 4, 64), b",4,4,64"),
        ((255, 1, 200), b",255,1,200"),
        ((4, 4, 32), b""),
    ):
        count = args[1] if len(args) > 1 else 4
        size = args[2] if len(args) > 2 else 32
        reply = b'\r\n+QPING: 0,"10.1.2.3",%d,100,64\r\n' % size
        summary = b"\r\n+QPING: 0,%d,%d,0,100,100,100\r\n" % (count, count)
        u.reply(b'AT+QPING=1,"10.1.2.3"' + wire + b"\r", OK + reply * count + summary)
        replies, got = m.ping("10.1.2.3", *args)
        assert replies == [(0, "10.1.2.3", size, 100, 64)] * count
        assert got == (0, count, count, 0, 100, 100, 100)
        assert u.take_tx() == b'AT+QPING=1,"10.1.2.3"' + wire + b"\r"


def test_ping_reply_timeouts_are_replies():
    u, m = make()
    u.reply(
        b'AT+QPING=1,"10.1.2.3",1,3\r',
        OK,
        (5, b"\r\n+QPING: 569\r\n"),
        (10, b'\r\n+QPING:0,"10.1.2.3",32,300,51\r\n'),
        (15, b"\r\n+QPING: 569\r\n\r\n+QPING: 0,3,1,2,300,300,300\r\n"),
    )
    replies, summary = m.ping("10.1.2.3", 1, 3)
    assert replies == [
        (569, None, None, None, None),
        (0, "10.1.2.3", 32, 300, 51),
        (569, None, None, None, None),
    ]
    assert summary == (0, 3, 1, 2, 300, 300, 300)


def test_ping_failures_raise_with_code_and_name():
    # A final failure before any reply (the name did not resolve).
    u, m = make()
    u.reply(b'AT+QPING=1,"nowhere.example"\r', OK, (10, b"\r\n+QPING: 565\r\n"))
    err = raises(bc26.BC26Error, m.ping, "nowhere.example")
    assert err.code == 565 and str(err) == "565 DNS parse failed"
    # A failure in the middle: the PDP context broke down after one reply.
    u.reply(b'AT+QPING=1,"10.1.2.3"\r', OK + b'\r\n+QPING: 0,"10.1.2.3",32,90,50\r\n\r\n+QPING: 570\r\n')
    err = raises(bc26.BC26Error, m.ping, "10.1.2.3")
    assert err.code == 570 and err.name == "PDP context broken down"
    # All replies in, then a lone code: the final result, even a 569.
    u.reply(b'AT+QPING=1,"10.1.2.3",4,1\r', OK + b'\r\n+QPING: 0,"10.1.2.3",32,90,50\r\n\r\n+QPING: 569\r\n')
    err = raises(bc26.BC26Error, m.ping, "10.1.2.3", 4, 1)
    assert err.code == 569 and err.name == "Operation timeout"
    # A summary whose result is an error code.
    u.reply(b'AT+QPING=1,"10.1.2.3",4,1\r', OK + b"\r\n+QPING: 561,1,0,1,0,0,0\r\n")
    err = raises(bc26.BC26Error, m.ping, "10.1.2.3", 4, 1)
    assert err.code == 561
    # The module refuses at once: ERROR, and AT+QIGETERROR names it.
    u.reply(b'AT+QPING=1,"10.1.2.3"\r', ERROR)
    u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: 568,operation busy\r\n" + OK)
    err = raises(bc26.BC26Error, m.ping, "10.1.2.3")
    assert err.code == 568 and str(err) == "568 Operation busy"
    assert m.engine.unknown == 0


def test_ping_without_a_summary_line_does_not_wait_for_the_deadline():
    # Some firmware may print the replies only. Once every reply is in, the driver waits a
    # short grace for the summary and then builds it from the replies.
    u, m = make()
    u.reply(
        b'AT+QPING=1,"10.1.2.3",4,3\r',
        OK + b'\r\n+QPING: 0,"10.1.2.3",32,100,50\r\n\r\n+QPING: 569\r\n'
        b'\r\n+QPING: 0,"10.1.2.3",32,201,50\r\n',
    )
    grace = services.SUMMARY_GRACE_MS
    services.SUMMARY_GRACE_MS = 60
    try:
        t0 = ticks_ms()
        replies, summary = m.ping("10.1.2.3", 4, 3)
        took = ticks_diff(ticks_ms(), t0)
    finally:
        services.SUMMARY_GRACE_MS = grace
    assert took < 2000, took
    assert len(replies) == 3
    assert summary == (0, 3, 2, 1, 100, 201, 151)
    # The summary may still come late: the next command resynchronises first, and the late
    # line is not taken for anything.
    u.feed(b"\r\n+QPING: 0,3,2,1,100,201,151\r\n")
    u.reply(b"AT\r", OK)
    u.reply(b"AT\r", OK)
    u.reply(b"AT+QIDNSCFG=1\r", OK)
    assert m.dns_servers() == (None, None)
    assert u.take_tx().endswith(b"AT\rAT\rAT+QIDNSCFG=1\r")


def test_socket_urcs_between_ping_lines_still_reach_the_sockets():
    for chunk in (0, 3):
        u, m = make(chunk)
        buffered = opened(u, m, 0, bc26.BUFFER)
        pushed = opened(u, m, 1, bc26.PUSH)
        data = b"\r\n+QPING: 565\r\nOK\r\n"  # pushed data that looks like answers
        u.reply(
            b'AT+QPING=1,"iot.quectel.com",4,2\r',
            b'\r\n+QIURC: "recv",0\r\n' + OK,
            (5, b'\r\n+QPING: 0,"47.100.63.174",32,560,88\r\n\r\n+QIURC: "recv",1,%d\r\n' % len(data) + data),
            (10, b'\r\n+QIURC: "closed",0\r\n\r\n+QPING: 0,"47.100.63.174",32,220,88\r\n'),
            (15, b'\r\n+QIURC: "recv",1,3\r\nabc\r\n+QPING: 0,2,2,0,220,560,390\r\n'),
        )
        replies, summary = m.ping("iot.quectel.com", 4, 2)
        assert replies == REPLIES[:2]
        assert summary == (0, 2, 2, 0, 220, 560, 390)
        assert buffered.pending and buffered.remote_closed
        assert pushed.recv(100, timeout=0) == data + b"abc"
        assert m.engine.unknown == 0


# --- DNS -----------------------------------------------------------------------------------


def test_resolve_with_blank_lines_and_socket_urcs_in_between():
    for chunk in (0, 4):
        u, m = make(chunk)
        buffered = opened(u, m, 2, bc26.BUFFER)
        pushed = opened(u, m, 3, bc26.PUSH, "UDP")
        u.reply(
            b'AT+QIDNSGIP=1,"www.example.com"\r',
            OK + b"\r\n",
            (5, b'\r\n+QIURC: "dnsgip",0,2,399\r\n\r\n+QIURC: "recv",2\r\n'),
            (10, b'\r\n+QIURC: "recv",3,20\r\n+QIURC: "dnsgip",0,1\r\n'),
            (15, b'\r\n+QIURC: "dnsgip","93.184.216.34"\r\n\r\n'),
            (20, b'\r\n+QIURC:"dnsgip","2606:2800:220:1::1"\r\n'),
        )
        addrs, ttl = m.resolve("www.example.com")
        assert addrs == ["93.184.216.34", "2606:2800:220:1::1"] and ttl == 399
        assert u.take_tx() == b'AT+QIDNSGIP=1,"www.example.com"\r'
        assert buffered.pending
        assert pushed.recv(100, timeout=0) == b'+QIURC: "dnsgip",0,1'
        assert m.engine.unknown == 0


def test_resolve_errors():
    u, m = make()
    # The header carries the error (564 DNS busy, 565 parse failed), with or without counts.
    u.reply(b'AT+QIDNSGIP=1,"a.example"\r', OK + b'\r\n+QIURC: "dnsgip",565,0,0\r\n')
    err = raises(bc26.BC26Error, m.resolve, "a.example")
    assert err.code == 565 and err.name == "DNS parse failed"
    u.reply(b'AT+QIDNSGIP=1,"a.example"\r', OK + b'\r\n+QIURC: "dnsgip",564\r\n')
    err = raises(bc26.BC26Error, m.resolve, "a.example")
    assert err.code == 564 and str(err) == "564 DNS busy"
    # An address line before any header (a late one of an earlier lookup) is not taken.
    u.reply(
        b'AT+QIDNSGIP=1,"a.example"\r',
        OK + b'\r\n+QIURC: "dnsgip","10.0.0.1"\r\n+QIURC: "dnsgip",0,1,60\r\n+QIURC: "dnsgip","10.0.0.2"\r\n',
    )
    assert m.resolve("a.example") == (["10.0.0.2"], 60)
    # An address line whose header was lost is the lookup's noise, not a URC for anyone.
    assert m.engine.unknown == 0 and m.engine.noise == 1
    # No answer after OK: a timeout, errno 110.
    u.reply(b'AT+QIDNSGIP=1,"a.example"\r', OK)
    err = raises(bc26.BC26Timeout, m.resolve, "a.example", 50)
    assert err.errno == 110


# --- NTP -----------------------------------------------------------------------------------


def test_ntp_port_clock_and_four_digit_year():
    u, m = make()
    u.reply(b'AT+QNTP=1,"pool.ntp.org",123,1\r', OK, (10, b'\r\n+QNTP: 0,"2026/07/18,16:32:18-20"\r\n'))
    t = m.ntp("pool.ntp.org", set_clock=True)
    assert t == (2026, 7, 18, 16, 32, 18, -20)
    assert m.ntp_text == "2026/07/18,16:32:18-20"  # the module's own words, beside the tuple
    assert bc26.utc_seconds(t, 1970) == 1784392338
    u.reply(b'AT+QNTP=1,"10.0.0.5",1123\r', OK + b'\r\n+QNTP:0,"26/10/02,23:50:20+8"\r\n')
    assert m.ntp("10.0.0.5", 1123) == (2026, 10, 2, 23, 50, 20, 8)
    u.reply(b'AT+QNTP=1,"10.0.0.5",123,0\r', OK + b'\r\n+QNTP: 0,"19/06/11,11:08:20"\r\n')
    assert m.ntp("10.0.0.5", set_clock=0) == (2019, 6, 11, 11, 8, 20, None)
    assert m.ntp_text == "19/06/11,11:08:20"
    assert u.take_tx() == (
        b'AT+QNTP=1,"pool.ntp.org",123,1\rAT+QNTP=1,"10.0.0.5",1123\rAT+QNTP=1,"10.0.0.5",123,0\r'
    )
    # A time the driver cannot read is an error, not a wrong date.
    u.reply(b'AT+QNTP=1,"10.0.0.5"\r', OK + b'\r\n+QNTP: 0,"soon"\r\n')
    err = raises(bc26.BC26Error, m.ntp, "10.0.0.5")
    assert "unreadable" in str(err)


def test_time_forms():
    for text, want in (
        ("19/06/11,11:08:20+32", (2019, 6, 11, 11, 8, 20, 32)),
        ('"19/06/11,11:08:20:35+32"', (2019, 6, 11, 11, 8, 20, 32)),
        ("2026/07/18,16:32:18-20", (2026, 7, 18, 16, 32, 18, -20)),
        ("26/10/02,23:50:20+8", (2026, 10, 2, 23, 50, 20, 8)),
        ("26/10/02,23:50:20-4", (2026, 10, 2, 23, 50, 20, -4)),
        ("19/06/11,11:08:20", (2019, 6, 11, 11, 8, 20, None)),
        (b"00/01/01,00:00:00+00", (2000, 1, 1, 0, 0, 0, 0)),
        ("99/12/31,23:59:59-47", (2099, 12, 31, 23, 59, 59, -47)),
        ("24/02/29,12:00:00+48", (2024, 2, 29, 12, 0, 0, 48)),
    ):
        assert bc26.parse_time(text) == want, text
    for bad in (
        "",
        "19/06/11",
        "19/06,11:08:20",
        "19/13/11,11:08:20",
        "19/06/11,24:00:00",
        "19/06/11,11:08:20+",
    ):
        raises(ValueError, bc26.parse_time, bad)
    raises(ValueError, bc26.parse_time, "19/06/11,11:08:20+99")
    raises(ValueError, bc26.parse_time, "yy/MM/dd,hh:mm:ss")


def test_utc_seconds():
    assert bc26.utc_seconds((2000, 1, 1, 0, 0, 0, 32)) == 0
    assert bc26.utc_seconds((2000, 1, 1, 0, 0, 0, 32), local=True) == 8 * 3600
    assert bc26.utc_seconds((2000, 1, 1, 0, 0, 0, None), 1970) == 946684800
    assert bc26.utc_seconds((2000, 2, 29, 0, 0, 0, 0)) == 5097600
    assert bc26.utc_seconds((2100, 3, 1, 0, 0, 0, 0), 1970) == 4107542400
    assert bc26.utc_seconds((2019, 6, 11, 11, 8, 20, -4), local=True) == 613566500 - 3600
    raises(ValueError, bc26.utc_seconds, (2000, 1, 1, 0, 0, 0, 0), 1980)


# --- checks before the UART ----------------------------------------------------------------


def test_parameters_out_of_range_never_reach_the_uart():
    u, m = make()
    for args in (
        ("1.2.3.4", 0),
        ("1.2.3.4", 256),
        ("1.2.3.4", 4, 0),
        ("1.2.3.4", 4, 11),
        ("1.2.3.4", 4, 4, 31),
        ("1.2.3.4", 4, 4, 201),
        ("1.2.3.4", -1),
    ):
        raises(ValueError, m.ping, *args)
    raises(TypeError, m.ping, "1.2.3.4", "4")
    raises(TypeError, m.ping, "1.2.3.4", 4, True)
    raises(TypeError, m.ping, "1.2.3.4", 4.0)
    raises(ValueError, m.ntp, "pool.ntp.org", 0)
    raises(ValueError, m.ntp, "pool.ntp.org", 65536)
    raises(ValueError, m.ntp, "pool.ntp.org", 123, 2)
    raises(ValueError, m.ntp, "pool.ntp.org", 123, -1)
    raises(TypeError, m.ntp, "pool.ntp.org", "123")
    raises(ValueError, m.ntp, "pool.ntp.org", 123, None, 0)
    raises(ValueError, m.resolve, "example.com", 0)
    assert u.tx == b""


def test_hostile_strings_are_refused_as_hosts_and_servers():
    u, m = make()
    for bad in HOSTILE:
        raises(ValueError, m.ping, bad)
        raises(ValueError, m.resolve, bad)
        raises(ValueError, m.ntp, bad)
        raises(ValueError, m.set_dns, bad)
        raises(ValueError, m.set_dns, "8.8.8.8", bad)
    # DNS server addresses are limited to 64 bytes, host names to 150.
    raises(ValueError, m.set_dns, "1" * 65)
    raises(ValueError, m.set_dns, "8.8.8.8", "1" * 65)
    for bad in (None, 5, ["a"]):
        raises(TypeError, m.ping, bad)
        raises(TypeError, m.resolve, bad)
        raises(TypeError, m.ntp, bad)
        raises(TypeError, m.set_dns, bad)
    assert u.tx == b""
    # The longest allowed ones do go out.
    u.reply(b'AT+QIDNSCFG=1,"', OK)
    m.set_dns("1" * 64)
    assert u.take_tx() == b'AT+QIDNSCFG=1,"' + b"1" * 64 + b'"\r'


# --- test forms --------------------------------------------------------------------------


def test_test_forms_and_supports():
    u, m = make()
    u.reply(b"AT+QPING=?\r", b'\r\n+QPING: (1-3),"<host>",(1-255),(1-10),(32-200)\r\n' + OK)
    assert m.test_form("QPING") == ['+QPING: (1-3),"<host>",(1-255),(1-10),(32-200)']
    u.reply(b"AT+QIGETERROR=?\r", OK)
    assert m.test_form("+QIGETERROR") == []
    u.reply(b"AT+QCCLK=?\r", ERROR)
    assert not m.supports("QCCLK")
    u.reply(b"AT+QNTP=?\r", b'\r\n+QNTP: (1-3),"<server>",<port>,(0,1)\r\n' + OK)
    assert m.supports(b"QNTP")
    assert u.take_tx() == b"AT+QPING=?\rAT+QIGETERROR=?\rAT+QCCLK=?\rAT+QNTP=?\r"
    for bad in ("", "+", "QP ING", "QPING=?", "QPING?", "AT+QPING", "Q1", "QPING;+QPOWD", "X" * 21, "\u00c9"):
        raises(ValueError, m.test_form, bad)
        raises(ValueError, m.supports, bad)
    raises(TypeError, m.test_form, 5)
    assert u.tx == b""
    # No answer at all is not "unsupported": it is a timeout.
    raises(bc26.BC26Timeout, m.supports, "CSQ", 50)
