# Sleep (AT+QSCLK), PSM (AT+CPSMS) with the 3GPP encodings of its timers, and PSM's URCs:
# what a deep-sleep node runs at every wake once its data is out, on its way back to sleep.
# Modem imports this module the first time one of these methods is used; the pins and wake()
# are power.py (what a wake runs before its data goes out), reading the settings back, what
# the network granted, and eDRX powerinfo.py. bc26.power gives these names too.

from ._compat import const, ticks_diff, ticks_ms
from .checks import check_range

# limits.py's values (tests_host/test_limits.py checks that they agree).
_WAIT_MAX = const(86400000)

OK_MS = 2000  # OK / ERROR of a power command

# T3412, the periodic TAU (TS 24.008 GPRS timer 3): (unit code, seconds), finest first.
# Code 7 (111) means deactivated.
_TAU_UNITS = ((3, 2), (4, 30), (5, 60), (0, 600), (1, 3600), (2, 36000), (6, 1152000))
# T3324, the active time (GPRS timer 2): 2 s, 1 min, 6 min (decihours); code 7 deactivated,
# other codes read as minutes.
_ACTIVE_UNITS = ((0, 2), (1, 60), (2, 360))

TAU_MAX = 31 * 1152000  # 31 x 320 h, in seconds
ACTIVE_MAX = 31 * 360  # 31 x 6 min


def bit_string(v, width):
    out = ""
    for i in range(width - 1, -1, -1):
        out += "1" if (v >> i) & 1 else "0"
    return out


def parse_bits(bits, width, what):
    if isinstance(bits, (bytes, bytearray)):
        bits = bytes(bits).decode()
    if not isinstance(bits, str) or len(bits) != width or bits.strip("01"):
        raise ValueError("%s must be %d characters 0/1, not %r" % (what, width, bits))
    return int(bits, 2)


def _encode(seconds, units, lo, hi, what):
    # The unit whose multiple (0-31) comes nearest to seconds; on a tie the coarser unit, as
    # in the manual's examples (18 min as T3324 is 3 x 6 min, "01000011").
    check_range(seconds, lo, hi, what)
    best = None
    for code, mult in units:
        n = (seconds + mult // 2) // mult
        if n > 31 or (n == 0 and seconds):
            continue
        err = n * mult - seconds
        if err < 0:
            err = -err
        if best is None or err < best[0] or (err == best[0] and n):
            best = (err, code, n)
    return bit_string(best[1] << 5 | best[2], 8)


def encode_tau(seconds):
    """The 8-bit string of a requested periodic TAU (T3412), 2 s .. 9920 h (TAU_MAX s)."""
    return _encode(seconds, _TAU_UNITS, 2, TAU_MAX, "periodic_tau")


def encode_active(seconds):
    """The 8-bit string of a requested active time (T3324), 0 .. 186 min (ACTIVE_MAX s)."""
    return _encode(seconds, _ACTIVE_UNITS, 0, ACTIVE_MAX, "active_time")


def _decode(bits, units, other, what):
    v = parse_bits(bits, 8, what)
    code = v >> 5
    if code == 7:
        return None
    for c, mult in units:
        if c == code:
            return (v & 31) * mult
    return (v & 31) * other


def decode_tau(bits):
    """Seconds of a T3412 bit string ("01000111" = 70 h); None when deactivated."""
    return _decode(bits, _TAU_UNITS, 3600, "periodic_tau")


def decode_active(bits):
    """Seconds of a T3324 bit string ("00100100" = 4 min); None when deactivated."""
    return _decode(bits, _ACTIVE_UNITS, 60, "active_time")


# --- sleep and PSM ------------------------------------------------------------------------------


def seconds_or_none(decode, bits):
    return decode(bits) if bits else None


def set_sleep(modem, mode):
    """AT+QSCLK=<mode>: 0 never sleep, 1 light and deep sleep (PSM_EINT wakes), 2 light only."""
    check_range(mode, 0, 2, "sleep mode")
    modem.command("AT+QSCLK=", mode, timeout=OK_MS)


def set_psm(modem, periodic_tau=None, active_time=None, mode=1):
    """AT+CPSMS: request PSM with T3412 and T3324 in seconds (None: keep); mode 0 off, 2 reset.

    Returns (periodic_tau, active_time) in seconds as encoded (the nearest the 3GPP units
    allow); the network decides what it grants: psm_granted().
    """
    check_range(mode, 0, 2, "mode")
    if mode != 1:
        if periodic_tau is not None or active_time is not None:
            raise ValueError("timers go with mode 1")
        modem.command("AT+CPSMS=", mode, timeout=OK_MS)
        return None
    tau = None if periodic_tau is None else encode_tau(periodic_tau)
    act = None if active_time is None else encode_active(active_time)
    if act is not None and tau is None:
        # The command has T3412 before T3324: keep the module's T3412.
        from .powerinfo import psm_bits

        tau = psm_bits(modem)[1]
    if tau is None:
        modem.command("AT+CPSMS=1", timeout=OK_MS)
    elif act is None:
        modem.command('AT+CPSMS=1,,,"', tau, '"', timeout=OK_MS)
    else:
        modem.command('AT+CPSMS=1,,,"', tau, '","', act, '"', timeout=OK_MS)
    return seconds_or_none(decode_tau, tau), seconds_or_none(decode_active, act)


# --- PSM events ------------------------------------------------------------------------------


def psm_events(modem, on=True):
    """AT+QNBIOTEVENT=1,1 and AT+QATWAKEUP=1: .psm_state follows "PSM" / "awake"."""
    v = 1 if on else 0
    modem.command("AT+QNBIOTEVENT=", v, ",1", timeout=OK_MS)
    modem.command("AT+QATWAKEUP=", v, timeout=OK_MS)
    watch(modem)


def watch(modem):
    # Notes +QNBIOTEVENT ("ENTER PSM" / "EXIT PSM", quoted or not) and +QATWAKEUP in
    # modem.psm_state: "PSM", "awake", or "unknown" before the first event.
    if getattr(modem, "psm_state", None) is not None:
        return

    def on_event(buf, s, e):
        if buf.find(b"ENTER", s, e) >= 0:
            modem.psm_state = "PSM"
        elif buf.find(b"EXIT", s, e) >= 0:
            modem.psm_state = "awake"

    def on_wakeup(buf, s, e):
        modem.psm_state = "awake"

    modem.psm_state = "unknown"
    modem.engine.on(b"+QNBIOTEVENT:", on_event)
    modem.engine.on(b"+QATWAKEUP", on_wakeup)


def wait_psm(modem, timeout=10000):
    """Wait up to timeout ms for +QNBIOTEVENT: "ENTER PSM"; True if it came."""
    check_range(timeout, 0, _WAIT_MAX, "timeout")
    watch(modem)
    t0 = ticks_ms()
    while modem.psm_state != "PSM":
        left = timeout - ticks_diff(ticks_ms(), t0)
        if left <= 0:
            return False
        modem.poll()
        if modem.psm_state != "PSM":
            modem.engine.idle(left)
    return True


def release_sleep_lock(modem):
    """AT+QRELLOCK: let the module sleep now, not 10 s after the last command."""
    modem.command("AT+QRELLOCK", timeout=2000)
