# What MicroPython has and CPython lacks, so the same library code runs under both.
# On a board every name here comes from MicroPython itself; the fallbacks only serve host tests.
try:
    from micropython import const
except ImportError:

    def const(x):
        return x


try:
    from time import sleep_ms, ticks_add, ticks_diff, ticks_ms
except ImportError:
    import time as _time

    # MicroPython's ticks wrap at 2**30; the fallbacks wrap the same way so that
    # wrap-around bugs show up on the host too.
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
