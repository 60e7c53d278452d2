"""Bring-up commands, test forms, the UART object, transcript, pacing and the fault knobs."""

import re
import time

import pytest

from tools.bc26emu.testing import (
    ERROR,
    OK,
    Session,
)
from tools.servers import TcpEchoServer


def test_echo_is_on_at_power_on(make_session):
    s = make_session()
    s.expect_exact(b"\r\nRDY\r\n")
    s.expect_exact(b"\r\n+IP: 10.170.235.216\r\n")
    s.send(b"AT\r")
    s.expect_exact(b"AT\r" + OK)
    s.send(b"ATE0\r\n")  # the LF of CR LF is swallowed, not echoed
    s.expect_exact(b"ATE0\r" + OK)
    s.send(b"AT\r")
    s.expect_exact(OK)
    s.send(b"ATE1\r")
    s.expect_exact(OK)
    s.send(b"at+csq\r")
    s.expect_exact(b"at+csq\r\r\n+CSQ: 23,99\r\n" + OK)


@pytest.mark.parametrize("model, revision", [("BC26", b"BC26NBR01A01"), ("BC20", b"BC20NAR01A01")])
def test_ati(ready_session, model, revision):
    s = ready_session(model=model)
    s.send(b"ATI\r")
    s.expect_exact(b"\r\nQuectel_Ltd\r\nQuectel_%s\r\nRevision: %s\r\n" % (model.encode(), revision) + OK)


def test_registration_urcs_follow_cereg_setting(make_session):
    s = make_session(reg_delay=0.3, cereg=0)
    s.expect_exact(b"\r\nRDY\r\n")
    s.command(b"ATE0")
    s.send(b"AT+CEREG=2\r")
    s.expect_exact(OK)
    s.send(b"AT+CEREG?\r")
    s.expect_exact(b"\r\n+CEREG: 2,2\r\n" + OK)
    s.expect_exact(b'\r\n+CEREG: 1,"1A2B","0C3D4E5F",9\r\n\r\n+IP: 10.170.235.216\r\n', timeout=2)
    s.send(b"AT+CEREG=1;+CEREG?;+CGATT?;+CGPADDR=1;+CSQ\r")
    s.expect_exact(b"\r\n+CEREG: 1,1\r\n+CGATT: 1\r\n+CGPADDR: 1,10.170.235.216\r\n+CSQ: 23,99\r\n" + OK)
    s.emu.reboot()
    s.expect_exact(b"\r\nRDY\r\n")
    s.expect_exact(b"\r\n+IP: 10.170.235.216\r\n", timeout=2)  # CEREG=2 was not saved


def test_cereg_urc_forms(make_session):
    s = make_session(reg_delay=0.1, cereg=1, ip="10.1.2.3")
    s.expect_exact(b"\r\nRDY\r\n\r\n+CEREG: 1\r\n\r\n+IP: 10.1.2.3\r\n", timeout=2)
    s2 = make_session(reg_delay=0.1, cereg=4)
    s2.expect_exact(b'\r\nRDY\r\n\r\n+CEREG: 1,"1A2B","0C3D4E5F",9,,,"00100100","00111000"\r\n', timeout=2)


def test_power_settings_are_stored_and_read_back(ready_session):
    s = ready_session()
    s.command(b"AT+QSCLK=0")
    s.send(b"AT+QSCLK?\r")
    s.expect_exact(b"\r\n+QSCLK: 0\r\n" + OK)
    s.command(b'AT+CPSMS=1,,,"01000011","00000001"')
    s.send(b"AT+CPSMS?\r")
    s.expect_exact(b'\r\n+CPSMS: 1,,,"01000011","00000001"\r\n' + OK)
    s.command(b"AT+CPSMS=2")
    s.send(b"AT+CPSMS?\r")
    s.expect_exact(b'\r\n+CPSMS: 0,,,"00111000","00100100"\r\n' + OK)
    s.command(b'AT+CEDRXS=1,5,"0010"')
    s.send(b"AT+CEDRXS?\r")
    s.expect_exact(b'\r\n+CEDRXS: 5,"0010"\r\n' + OK)
    s.command(b"AT+CEDRXS=0")
    s.send(b"AT+CEDRXS?\r")
    s.expect_exact(OK)
    for bad in (b"AT+QSCLK=3", b'AT+CPSMS=1,,,"0100001"', b'AT+CEDRXS=1,4,"0010"', b"AT+CEREG=6"):
        s.send(bad + b"\r")
        s.expect_exact(ERROR)


def test_clocks(ready_session):
    s = ready_session(tz_quarters=-20)
    for name in (b"+CCLK", b"+QCCLK"):
        answer = s.command(b"AT" + name + b"?")
        assert re.fullmatch(rb"\r\n\%s: \d\d/\d\d/\d\d,\d\d:\d\d:\d\d-20\r\n\r\nOK\r\n" % name, answer), (
            answer
        )
        s.send(b"AT" + name + b"=?\r")
        s.expect_exact(OK)


def test_unknown_commands_and_noise(ready_session):
    s = ready_session()
    for line in (b"AT+NOSUCH", b"AT+NOSUCH?", b"ATX9", b"AT+CSQ=1", b"AT+QIOPEN?"):
        s.send(line + b"\r")
        s.expect_exact(ERROR)
    s.send(b"\x00garbage without a prefix\r\r\n")
    s.assert_quiet(0.03)
    s.send(b"\xffAT\r")  # a stray byte before AT, as after a wake-up
    s.expect_exact(OK)
    s.send(b"AT+CSQ;+NOSUCH\r")
    s.expect_exact(b"\r\n+CSQ: 23,99\r\n" + ERROR)


TEST_FORMS = [
    (
        b"AT+QIOPEN=?",
        b'+QIOPEN: (1-3),(0-4),"TCP/UDP",<IP_address>/<domain_name>,<remote_port>,<local_port>,(0,1),(0,1)',
    ),
    (b"AT+QICLOSE=?", b"+QICLOSE: (0-4)"),
    (b"AT+QISTATE=?", None),
    (b"AT+QISEND=?", b"+QISEND: (0-4),(0-1024),<data>"),
    (b"AT+QIRD=?", b"+QIRD: (0-4),(1-512)"),
    (b"AT+QISENDEX=?", b"+QISENDEX: (0-4),(1-512),<hex_string>"),
    (b"AT+QISWTMD=?", b"+QISWTMD: (0-4),(0,1)"),
    (b"AT+QISWTMD?", None),
    (b"AT+QPING=?", b'+QPING: (1-3),"<host>",(1-255),(1-10),(32-200)'),
    (b"AT+QNTP=?", b'+QNTP: (1-3),"<server>",<port>,(0,1)'),
    (b"AT+QIDNSGIP=?", b'+QIDNSGIP: (1-3),"<hostname>"'),
    (b"AT+QIDNSCFG=?", b"+QIDNSCFG: (1-3),<pridnsaddr>,<secdnsaddr>"),
    (
        b"AT+QICFG=?",
        b'+QICFG: "dataformat",(0,1),(0,1)\r\n+QICFG: "viewmode",(0,1)\r\n'
        b'+QICFG: "showlength",(0,1)\r\n+QICFG: "echomode",(0,1)',
    ),
    (b"AT+QIGETERROR=?", None),
    (b"AT+CEREG=?", b"+CEREG: (0-5)"),
    (b"AT+CGPADDR=?", b"+CGPADDR: (1)"),
    (b"AT+CSQ=?", b"+CSQ: (0-31,99),(0-7,99)"),
    (b"AT+CGATT=?", b"+CGATT: (0,1)"),
    (b"AT+QSCLK=?", b"+QSCLK: (0-2)"),
]


@pytest.mark.parametrize("line, info", TEST_FORMS)
def test_test_forms(ready_session, line, info):
    s = ready_session()
    s.send(line + b"\r")
    s.expect_exact((b"\r\n" + info + b"\r\n" if info else b"") + OK)


def test_qicfg_set_and_query(ready_session):
    s = ready_session()
    s.send(b'AT+QICFG="dataformat",1,0\r')
    s.expect_exact(OK)
    s.send(b'AT+QICFG="dataformat"\r')
    s.expect_exact(b'\r\n+QICFG: "dataformat",1,0\r\n' + OK)
    s.send(b'AT+QICFG="dataformat",1\r')
    s.expect_exact(ERROR)
    for name in (b"viewmode", b"showlength", b"echomode"):
        s.send(b'AT+QICFG="%s",1\r' % name)
        s.expect_exact(OK)
        s.send(b'AT+QICFG="%s"\r' % name)
        s.expect_exact(b'\r\n+QICFG: "%s",1\r\n' % name + OK)
    # dataformat, viewmode and showlength are kept in NVRAM; echomode is not.
    s.emu.reboot()
    s.ready()
    s.send(b'AT+QICFG="dataformat";+QICFG="viewmode";+QICFG="showlength";+QICFG="echomode"\r')
    s.expect_exact(
        b'\r\n+QICFG: "dataformat",1,0\r\n+QICFG: "viewmode",1\r\n+QICFG: "showlength",1\r\n'
        b'+QICFG: "echomode",0\r\n' + OK
    )


def test_uart_surface(make_emu):
    emu = make_emu(boot="none", reg_delay=60)
    uart = emu.uart()
    assert uart.any() == 0
    assert uart.read() is None
    assert uart.readinto(bytearray(8)) is None
    assert uart.write(b"xxATE0\ryy", 2, 5) == 5  # MicroPython's write(buf, off, n)
    assert uart.write(b"AT\rzz", 3) == 3  # write(buf, n)
    deadline = time.monotonic() + 2
    while uart.any() < len(b"ATE0\r" + OK + OK) and time.monotonic() < deadline:
        time.sleep(0.001)
    assert uart.any() == len(b"ATE0\r" + OK + OK)
    buf = bytearray(64)
    assert uart.readinto(buf, 5) == 5
    assert bytes(buf[:5]) == b"ATE0\r"
    assert uart.read(2) == b"\r\n"
    assert uart.readline() == b"OK\r\n"
    assert uart.read() == OK
    assert emu.commands == ["ATE0", "AT"]
    slow = emu.uart(timeout=50)
    started = time.monotonic()
    assert slow.read() is None
    assert time.monotonic() - started >= 0.045


def test_transcript_records_commands_payloads_and_log(ready_session, servers, tmp_path):
    remote = servers(TcpEchoServer, echo=False)
    log = tmp_path / "emu.log"
    s = ready_session(log=str(log))
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d\r' % remote.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n")
    s.send(b"AT+QISEND=0\r")
    s.expect_exact(b"\r\n> ")
    s.send(b"AT+FAKE\r\x1a")
    s.expect_exact(OK + b"\r\nSEND OK\r\n")
    s.send(b"AT+QICLOSE=0;+QISTATE?\r")  # chained: the socket shows "Closing" until CLOSE OK
    s.expect_exact(b'\r\n+QISTATE: 0,"TCP","127.0.0.1",%d,0,3,1,0\r\n' % remote.port + OK)
    s.expect_exact(b"\r\nCLOSE OK\r\n")
    emu = s.emu
    assert emu.commands == [
        "ATE0",
        'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d' % remote.port,
        "AT+QISEND=0",
        "AT+QICLOSE=0;+QISTATE?",
    ]
    assert emu.transcript.payloads() == [(0, b"AT+FAKE\r")]
    assert emu.transcript.bytes_in().endswith(b"AT+QICLOSE=0;+QISTATE?\r")
    assert emu.transcript.bytes_out().endswith(b"\r\nCLOSE OK\r\n")
    text = log.read_text()
    assert " CMD   AT+QISEND=0\n" in text
    assert " IN    AT+QISEND=0\\r\n" in text
    assert " DATA  0 AT+FAKE\\r\n" in text
    assert re.search(r"^\s*\d+\.\d{6} OUT   \\r\\nRDY\\r\\n$", text, re.M)


def test_output_is_paced_at_the_baud_rate(make_emu):
    emu = make_emu(boot="none", reg_delay=60, baud=9600)
    uart = emu.uart()
    started = time.monotonic()
    uart.write(b"ATI\r")  # 4 echo bytes + 70 answer bytes: about 77 ms at 9600 baud
    total = len(b"ATI\r\r\nQuectel_Ltd\r\nQuectel_BC26\r\nRevision: BC26NBR01A01\r\n" + OK)
    got = bytearray()
    first_any = uart.any()
    while len(got) < total and time.monotonic() - started < 2:
        got += uart.read() or b""
    elapsed = time.monotonic() - started
    assert first_any < total
    assert elapsed >= total * 10 / 9600 * 0.9
    assert bytes(got).endswith(OK)


def test_reboot_fault_forgets_sockets(ready_session, servers):
    remote = servers(TcpEchoServer)
    s = ready_session(reboot_on="AT+QISEND")
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d\r' % remote.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n")
    s.send(b"AT+QISEND=0,3,abc\r")
    s.expect_exact(b"\r\nRDY\r\n")
    s.expect_exact(b"\r\n+IP: 10.170.235.216\r\n")
    s.send(b"AT\r")
    s.expect_exact(b"AT\r" + OK)  # echo is back on after the reboot
    s.send(b"AT+QISTATE?\r")
    s.expect_exact(b"AT+QISTATE?\r" + OK)
    deadline = time.monotonic() + 2
    while remote.clients and time.monotonic() < deadline:
        time.sleep(0.002)
    assert not remote.clients  # the host socket was really closed
    assert remote.received == b""
    s.send(b"AT+QISEND=0,3,abc\r")  # one shot: no second reboot
    s.expect_exact(b"AT+QISEND=0,3,abc\r" + ERROR)


def test_qrst_and_brom_banner(make_session):
    s = make_session(boot="brom")
    s.expect(b"Leaving the BROM\n\r")
    s.expect(b"+IP: 10.170.235.216\r\n")
    s.send(b"AT+QRST=1\r")
    s.expect_exact(b"AT+QRST=1\rF1: 0000 0000\n\r")
    s.expect(b"Leaving the BROM\n\r")


def test_silent_after(make_session):
    s = make_session(silent_after=2)
    s.ready()  # ATE0 is the first command
    s.send(b"AT\r")
    s.expect_exact(OK)
    s.send(b"AT\r")
    s.assert_quiet(0.05)
    assert s.emu.commands == ["ATE0", "AT", "AT"]  # still listed, though a hung module answers nothing
    s.emu.knobs.silent = False
    s.send(b"AT\r")
    s.expect_exact(OK)


def test_drop_and_corrupt_are_seeded(make_emu):
    outputs = []
    for _ in range(2):
        emu = make_emu(boot="none", reg_delay=60, drop_rate=0.2, corrupt_rate=0.2, seed=7)
        uart = emu.uart()
        uart.write(b"ATI\r")
        outputs.append(emu.transcript.bytes_out())
    clean = b"ATI\r\r\nQuectel_Ltd\r\nQuectel_BC26\r\nRevision: BC26NBR01A01\r\n" + OK
    assert outputs[0] == outputs[1]
    assert outputs[0] != clean


def test_urc_delay_and_duplicates(make_session, servers):
    remote = servers(TcpEchoServer, echo=False)
    s = make_session(urc_duplicate_rate=1.0, urc_delay=0.1)
    s.expect(b"+IP: ")
    s.expect(b"+IP: 10.170.235.216\r\n")  # duplicated
    s.command(b"ATE0")
    started = time.monotonic()
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d\r' % remote.port)
    s.expect_exact(OK)
    s.expect_exact(b"\r\n+QIOPEN: 0,0\r\n\r\n+QIOPEN: 0,0\r\n")
    assert time.monotonic() - started >= 0.09


def test_session_over_uart_matches_session_helper(make_emu):
    emu = make_emu()
    s = Session.over_uart(emu.uart())
    s.ready()
    s.send(b"AT+CGPADDR\r")
    s.expect_exact(b"\r\n+CGPADDR: 1,10.170.235.216\r\n" + OK)
