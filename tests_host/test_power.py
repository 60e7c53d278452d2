# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
import bc26
from bc26 import power
from fakeuart import FakeUART
from testutil import raises

OK = b"\r\nOK\r\n"


def make():
    u = FakeUART()
    m = bc26.Modem(u)
    return u, m


class Clock:
    """A fake clock for power.py: sleep_ms() moves it on at once."""

    def __init__(self):
        self.now = 1000

    def sleep_ms(self, ms):
        self.now += ms

    def ticks_ms(self):
        return self.now


class FakePin:
    """An MCU output: records (level, clock time, bytes the UART had been written by then)."""

    def __init__(self, clock, uart):
        self.clock = clock
        self.uart = uart
        self.changes = []
        self.level = None

    def value(self, v=None):
        if v is None:
            return self.level
        self.level = v
        self.changes.append((v, self.clock.now, len(self.uart.tx)))


def with_clock(fn):
    # Runs fn(clock) with power.py's sleep_ms on a fake clock.
    clock = Clock()
    saved = power.sleep_ms
    power.sleep_ms = clock.sleep_ms
    try:
        fn(clock)
    finally:
        power.sleep_ms = saved


def wired(active=1):
    u, m = make()
    box = []

    def setup(clock):
        pins = [FakePin(clock, u) for _ in range(3)]
        m.set_pins(pins[0], pins[1], pins[2], active)
        box.append((clock, pins))

    with_clock(setup)
    return u, m, box[0][1]


def answer_sync(u, first_lost=False):
    u.reply(b"AT\r", b"" if first_lost else OK)  # lost: swallowed by the waking UART, no answer
    if first_lost:
        u.reply(b"AT\r", OK)  # sync() asks again...
        u.reply(b"AT\r", OK)  # ...and once more, since the lost one's answer could still come


# --- 3GPP encodings (worked examples from research/hardware.md section 2.2-2.3) ---------------


def test_periodic_tau_encoding():
    for seconds, bits in (
        (70 * 3600, "01000111"),  # 7 x 10 h, the manual's example
        (24 * 3600, "00111000"),  # 24 x 1 h
        (30 * 3600, "01000011"),  # 3 x 10 h (1 h x 30 is the same time; the coarser unit wins)
        (3600, "00100001"),  # 1 x 1 h
        (60, "10100001"),  # 1 x 1 min
        (90, "10000011"),  # 3 x 30 s
        (2, "01100001"),  # 1 x 2 s, the smallest
        (62, "01111111"),  # 31 x 2 s
        (600, "00000001"),  # 1 x 10 min (0 x ... would be 0 s)
        (320 * 3600, "11000001"),  # 1 x 320 h
        (power.TAU_MAX, "11011111"),  # 31 x 320 h
    ):
        assert power.encode_tau(seconds) == bits, (seconds, power.encode_tau(seconds))
        assert power.decode_tau(bits) == seconds, bits
    # Not a multiple of any unit: the nearest that fits in 5 bits.
    assert power.encode_tau(100000) == "00111100"  # 28 h = 100800 s; 3 x 10 h is further off
    assert power.decode_tau("00111100") == 100800
    assert power.encode_tau(63) == "10100001"  # 1 min; 2 s units stop at 62 s, 2 x 30 s ties
    # Deactivated, and bytes as they come off the wire.
    assert power.decode_tau("11100000") is None
    assert power.decode_tau(b"01000111") == 252000


def test_active_time_encoding():
    for seconds, bits in (
        (0, "00000000"),
        (2, "00000001"),  # RT-Thread's choice
        (4 * 60, "00100100"),  # the manual's example: 4 min
        (18 * 60, "01000011"),  # 3 x 6 min, the manual's CPSMS example
        (60, "00100001"),
        (62, "00011111"),  # 31 x 2 s
        (power.ACTIVE_MAX, "01011111"),  # 31 x 6 min = 186 min
    ):
        assert power.encode_active(seconds) == bits, (seconds, power.encode_active(seconds))
        assert power.decode_active(bits) == seconds, bits
    assert power.encode_active(1) == "00000001"  # rounded to 2 s
    assert power.encode_active(61) == "00100001"  # 1 min is nearer than 32 x 2 s (too many)
    assert power.decode_active("11111111") is None
    # Units 011-110 are read as minutes (TS 24.008 GPRS timer 2).
    assert power.decode_active("01100101") == 300


def test_edrx_encoding():
    for seconds, bits in (
        (20.48, "0010"),
        (40.96, "0011"),
        (81.92, "0101"),
        (163.84, "1001"),
        (327.68, "1010"),
        (655.36, "1011"),
        (1310.72, "1100"),
        (2621.44, "1101"),
        (5242.88, "1110"),
        (10485.76, "1111"),
    ):
        assert power.encode_edrx(seconds) == bits, seconds
        assert abs(power.decode_edrx(bits) - seconds) < 0.001, bits
    assert power.encode_edrx(20) == "0010"
    assert power.encode_edrx(60) == "0011"  # 40.96 is nearer than 81.92
    assert power.encode_edrx(100) == "0101"
    assert power.encode_edrx(3600) == "1101"
    assert power.decode_edrx("0000") == 20.48  # other values read as 0010
    assert abs(power.decode_ptw("0101") - 15.36) < 0.001  # (5 + 1) x 2.56 s
    assert abs(power.decode_ptw("0000") - 2.56) < 0.001


def test_encodings_reject_what_does_not_fit():
    for fn, bad in (
        (power.encode_tau, 1),
        (power.encode_tau, 0),
        (power.encode_tau, power.TAU_MAX + 1),
        (power.encode_tau, -5),
        (power.encode_active, -1),
        (power.encode_active, power.ACTIVE_MAX + 1),
        (power.encode_edrx, 10),
        (power.encode_edrx, 19.9),
        (power.encode_edrx, 20000),
    ):
        raises(ValueError, fn, bad)
    raises(TypeError, power.encode_tau, 60.0)
    raises(TypeError, power.encode_active, "60")
    raises(TypeError, power.encode_edrx, "81.92")
    raises(TypeError, power.encode_edrx, True)
    for bad in ("0100011", "010001111", "0100011x", "", None):
        raises(ValueError, power.decode_tau, bad)
    raises(ValueError, power.decode_edrx, "10")


# --- pins ------------------------------------------------------------------------------------


def test_pins_start_released_both_polarities():
    u, m, pins = wired(active=1)
    for p in pins:
        assert p.changes == [(0, 1000, 0)]  # behind the NPN stage, low GPIO = released
    u, m, pins = wired(active=0)
    for p in pins:
        assert p.changes == [(1, 1000, 0)]
    raises(ValueError, m.set_pins, None, None, None, 2)
    assert m.pins is not None


def test_power_on_presses_pwrkey_then_syncs():
    def run(clock):
        u, m = make()
        pwrkey = FakePin(clock, u)
        m.set_pins(pwrkey=pwrkey)
        # The banner makes it a sync after a restart: AT, silence, AT again (the first OK
        # may have been late), then ATE0, since the banner turned echo on.
        answer_sync(u)
        answer_sync(u)
        u.reply(b"ATE0\r", OK)
        u.feed(b"\r\nF1: 0000 0000\n\rLeaving the BROM\n\r")  # the boot banner, before sync
        m.power_on()
        # Pressed (high through the NPN) for 600 ms before a single byte went out, then released.
        assert pwrkey.changes == [(0, 1000, 0), (1, 1000, 0), (0, 1600, 0)]
        assert u.take_tx() == b"AT\rAT\rATE0\r"
        answer_sync(u)
        m.power_on(ms=1000)
        assert pwrkey.changes[-2:] == [(1, 1600, 0), (0, 2600, 0)]

    with_clock(run)


def test_power_on_open_drain_polarity_and_no_pin():
    def run(clock):
        u, m = make()
        pwrkey = FakePin(clock, u)
        m.set_pins(pwrkey=pwrkey, active=0)
        answer_sync(u)
        m.power_on(ms=500)
        assert pwrkey.changes == [(1, 1000, 0), (0, 1000, 0), (1, 1500, 0)]
        # Without a PWRKEY pin (a board that powers the module on by itself): sync only.
        u, m = make()
        answer_sync(u)
        m.power_on()
        assert u.take_tx() == b"AT\r"

    with_clock(run)


def test_reset_pulls_reset_low_or_sends_qrst():
    def run(clock):
        u, m = make()
        rst = FakePin(clock, u)
        m.set_pins(reset=rst)
        # A reset restarts the module with echo on, banner seen or not: the sync ends with ATE0.
        answer_sync(u)
        u.reply(b"ATE0\r", OK)
        m.reset()
        assert rst.changes == [(0, 1000, 0), (1, 1000, 0), (0, 1100, 0)]
        assert u.take_tx() == b"AT\rATE0\r"
        answer_sync(u)
        u.reply(b"ATE0\r", OK)
        m.reset(ms=50)
        assert rst.changes[-2:] == [(1, 1100, 0), (0, 1150, 0)]
        u, m = make()
        u.reply(b"AT+QRST=1\r", b"\r\nRDY\r\n")
        answer_sync(u)
        answer_sync(u)  # after the banner: AT, silence, AT
        u.reply(b"ATE0\r", OK)
        m.reset()
        assert u.take_tx() == b"AT+QRST=1\rAT\rAT\rATE0\r"

    with_clock(run)


def test_wake_pulses_psm_eint_and_survives_a_lost_first_at():
    def run(clock):
        u, m = make()
        eint = FakePin(clock, u)
        m.set_pins(psm_eint=eint)
        answer_sync(u, first_lost=True)
        m.wake()
        assert eint.changes == [(0, 1000, 0), (1, 1000, 0), (0, 1100, 0)]
        assert u.take_tx() == b"AT\rAT\rAT\r"
        answer_sync(u)
        m.wake(ms=4)
        assert eint.changes[-2:] == [(1, 1100, 0), (0, 1104, 0)]

    with_clock(run)


def test_pulse_is_released_even_when_interrupted():
    clock = Clock()
    u = FakeUART()
    pin = FakePin(clock, u)
    pins = power.Pins(pwrkey=pin)
    saved = power.sleep_ms

    def boom(ms):
        raise KeyboardInterrupt

    power.sleep_ms = boom
    try:
        raises(KeyboardInterrupt, pins.pulse, pin, 600)
    finally:
        power.sleep_ms = saved
    assert pin.level == 0  # PWRKEY held low would keep the module out of PSM


def test_bad_pulse_arguments_never_reach_the_pins_or_the_uart():
    u, m, pins = wired()
    for fn, kw in (
        (m.power_on, {"ms": 499}),
        (m.power_on, {"ms": 5001}),
        (m.power_on, {"tries": 0}),
        (m.reset, {"ms": 49}),
        (m.wake, {"ms": 0}),
        (m.wake, {"ms": 2001}),
        (m.wake, {"tries": 101}),
    ):
        raises(ValueError, fn, **kw)
    raises(TypeError, m.power_on, 600.0)
    for p in pins:
        assert len(p.changes) == 1
    assert u.tx == b""


# --- sleep, PSM, eDRX commands -----------------------------------------------------------------


def test_sleep_mode_and_lock():
    u, m = make()
    u.reply(b"AT+QSCLK=1\r", OK)
    m.set_sleep(1)
    u.reply(b"AT+QSCLK?\r", b"\r\n+QSCLK: 2\r\n" + OK)
    assert m.sleep_mode() == 2
    u.reply(b"AT+QRELLOCK\r", OK)
    m.release_sleep_lock()
    assert u.take_tx() == b"AT+QSCLK=1\rAT+QSCLK?\rAT+QRELLOCK\r"


def test_set_psm_encodes_seconds():
    u, m = make()
    u.reply(b'AT+CPSMS=1,,,"00111000","00100100"\r', OK)
    assert m.set_psm(24 * 3600, 4 * 60) == (86400, 240)
    u.reply(b'AT+CPSMS=1,,,"00111100","00000001"\r', OK)
    assert m.set_psm(100000, 1) == (100800, 2)  # what the encoding could represent
    u.reply(b'AT+CPSMS=1,,,"00100001"\r', OK)
    assert m.set_psm(periodic_tau=3600) == (3600, None)
    u.reply(b"AT+CPSMS=1\r", OK)
    assert m.set_psm() == (None, None)
    # Only T3324: T3412 comes first in the command, so the module's own is kept.
    u.reply(b"AT+CPSMS?\r", b'\r\n+CPSMS: 1,,,"01000111","00100100"\r\n' + OK)
    u.reply(b'AT+CPSMS=1,,,"01000111","01000011"\r', OK)
    assert m.set_psm(active_time=18 * 60) == (252000, 1080)
    u.reply(b"AT+CPSMS=0\r", OK)
    assert m.set_psm(mode=0) is None
    u.reply(b"AT+CPSMS=2\r", OK)
    m.set_psm(mode=2)
    assert u.take_tx() == (
        b'AT+CPSMS=1,,,"00111000","00100100"\rAT+CPSMS=1,,,"00111100","00000001"\r'
        b'AT+CPSMS=1,,,"00100001"\rAT+CPSMS=1\rAT+CPSMS?\rAT+CPSMS=1,,,"01000111","01000011"\r'
        b"AT+CPSMS=0\rAT+CPSMS=2\r"
    )


def test_psm_read_back():
    u, m = make()
    u.reply(b"AT+CPSMS?\r", b'\r\n+CPSMS: 1,,,"01000111","00100100"\r\n' + OK)
    assert m.psm_config() == (1, 252000, 240)
    u.reply(b"AT+CPSMS?\r", b"\r\n+CPSMS:0\r\n" + OK)
    assert m.psm_config() == (0, None, None)
    # The network's grant, from AT+CEREG? with n=4: switched to 4 for one read, then back.
    u.reply(b"AT+CEREG?\r", b'\r\n+CEREG: 2,1,"1A2B","0C3D4E5F",9\r\n' + OK)
    u.reply(b"AT+CEREG=4\r", OK)
    u.reply(b"AT+CEREG?\r", b'\r\n+CEREG: 4,1,"1A2B","0C3D4E5F",9,,,"00000001","00100001"\r\n' + OK)
    u.reply(b"AT+CEREG=2\r", OK)
    assert m.psm_granted() == (3600, 2)
    assert u.take_tx() == b"AT+CPSMS?\rAT+CPSMS?\rAT+CEREG?\rAT+CEREG=4\rAT+CEREG?\rAT+CEREG=2\r"
    # Already n=5: one read. Not registered (no timers): None.
    u.reply(b"AT+CEREG?\r", b'\r\n+CEREG: 5,1,"1A2B","0C3D4E5F",9,0,0,"01000011","01000111"\r\n' + OK)
    assert m.psm_granted() == (252000, 1080)
    u.reply(b"AT+CEREG?\r", b"\r\n+CEREG: 4,2\r\n" + OK)
    assert m.psm_granted() is None
    assert u.take_tx() == b"AT+CEREG?\rAT+CEREG?\r"


def test_edrx():
    u, m = make()
    u.reply(b'AT+CEDRXS=1,5,"0101"\r', OK)
    assert abs(m.set_edrx(81.92) - 81.92) < 0.001
    u.reply(b'AT+CEDRXS=2,5,"1001"\r', OK)
    assert abs(m.set_edrx(150, mode=2) - 163.84) < 0.001
    u.reply(b"AT+CEDRXS=0\r", OK)
    assert m.set_edrx(mode=0) is None
    u.reply(b"AT+CEDRXS?\r", b'\r\n+CEDRXS: 5,"0101"\r\n' + OK)
    assert abs(m.edrx_config() - 81.92) < 0.001
    u.reply(b"AT+CEDRXS?\r", OK)
    assert m.edrx_config() is None
    u.reply(b"AT+CEDRXRDP\r", b'\r\n+CEDRXRDP: 5,"0010","1110","0101"\r\n' + OK)
    got = m.edrx_granted()
    assert abs(got[0] - 20.48) < 0.001 and abs(got[1] - 5242.88) < 0.001 and abs(got[2] - 15.36) < 0.001
    u.reply(b"AT+CEDRXRDP\r", b"\r\n+CEDRXRDP: 0\r\n" + OK)
    assert m.edrx_granted() is None
    assert u.take_tx() == (
        b'AT+CEDRXS=1,5,"0101"\rAT+CEDRXS=2,5,"1001"\rAT+CEDRXS=0\rAT+CEDRXS?\rAT+CEDRXS?\r'
        b"AT+CEDRXRDP\rAT+CEDRXRDP\r"
    )


def test_bad_values_never_reach_the_uart():
    u, m = make()
    for fn, args, kw in (
        (m.set_sleep, (3,), {}),
        (m.set_sleep, (-1,), {}),
        (m.set_psm, (1,), {}),  # T3412 below 2 s
        (m.set_psm, (power.TAU_MAX + 1,), {}),
        (m.set_psm, (3600, power.ACTIVE_MAX + 1), {}),
        (m.set_psm, (3600, -1), {}),
        (m.set_psm, (), {"mode": 3}),
        (m.set_psm, (3600,), {"mode": 0}),  # timers only go with mode 1
        (m.set_psm, (None, 2), {"mode": 2}),
        (m.set_edrx, (5,), {}),
        (m.set_edrx, (11000,), {}),
        (m.set_edrx, (), {}),  # mode 1 needs a cycle
        (m.set_edrx, (81.92,), {"mode": 0}),
        (m.set_edrx, (81.92,), {"mode": 4}),
        (m.wait_psm, (-1,), {}),
    ):
        raises(ValueError, fn, *args, **kw)
    raises(TypeError, m.set_sleep, "1")
    raises(TypeError, m.set_psm, 3600.5)
    raises(TypeError, m.set_edrx, "81.92")
    assert u.tx == b""


def test_psm_events_and_wait():
    u, m = make()
    u.reply(b"AT+QNBIOTEVENT=1,1\r", OK)
    u.reply(b"AT+QATWAKEUP=1\r", OK)
    m.psm_events()
    assert m.psm_state == "unknown"
    assert not m.wait_psm(0)
    u.feed(b'\r\n+QNBIOTEVENT: "ENTER PSM"\r\n')
    assert m.wait_psm(500)
    assert m.psm_state == "PSM"
    u.feed(b"\r\n+QNBIOTEVENT:EXIT PSM\r\n")
    m.poll()
    assert m.psm_state == "awake"
    u.feed(b"\r\n+QNBIOTEVENT: ENTER PSM\r\n\r\n+QATWAKEUP\r\n")
    m.poll()
    assert m.psm_state == "awake"
    assert m.engine.unknown == 0
    # The URC comes late: wait_psm() waits for it.
    u.reply(b"AT\r", OK, (30, b'\r\n+QNBIOTEVENT: "ENTER PSM"\r\n'))
    m.command("AT")
    assert m.wait_psm(2000)
    u.reply(b"AT+QNBIOTEVENT=0,1\r", OK)
    u.reply(b"AT+QATWAKEUP=0\r", OK)
    m.psm_events(False)
    assert u.take_tx() == b"AT+QNBIOTEVENT=1,1\rAT+QATWAKEUP=1\rAT\rAT+QNBIOTEVENT=0,1\rAT+QATWAKEUP=0\r"
