# Power through the emulator: the raw AT forms of QSCLK, CPSMS, CEDRXS, CEDRXRDP, QNBIOTEVENT,
# QATWAKEUP and QRELLOCK, PSM entry and its conditions, and the pins (PSM_EINT wakes, RESET held
# >= 50 ms reboots), then bc26.power driving all of it in-process on the emulator's UART.
import time

import pytest

import bc26
from tools.bc26emu import general
from tools.bc26emu.emulator import Emulator
from tools.bc26emu.testing import ERROR, OK
from tools.servers import TcpEchoServer, UdpEchoServer


class EmuPin:
    """An MCU output behind the usual NPN stage: GPIO high pulls the module's pin low."""

    def __init__(self, emu, name):
        self.emu = emu
        self.name = name
        self.level = None

    def value(self, v=None):
        if v is None:
            return self.level
        self.level = v
        general.pin(self.emu.modem, self.name, 0 if v else 1)


def wait_for(cond, timeout=2.0):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def entered(emu):
    return general.power_state(emu.modem).entered


# --- the AT forms --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, info",
    [
        (b"AT+QNBIOTEVENT=?", b"+QNBIOTEVENT: (0,1),(1)"),
        (b"AT+QATWAKEUP=?", b"+QATWAKEUP: (0,1)"),
        (b"AT+QRELLOCK=?", None),
        (b"AT+CEDRXRDP=?", None),
        (b"AT+CPSMS=?", b'+CPSMS: (0-2),,,("00000000"-"11111111"),("00000000"-"11111111")'),
        (b"AT+CEDRXS=?", b'+CEDRXS: (0-3),(5),("0000"-"1111")'),
    ],
)
def test_test_forms(ready_session, line, info):
    s = ready_session()
    s.send(line + b"\r")
    s.expect_exact((b"\r\n" + info + b"\r\n" if info else b"") + OK)


def test_event_settings_read_back_and_bad_values(ready_session):
    s = ready_session()
    s.send(b"AT+QNBIOTEVENT?\r")
    s.expect_exact(b"\r\n+QNBIOTEVENT: 0,1\r\n" + OK)
    s.command(b"AT+QNBIOTEVENT=1,1")
    s.send(b"AT+QNBIOTEVENT?\r")
    s.expect_exact(b"\r\n+QNBIOTEVENT: 1,1\r\n" + OK)
    s.command(b"AT+QATWAKEUP=1")
    s.send(b"AT+QATWAKEUP?\r")
    s.expect_exact(b"\r\n+QATWAKEUP: 1\r\n" + OK)
    s.command(b"AT+QRELLOCK")
    for bad in (b"AT+QNBIOTEVENT=2,1", b"AT+QNBIOTEVENT=1,2", b"AT+QATWAKEUP=2", b"AT+QRELLOCK=1"):
        s.send(bad + b"\r")
        s.expect_exact(ERROR)


def test_granted_timers_show_in_cereg_requested_ones_in_cpsms(ready_session):
    s = ready_session(reg_delay=0)
    s.command(b"AT+QSCLK=0")  # no PSM entry in this test
    s.command(b'AT+CPSMS=1,,,"00100001","00000101"')
    s.command(b"AT+CEREG=4")
    s.send(b"AT+CEREG?\r")
    s.expect_exact(b'\r\n+CEREG: 4,1,"1A2B","0C3D4E5F",9,,,"00000101","00100001"\r\n' + OK)
    # The network grants something else: CEREG shows it, CPSMS? keeps what was asked.
    general.power_state(s.emu.modem).granted_psm = ("00111000", "00000001")
    s.send(b"AT+CEREG?\r")
    s.expect_exact(b'\r\n+CEREG: 4,1,"1A2B","0C3D4E5F",9,,,"00000001","00111000"\r\n' + OK)
    s.send(b"AT+CPSMS?\r")
    s.expect_exact(b'\r\n+CPSMS: 1,,,"00100001","00000101"\r\n' + OK)
    # Firmware that reads back the grant instead.
    general.power_state(s.emu.modem).cpsms_reads_grant = True
    s.send(b"AT+CPSMS?\r")
    s.expect_exact(b'\r\n+CPSMS: 1,,,"00111000","00000001"\r\n' + OK)


def test_cedrxrdp(ready_session):
    s = ready_session(reg_delay=0)
    s.send(b"AT+CEDRXRDP\r")
    s.expect_exact(b"\r\n+CEDRXRDP: 0\r\n" + OK)
    s.command(b'AT+CEDRXS=1,5,"0101"')
    s.send(b"AT+CEDRXRDP\r")
    s.expect_exact(b'\r\n+CEDRXRDP: 5,"0101","0101","0011"\r\n' + OK)
    general.power_state(s.emu.modem).granted_edrx = ("1001", "0111")
    s.send(b"AT+CEDRXRDP\r")
    s.expect_exact(b'\r\n+CEDRXRDP: 5,"0101","1001","0111"\r\n' + OK)


# --- PSM entry and wake, raw -----------------------------------------------------------------------


def test_psm_entry_after_qrellock_then_deaf_until_psm_eint(ready_session):
    s = ready_session(reg_delay=0)
    emu = s.emu
    s.command(b"AT+QNBIOTEVENT=1,1")
    s.command(b"AT+QATWAKEUP=1")
    s.command(b'AT+CPSMS=1,,,"00100001","00000001"')  # T3324 2 s: 20 ms here
    s.command(b"AT+QRELLOCK")
    s.expect_exact(b'\r\n+QNBIOTEVENT: "ENTER PSM"\r\n', timeout=1)
    assert entered(emu) == 1
    # Asleep: the command is received (the transcript has it) but nothing answers.
    s.send(b"AT+CSQ\r")
    s.assert_quiet(0.1)
    assert emu.commands[-1] == "AT+CSQ"
    general.pin(emu.modem, "PSM_EINT", 0)  # the falling edge
    s.expect_exact(b'\r\n+QNBIOTEVENT: "EXIT PSM"\r\n\r\n+QATWAKEUP\r\n')
    general.pin(emu.modem, "PSM_EINT", 1)
    s.send(b"AT\r")
    s.expect_exact(OK)
    # Awake again, it goes back to PSM when the lock (10 s) and T3324 run out: 120 ms here.
    s.expect_exact(b'\r\n+QNBIOTEVENT: "ENTER PSM"\r\n', timeout=2)
    assert entered(emu) == 2


def test_no_psm_while_sleep_is_off_or_a_tcp_link_is_open(ready_session, servers):
    echo = servers(TcpEchoServer)
    s = ready_session(reg_delay=0)
    emu = s.emu
    s.command(b"AT+QSCLK=0")
    s.command(b'AT+CPSMS=1,,,"00100001","00000000"')
    s.command(b"AT+QRELLOCK")
    time.sleep(0.2)
    assert entered(emu) == 0
    s.command(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0' % echo.port)
    s.expect(b"+QIOPEN: 0,0\r\n")
    s.command(b"AT+QSCLK=1")
    s.command(b"AT+QRELLOCK")
    time.sleep(0.2)
    assert entered(emu) == 0  # an open TCP link holds the module awake
    s.command(b"AT+QICLOSE=0", final=b"CLOSE OK\r\n")
    s.command(b"AT+QRELLOCK")
    assert wait_for(lambda: entered(emu) == 1)


def test_commands_hold_the_sleep_lock(ready_session):
    s = ready_session(reg_delay=0)
    emu = s.emu
    s.command(b'AT+CPSMS=1,,,"00100001","00000000"')  # no active time: PSM when the lock ends
    # A command every 25 ms keeps restarting the 10 s lock (100 ms here), for 250 ms.
    for _ in range(10):
        time.sleep(0.025)
        s.command(b"AT")
    assert entered(emu) == 0
    assert wait_for(lambda: entered(emu) == 1)


def test_reset_pin_must_be_held_50_ms(ready_session):
    s = ready_session(reg_delay=0)
    m = s.emu.modem
    general.pin(m, "RESET", 0)
    general.pin(m, "RESET", 1)
    s.assert_quiet(0.05)
    general.pin(m, "RESET", 0)
    time.sleep(0.06)
    general.pin(m, "RESET", 1)
    s.expect_exact(b"\r\nRDY\r\n")
    # PWRKEY: the emulated module is always on; a press only shows in the transcript.
    general.pin(m, "PWRKEY", 0)
    general.pin(m, "PWRKEY", 1)
    s.expect(b"+IP: 10.170.235.216\r\n")
    s.assert_quiet(0.05)
    events = [p for _, kind, p in s.emu.transcript.entries if kind == "event"]
    assert any(e.startswith("RESET low for") for e in events)
    assert any(e.startswith("PWRKEY low for") for e in events)


# --- bc26.power on the emulator --------------------------------------------------------------------


@pytest.fixture
def rig():
    """(emulator, modem) with the three pins wired through EmuPin, brought up."""
    emu = Emulator(reg_delay=0)
    m = bc26.Modem(emu.uart())
    m.set_pins(EmuPin(emu, "PWRKEY"), EmuPin(emu, "RESET"), EmuPin(emu, "PSM_EINT"))
    m.start()
    m.wait_network(5000)
    yield emu, m
    emu.close()


def test_library_psm_cycle_keeps_the_udp_socket(rig, monkeypatch):
    emu, m = rig
    # The module stays awake (10 s + T3324) long enough for the resynchronisation after the
    # timeout below (a quiet line, then AT): time runs 10x, not 100x, here.
    monkeypatch.setattr(general, "PSM_TIME_SCALE", 10)
    with UdpEchoServer() as echo:
        sock = m.open("UDP", "127.0.0.1", echo.port)
        sock.send(b"before")
        assert sock.recv(64, 5000) == b"before"
        m.psm_events()
        assert m.set_psm(3600, 2) == (3600, 2)
        assert m.psm_config() == (1, 3600, 2)
        assert m.psm_granted() == (3600, 2)
        m.set_sleep(1)
        assert m.sleep_mode() == 1
        m.release_sleep_lock()
        assert m.wait_psm(2000)
        assert m.psm_state == "PSM" and entered(emu) == 1
        # Asleep, the module does not answer: the driver times out.
        with pytest.raises(bc26.BC26Timeout):
            m.command("AT+CSQ", timeout=200)
        # PSM_EINT wakes it; the sockets it kept are taken over by a new driver (a new MCU boot).
        m.wake()
        assert m.psm_state == "awake"
        m2 = bc26.Modem(emu.uart())
        m2.set_pins(psm_eint=EmuPin(emu, "PSM_EINT"))
        kept = m2.start()
        assert [(k.id, k.kind) for k in kept] == [(sock.id, "UDP")]
        kept[0].send(b"after")
        assert kept[0].recv(64, 5000) == b"after"
        assert sum(1 for c in emu.commands if c.startswith("AT+QIOPEN")) == 1


def test_library_reset_pin_and_granted_values(rig):
    emu, m = rig
    general.power_state(emu.modem).granted_psm = ("00111000", "00100100")
    m.set_sleep(0)
    m.set_psm(600, 60)
    assert m.psm_config() == (1, 600, 60)
    assert m.psm_granted() == (86400, 240)  # what the network gave, not what was asked
    assert m.registration().n == 2  # psm_granted() switched CEREG back
    assert abs(m.set_edrx(81.92) - 81.92) < 0.001
    assert abs(m.edrx_config() - 81.92) < 0.001
    general.power_state(emu.modem).granted_edrx = ("1001", "0101")
    got = m.edrx_granted()
    assert [round(x, 2) for x in got] == [81.92, 163.84, 15.36]
    m.set_edrx(mode=0)
    assert m.edrx_config() is None and m.edrx_granted() is None
    # RESET through the pin: the module restarts (RDY), the driver syncs again.
    t0 = time.monotonic()
    m.reset(ms=60)
    assert time.monotonic() - t0 >= 0.06
    assert any(p == "reboot (RESET pin)" for _, kind, p in emu.transcript.entries if kind == "event")
    m.start()
    assert m.wait_network(5000)


def test_library_reset_then_start_turns_echo_off_once():
    # reset() (as power_on()) ends in a sync whose ATE0 turns echo off: start() right after
    # sends no other. With a command in between, start() sends its own: the tag it reads says
    # only that the last command built was that ATE0.
    emu = Emulator(reg_delay=0)
    try:
        m = bc26.Modem(emu.uart())
        m.set_pins(EmuPin(emu, "PWRKEY"), EmuPin(emu, "RESET"), EmuPin(emu, "PSM_EINT"))
        m.reset(ms=60)
        n = emu.commands.count("ATE0")
        assert n >= 1 and emu.commands[-1] == "ATE0", emu.commands
        m.start()
        assert emu.commands.count("ATE0") == n, emu.commands
        m.reset(ms=60)
        m.command("AT+CSQ", expect=(b"+CSQ:",))
        n = emu.commands.count("ATE0")
        m.start()
        assert emu.commands.count("ATE0") == n + 1, emu.commands
    finally:
        emu.close()
