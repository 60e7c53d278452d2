# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
# bc26.netif: the module as a network interface (network.WLAN's surface), driven by the URCs.
import sys

from test_network import QICFG_TX, qicfg

import bc26
import bc26.netif
from bc26.netif import NIC
from fakeuart import FakeUART
from testutil import raises

OK = b"\r\nOK\r\n"
IP = b"10.170.235.216"


def make(ip=True):
    u = FakeUART()
    m = bc26.Modem(u)
    m.sockets.known = True
    nic = NIC(m)
    if ip:
        u.feed(b"\r\n+CEREG: 1\r\n\r\n+IP: " + IP + b"\r\n")
    return u, m, nic


def test_one_nic_per_modem_and_station_only():
    u, m, nic = make(False)
    assert NIC(m) is nic and m.nic is nic
    raises(ValueError, NIC, m, bc26.netif.AP_IF)


def test_connected_from_ip_urc_and_lost_on_pdpdeact():
    u, m, nic = make()
    assert nic.isconnected() and nic.status() == bc26.netif.STAT_GOT_IP
    assert nic.ipconfig("addr4") == ("10.170.235.216", "255.255.255.255")
    u.feed(b'\r\n+QIURC: "pdpdeact",1\r\n')
    assert not nic.isconnected() and nic.status() == bc26.netif.STAT_CONNECTING
    assert nic.ipconfig("addr4") == ("0.0.0.0", "0.0.0.0") and nic.lost == 1
    u.feed(b"\r\n+IP: 10.0.0.9\r\n")
    assert nic.isconnected() and nic.ipconfig("addr4")[0] == "10.0.0.9"
    assert m.engine.unknown == 0


def test_an_address_without_registration_urcs_is_connected():
    # AT+CEREG=0: no +CEREG URC ever says "registered"; start() read stat 2 before +IP: came.
    u, m, nic = make(False)
    m.reg = 2
    u.feed(b"\r\n+IP: " + IP + b"\r\n")
    assert nic.isconnected() and nic.status() == bc26.netif.STAT_GOT_IP


def test_lost_on_deregistration_and_denied_is_a_failure():
    u, m, nic = make()
    u.feed(b'\r\n+CEREG: 2,"1A2B","0C3D4E5F",9\r\n')
    assert not nic.isconnected() and m.reg == 2 and m.ip is None
    u.feed(b"\r\n+CEREG: 3\r\n")
    assert nic.status() == bc26.netif.STAT_CONNECT_FAIL
    u.feed(b"\r\n+CEREG: 5\r\n\r\n+IP: 10.0.0.2\r\n")  # roaming counts as registered
    assert nic.isconnected()


def test_lost_on_restart_and_sockets_fail():
    u, m, nic = make()
    u.reply(b"AT+QIOPEN=", OK + b"\r\n+QIOPEN: 0,0\r\n")
    s = m.open("TCP", "127.0.0.1", 7)
    # The restart turned echo on: the next poll resynchronises (AT, silence, AT) and turns
    # it off.
    u.auto(b"AT\r", OK)
    u.reply(b"ATE0\r", OK)
    u.feed(b"\r\nRDY\r\n")
    assert not nic.isconnected() and m.reg is None and m.sockets.restarts == 1
    assert m.sockets.table[0] is None
    err = raises(bc26.BC26Error, s.recv, 10, 0)
    assert err.code == 567
    assert u.take_tx().endswith(b"AT\rAT\rATE0\r") and u.pending_script() == 0


def test_active_connect_disconnect_send_the_commands():
    u, m, nic = make()
    u.reply(b"AT+CGATT=0\r", b'\r\n+QIURC: "pdpdeact",1\r\n\r\n+CEREG: 0\r\n' + OK)
    nic.disconnect()
    assert not nic.isconnected() and nic.status() == bc26.netif.STAT_IDLE
    u.reply(b"AT+CGATT=1\r", OK)
    nic.connect()
    assert nic.status() == bc26.netif.STAT_CONNECTING
    u.feed(b"\r\n+CEREG: 1\r\n\r\n+IP: " + IP + b"\r\n")
    assert nic.isconnected()
    assert nic.active() is True
    u.reply(b"AT+CFUN=0\r", OK)
    nic.active(False)
    assert nic.active() is False and not nic.isconnected() and nic.status() == bc26.netif.STAT_IDLE
    u.reply(b"AT+CFUN=1\r", OK)
    nic.connect()  # turns the radio back on; no CGATT: it was never detached here
    assert nic.active() is True
    assert u.take_tx().endswith(b"AT+CGATT=0\rAT+CGATT=1\rAT+CFUN=0\rAT+CFUN=1\r")
    nic.active(True)  # already on: nothing sent
    assert u.take_tx() == b""


def test_status_rssi_and_ifconfig():
    u, m, nic = make()
    u.reply(b"AT+CSQ\r", b"\r\n+CSQ: 23,99\r\n" + OK)
    assert nic.status("rssi") == -67
    u.reply(b"AT+QIDNSCFG=1\r", b'\r\n+QIDNSCFG: 1,"10.0.0.53","8.8.8.8"\r\n' + OK)
    assert nic.ifconfig() == ("10.170.235.216", "255.255.255.255", "0.0.0.0", "10.0.0.53")
    raises(ValueError, nic.status, "channel")
    raises(ValueError, nic.ipconfig, "addr6")


def test_apn_already_stored_costs_one_question():
    u, m, nic = make()
    u.reply(b"AT+QCGDEFCONT?\r", b'\r\n+QCGDEFCONT: "IP","iot.example"\r\n' + OK)
    assert nic.config("apn") == "iot.example"
    u.reply(b"AT+QCGDEFCONT?\r", b'\r\n+QCGDEFCONT: "IP","iot.example"\r\n' + OK)
    assert nic.set_apn("iot.example") is False
    assert u.take_tx() == b"AT+QCGDEFCONT?\rAT+QCGDEFCONT?\r"


def test_apn_change_stores_restarts_and_brings_the_module_up():
    u, m, nic = make()
    u.reply(b"AT+QCGDEFCONT?\r", b'\r\n+QCGDEFCONT: "IP",""\r\n' + OK)
    u.reply(b'AT+QCGDEFCONT="IP","iot.example","me","pw"\r', OK)
    u.reply(b"AT+QRST=1\r", b"\r\nRDY\r\n")  # Modem.reset() without a RESET pin
    u.reply(b"AT\r", OK)  # after the banner: AT, silence, AT
    u.reply(b"AT\r", OK)
    u.reply(b"ATE0\r", OK)  # the restart turned echo on: reset()'s sync ends with ATE0
    u.reply(b"AT\r", OK)  # start(): Esc, AT (reset()'s ATE0, the last command, turned echo off)
    u.reply(b"AT+CMEE=1\r", OK)
    u.reply(b"AT+CEREG=2\r", OK)
    qicfg(u)
    u.reply(b"AT+CEREG?\r", b"\r\n+CEREG: 2,2\r\n" + OK)
    u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1\r\n" + OK)
    u.reply(b"AT+QISTATE?\r", OK)
    nic.connect("iot.example", "pw", user="me")
    tx = u.take_tx()
    head = b'AT+QCGDEFCONT?\rAT+QCGDEFCONT="IP","iot.example","me","pw"\r'
    head += b"AT+QRST=1\rAT\rAT\rATE0\r\x1bAT\rAT+CMEE=1\r"
    assert tx.startswith(head), tx
    assert tx.endswith(QICFG_TX + b"AT+CEREG?\rAT+CGPADDR=1\rAT+QISTATE?\r"), tx
    assert not nic.isconnected() and nic.status() == bc26.netif.STAT_CONNECTING
    assert u.pending_script() == 0
    u.feed(b'\r\n+CEREG: 1,"1A2B","0C3D4E5F",9\r\n\r\n+IP: ' + IP + b"\r\n")
    assert nic.isconnected()


def test_bad_apn_is_refused_before_the_uart():
    u, m, nic = make()
    for bad in ('a"b', "a\rAT+QPOWD=0", "x" * 100, b"\x1a"):
        raises(ValueError, nic.set_apn, bad)
    raises(ValueError, nic.set_apn, "", "user", "key")
    raises(ValueError, nic.config, "ssid")
    assert u.take_tx() == b""


def test_install_stands_in_the_network_module():
    u, m, nic = make()
    was = sys.modules.get("network")
    try:
        assert bc26.netif.install(m) is nic
        import network

        sta = network.WLAN(network.STA_IF)
        assert sta is nic and sta.isconnected() and network.STAT_GOT_IP == 3
    finally:
        if was is None:
            del sys.modules["network"]
        else:
            sys.modules["network"] = was
