# CPython stand-ins for MicroPython's const and time.ticks_*, for the host tests. Only
# _compat.py imports this, and only where MicroPython's own names are missing.
import time as _time


def const(x):
    return x


# MicroPython's ticks wrap at 2**30; these wrap the same way so that wrap-around bugs show up
# on the host too.
_PERIOD = 1 << 30
_HALF = 1 << 29


def ticks_ms():
    # type: ignore below: the MicroPython stubs' time has no monotonic (CPython only).
    return int(_time.monotonic() * 1000) & (_PERIOD - 1)  # type: ignore


def ticks_add(t, delta):
    return (t + delta) & (_PERIOD - 1)


def ticks_diff(a, b):
    return ((a - b + _HALF) & (_PERIOD - 1)) - _HALF


def sleep_ms(ms):
    _time.sleep(ms / 1000)
