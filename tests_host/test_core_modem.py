# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
import bc26
from fakeuart import FakeUART
from testutil import raises


def make():
    u = FakeUART()
    return u, bc26.Modem(u)


def test_at_passthrough_returns_its_lines():
    u, m = make()
    u.reply(b"AT+CSQ\r", b'\r\n+CSQ: 19,99\r\n\r\n+QIURC: "closed",1\r\nOK\r\n')
    assert m.at("AT+CSQ") == ["+CSQ: 19,99"]
    u.reply(b"ATI\r", b"\r\nQuectel_Ltd\r\nQuectel_BC26\r\nRevision: BC26NBR01A10\r\n\r\nOK\r\n")
    assert m.at("ATI") == ["Quectel_Ltd", "Quectel_BC26", "Revision: BC26NBR01A10"]
    u.reply(b'AT+QICFG="viewmode"\r', b'\r\n+QICFG: "viewmode",0\r\n\r\nOK\r\n')
    assert m.at('AT+QICFG="viewmode"') == ['+QICFG: "viewmode",0']


def test_at_passthrough_with_a_trailer():
    u, m = make()
    u.reply(b"AT+QNTP", b"\r\nOK\r\n", (20, b'\r\n+QNTP: 0,"19/06/11,11:08:20+32"\r\n'))
    assert m.at('AT+QNTP=1,"pool.ntp.org"', trailer=1000) == ['+QNTP: 0,"19/06/11,11:08:20+32"']


def test_at_refuses_a_second_command_hidden_in_the_text():
    u, m = make()
    for bad in ("AT+CSQ\rAT+QPOWD", "AT+CSQ\n", "AT\x1a", "AT\x1b", "", "CSQ", "AT" + "X" * 300):
        raises(ValueError, m.at, bad)
    raises(TypeError, m.at, 5)
    assert u.tx == b""


def test_a_bare_error_from_a_tcpip_command_carries_the_module_code():
    u, m = make()
    u.reply(b'AT+QIOPEN=1,"UDP"\r', b"\r\nERROR\r\n")
    u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: 552,invalid parameters\r\n\r\nOK\r\n")
    err = raises(bc26.BC26Error, m.command, 'AT+QIOPEN=1,"UDP"', tcpip=True)
    assert err.code == 552 and str(err) == "552 Invalid parameters"


def test_error_query_can_be_turned_off():
    u = FakeUART()
    m = bc26.Modem(u, query_errors=False)
    u.reply(b"AT+QIOPEN\r", b"\r\nERROR\r\n")
    err = raises(bc26.BC26Error, m.command, "AT+QIOPEN", tcpip=True)
    assert err.code is None
    assert u.take_tx() == b"AT+QIOPEN\r"


def test_after_a_timeout_the_next_command_resyncs_first():
    u, m = make()
    raises(bc26.BC26Timeout, m.command, "AT+CSQ", expect=(b"+CSQ:",), timeout=20)
    # The late answer of the timed-out command arrives; it must not be taken for the next.
    u.feed(b"\r\n+CSQ: 1,1\r\n\r\nOK\r\n")
    u.reply(b"AT\r", b"\r\nOK\r\n")
    u.reply(b"AT\r", b"\r\nOK\r\n")
    u.reply(b"AT+CGATT?\r", b"\r\n+CGATT: 1\r\n\r\nOK\r\n")
    assert m.command("AT+CGATT?", expect=(b"+CGATT:",)) == [b"+CGATT: 1"]


def test_sync_gives_up_with_a_clear_error():
    u, m = make()
    err = raises(bc26.BC26Error, m.sync, 3, 10)
    assert "no answer" in str(err)
    assert u.take_tx() == b"AT\r" * 3


def test_error_names_cover_the_manual_table():
    assert bc26.error_name(550) == "Unknown error"
    assert bc26.error_name(565) == "DNS parse failed"
    assert bc26.error_name(574) == "Port busy"
    assert bc26.error_name(0) == "Operation successful"
    assert bc26.error_name(549) is None and bc26.error_name(575) is None
