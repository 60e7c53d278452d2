"""The emulated network: losing it and getting it back (drop_network / restore_network),
AT+CGATT and AT+CFUN, and the attach APN (AT+QCGDEFCONT, effective after a restart)."""

import time

from tools.bc26emu.testing import OK
from tools.servers import TcpEchoServer


def test_drop_closes_sockets_then_pdpdeact_and_cereg_then_back(ready_session, servers):
    echo = servers(TcpEchoServer)
    s = ready_session()
    s.command(b"AT+CEREG=2")
    s.command(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0' % echo.port)
    s.expect(b"+QIOPEN: 0,0\r\n")
    assert echo.wait_clients(1)
    s.emu.drop_network()
    s.expect_exact(b'\r\n+QIURC: "closed",0\r\n\r\n+QIURC: "pdpdeact",1\r\n\r\n+CEREG: 2\r\n')
    s.command(b"AT+CEREG?").endswith(b"+CEREG: 2,2\r\n" + OK)
    # No network: a new socket cannot open; the old one must still be closed.
    s.command(b'AT+QIOPEN=1,1,"TCP","127.0.0.1",%d,0,0' % echo.port)
    s.expect(b"+QIOPEN: 1,561\r\n")
    s.command(b"AT+QICLOSE=1", b"CLOSE OK\r\n")
    s.command(b"AT+QICLOSE=0", b"CLOSE OK\r\n")
    s.emu.restore_network()
    s.expect_exact(b'\r\n+CEREG: 1,"1A2B","0C3D4E5F",9\r\n\r\n+IP: 10.170.235.216\r\n')


def test_cgatt_and_cfun_detach_and_attach(ready_session):
    s = ready_session()
    s.command(b"AT+CEREG=1")
    s.send(b"AT+CGATT=0\r")
    s.expect_exact(b'\r\n+QIURC: "pdpdeact",1\r\n\r\n+CEREG: 0\r\n' + OK)
    assert s.command(b"AT+CGATT?") == b"\r\n+CGATT: 0\r\n" + OK
    s.send(b"AT+CGATT=1\r")
    s.expect_exact(OK + b"\r\n+CEREG: 1\r\n\r\n+IP: 10.170.235.216\r\n")
    s.send(b"AT+CFUN=0\r")
    s.expect_exact(b'\r\n+QIURC: "pdpdeact",1\r\n\r\n+CEREG: 0\r\n' + OK)
    assert s.command(b"AT+CFUN?") == b"\r\n+CFUN: 0\r\n" + OK
    s.send(b"AT+CFUN=1\r")
    s.expect_exact(OK + b"\r\n+CEREG: 1\r\n\r\n+IP: 10.170.235.216\r\n")
    assert s.command(b"AT+CFUN=2", b"ERROR\r\n") == b"\r\nERROR\r\n"


def test_qcgdefcont_is_stored_and_takes_effect_after_a_restart(make_session):
    s = make_session(network_apn="iot.bc26.test")
    # The stored APN (empty) is not the network's: the attach is refused.
    s.expect_exact(b"\r\nRDY\r\n")
    s.send(b"ATE0\r")
    s.expect(OK)
    deadline = time.monotonic() + 2
    while not s.emu.modem.denied and time.monotonic() < deadline:  # the attempt runs on a timer
        time.sleep(0.005)
    assert s.command(b"AT+CEREG?") == b"\r\n+CEREG: 0,3\r\n" + OK
    assert s.command(b"AT+QCGDEFCONT?") == b'\r\n+QCGDEFCONT: "IP"\r\n' + OK  # no APN: the type alone
    s.command(b'AT+QCGDEFCONT="IP","iot.bc26.test"')
    assert s.command(b"AT+QCGDEFCONT?") == b'\r\n+QCGDEFCONT: "IP","iot.bc26.test"\r\n' + OK
    s.assert_quiet(0.1)  # stored, not used until the module restarts
    s.send(b"AT+QRST=1\r")
    s.expect(b"\r\nRDY\r\n")
    s.expect(b"+IP: 10.170.235.216\r\n")
    s.send(b"ATE0\r")
    s.expect(OK)
    assert s.command(b'AT+QCGDEFCONT="IP","a","user","pw";+QCGDEFCONT?') == (
        b'\r\n+QCGDEFCONT: "IP","a","user","pw"\r\n' + OK
    )
    for bad in (b'AT+QCGDEFCONT="PPP","a"', b"AT+QCGDEFCONT=IP", b'AT+QCGDEFCONT="IP","a","user"'):
        assert s.command(bad, b"ERROR\r\n") == b"\r\nERROR\r\n"
