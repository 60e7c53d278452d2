# Reading back sleep and PSM settings (AT+QSCLK?, AT+CPSMS?), the timers the network granted
# (AT+CEREG=4), and eDRX (AT+CEDRXS, AT+CEDRXRDP) with the encoding of its cycle: the power
# functions a deep-sleep node does not run at every wake, loaded on first use (Modem's table;
# power.py holds the pins and wake, psm.py sleep, PSM and its URCs).

from .checks import check_range
from .errors import BC26Error
from .fields import Fields
from .psm import OK_MS, bit_string, decode_active, decode_tau, parse_bits, seconds_or_none

# eDRX cycles in NB-S1 mode (TS 24.008 table 10.5.5.32) are 20.48 s x 2**i, i = 0..9; these are
# their 4-bit values, in that order. Other values read as 0010 (20.48 s).
_EDRX = b"\x02\x03\x05\x09\x0a\x0b\x0c\x0d\x0e\x0f"


def _wire(fn, *args):
    # A value the module printed that does not decode is damage on the line (or firmware we do
    # not know): a BC26Error, never the ValueError that is meant for a caller's arguments.
    try:
        return fn(*args)
    except ValueError as err:
        raise BC26Error(None, "unreadable answer (%s)" % err)


def _fields(modem, cmd, prefix):
    # Every field of the answer line of cmd as str, quotes removed; [] when there is none.
    lines = modem.command(cmd, expect=(prefix,), timeout=OK_MS)
    if not lines:
        return []
    line = lines[0]
    f = Fields(line)
    f.start(len(prefix), len(line))
    out = []
    while f.pos < f.end:
        f.str()
        out.append(f.text())
    return out


def sleep_mode(modem):
    """AT+QSCLK?: the sleep mode (0-2)."""
    f = _fields(modem, "AT+QSCLK?", b"+QSCLK:")
    return _wire(int, f[0]) if f else None


def psm_bits(modem):
    # AT+CPSMS?: (mode, T3412 bits, T3324 bits), None where absent.
    f = _fields(modem, "AT+CPSMS?", b"+CPSMS:")
    f += ["", "", "", "", ""]
    return _wire(int, f[0] or "0"), f[3] or None, f[4] or None


def psm_config(modem):
    """AT+CPSMS?: (mode, periodic_tau, active_time), seconds, None where absent or off."""
    mode, tau, act = psm_bits(modem)
    return mode, _wire(seconds_or_none, decode_tau, tau), _wire(seconds_or_none, decode_active, act)


def psm_granted(modem):
    """(periodic_tau, active_time) in seconds as the network granted them (AT+CEREG? n=4), or None."""
    from .network import registration

    r = registration(modem)
    n = None if r is None else r.n
    if n is not None and n < 4:
        # Only AT+CEREG=4/5 shows the timers: switch for one read, then back.
        modem.command("AT+CEREG=4", timeout=OK_MS)
        try:
            r = registration(modem)
        finally:
            modem.command("AT+CEREG=", n, timeout=OK_MS)
    if r is None or not r.periodic_tau or not r.active_time:
        return None
    return _wire(decode_tau, r.periodic_tau), _wire(decode_active, r.active_time)


def encode_edrx(cycle):
    """The 4-bit string of the eDRX cycle nearest to cycle seconds (20.48 .. 10485.76)."""
    if not isinstance(cycle, (int, float)) or isinstance(cycle, bool):
        raise TypeError("eDRX cycle must be a number of seconds")
    if not 20.0 <= cycle <= 10500.0:  # also refuses nan and inf, which int() cannot take
        raise ValueError("eDRX cycle must be 20.48..10485.76 s")
    ms = int(cycle * 1000 + 0.5)
    best = 0
    for i in range(10):
        if abs((20480 << i) - ms) < abs((20480 << best) - ms):
            best = i
    return bit_string(_EDRX[best], 4)


def decode_edrx(bits):
    """Seconds of a 4-bit eDRX value ("0101" = 81.92)."""
    v = parse_bits(bits, 4, "eDRX value")
    for i in range(10):
        if _EDRX[i] == v:
            return (20480 << i) / 1000
    return 20.48


def decode_ptw(bits):
    """Seconds of a 4-bit NB-S1 paging time window: (value + 1) x 2.56 s."""
    return (parse_bits(bits, 4, "PTW") + 1) * 2.56


def set_edrx(modem, cycle=None, mode=1):
    """AT+CEDRXS=<mode>,5,<cycle>: eDRX with the cycle nearest to cycle s (20.48-10485.76).

    mode 0 off, 1 on, 2 on with +CEDRXP URCs, 3 off and reset. Returns the cycle as encoded.
    """
    check_range(mode, 0, 3, "mode")
    if mode == 0 or mode == 3:
        if cycle is not None:
            raise ValueError("a cycle goes with mode 1 or 2")
        modem.command("AT+CEDRXS=", mode, timeout=OK_MS)
        return None
    if cycle is None:
        raise ValueError("eDRX needs a cycle")
    bits = encode_edrx(cycle)
    modem.command("AT+CEDRXS=", mode, ',5,"', bits, '"', timeout=OK_MS)
    return decode_edrx(bits)


def edrx_config(modem):
    """AT+CEDRXS?: the requested eDRX cycle in seconds, or None when eDRX is off."""
    f = _fields(modem, "AT+CEDRXS?", b"+CEDRXS:")
    return _wire(decode_edrx, f[1]) if len(f) > 1 and f[1] else None


def edrx_granted(modem):
    """AT+CEDRXRDP: (requested, granted, paging window) in seconds, or None without eDRX."""
    f = _fields(modem, "AT+CEDRXRDP", b"+CEDRXRDP:")
    if len(f) < 4 or not f[2]:
        return None
    return _wire(decode_edrx, f[1]), _wire(decode_edrx, f[2]), _wire(decode_ptw, f[3])
