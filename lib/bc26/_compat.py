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


def lazy(obj, name, table):
    """obj.name, for a method that lives in a module loaded on first use.

    table: ((module, " name name ... "), ...). Every method costs heap whether it is called
    or not; the rarely used ones live in separate modules and a class's __getattr__ calls
    this, so obj.name(...) calls module.name(obj, ...).
    """
    key = " " + name + " "
    for module, names in table:
        if key in names:
            fn = getattr(__import__("bc26." + module, None, None, (name,)), name)
            return lambda *args, **kw: fn(obj, *args, **kw)
    raise AttributeError(name)
