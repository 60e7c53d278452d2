# Power: the module's PWRKEY, RESET and PSM_EINT pins, and what a deep-sleep node runs on them
# at every wake before its data goes out: power_on(), reset(), wake(). Modem imports this
# module the first time one of these is used (research/hardware.md section 2 has the
# sources). Sleep (AT+QSCLK), PSM (AT+CPSMS) with the 3GPP encodings of its timers and PSM's
# URCs are in psm.py, which a node loads once its data is out, on its way back to sleep;
# reading the settings back, what the network granted, and eDRX in powerinfo.py.
#
# The pins are MCU outputs: machine.Pin or anything with value(). Behind the usual NPN stage
# (Quectel's 4.7k/47k) a high GPIO pulls the module's pin low, so active=1; a GPIO that drives
# the module's pin directly (open-drain) is active=0. A pin that is not wired is None.

from ._compat import sleep_ms
from .checks import check_range


class Pins:
    """The module's control pins as the MCU drives them; every pin starts released."""

    def __init__(self, pwrkey=None, reset=None, psm_eint=None, active=1):
        check_range(active, 0, 1, "active")
        self.pwrkey = pwrkey
        self.reset = reset
        self.psm_eint = psm_eint
        self.active = active
        # A PWRKEY held low keeps the module out of PSM: release everything now.
        for p in (pwrkey, reset, psm_eint):
            if p is not None:
                p.value(1 - active)

    def pulse(self, pin, ms):
        """Pull the module's pin low for ms, then release it (also if interrupted)."""
        pin.value(self.active)
        try:
            sleep_ms(ms)
        finally:
            pin.value(1 - self.active)


def set_pins(modem, pwrkey=None, reset=None, psm_eint=None, active=1):
    """The MCU outputs wired to PWRKEY, RESET, PSM_EINT (machine.Pin or None), all released.

    active: the GPIO level that pulls the module's pin low, 1 behind the usual NPN stage.
    """
    modem.pins = Pins(pwrkey, reset, psm_eint, active)
    return modem.pins


def _pin(modem, name, ms, lo, hi, tries):
    # The Pins and the named pin (None when not wired), after checking the arguments.
    check_range(ms, lo, hi, "ms")
    check_range(tries, 1, 100, "tries")
    pins = getattr(modem, "pins", None)
    return pins, None if pins is None else getattr(pins, name)


def power_on(modem, ms=600, tries=20):
    """Press PWRKEY for ms (>= 500), then sync() (auto-baud). Without the pin: sync() only."""
    pins, pin = _pin(modem, "pwrkey", ms, 500, 5000, tries)
    if pin is not None:
        pins.pulse(pin, ms)
    modem.sync(tries)


def reset(modem, ms=100, tries=20):
    """Pull RESET low for ms (>= 50), or send AT+QRST=1 without the pin; then sync(), which
    ends with ATE0 (the module restarts with echo on)."""
    pins, pin = _pin(modem, "reset", ms, 50, 5000, tries)
    if pin is not None:
        pins.pulse(pin, ms)
    else:
        # The module restarts at once and promises no answer, so none is awaited.
        modem.ready()
        modem.engine.write(b"AT+QRST=1\r")
    # Restarted for certain, with echo on: the sync ends with ATE0 (the banner that would
    # say so comes at 115200, before the module auto-bauds again: noise at another rate).
    modem.sockets.echo_on = True
    modem.sync(tries)


def wake(modem, ms=100, tries=20):
    """Pulse PSM_EINT low for ms (a falling edge wakes PSM), then sync() until OK."""
    pins, pin = _pin(modem, "psm_eint", ms, 1, 2000, tries)
    if pin is not None:
        pins.pulse(pin, ms)
    # The first bytes after a wake may be lost: sync() sends AT until OK.
    modem.sync(tries)
    if getattr(modem, "psm_state", None) is not None:
        modem.psm_state = "awake"


def __getattr__(name):
    # bc26.power.encode_tau, TAU_MAX and the rest of psm.py, and bc26.power.encode_edrx and
    # the other functions that live in powerinfo.py, where they were before the wake path
    # was split from them. A private or dunder name is not looked for there: an import system
    # probing this module (__path__, __spec__...) must not load psm.py.
    if name[0] == "_":
        raise AttributeError(name)
    where = "bc26.powerinfo" if name in ("encode_edrx", "decode_edrx", "decode_ptw") else "bc26.psm"
    value = getattr(__import__(where, None, None, (name,)), name, None)
    if value is None:
        raise AttributeError(name)
    return value
