# What MicroPython has and CPython lacks, so the same library code runs under both.
# On a board every name here comes from MicroPython itself; the fallbacks live in _host.py,
# which only CPython imports, so a board never loads their code into RAM.
try:
    from micropython import const
except ImportError:
    from ._host import const  # noqa: F401 (for the other modules)
try:
    from time import sleep_ms, ticks_add, ticks_diff, ticks_ms
except ImportError:
    from ._host import sleep_ms, ticks_add, ticks_diff, ticks_ms  # noqa: F401 (likewise)


def lazy(obj, name, table, keep=False):
    """obj.name, for a method that lives in a module loaded on first use.

    table: "|module name name ... |module name ... " (one str: one object on the heap, where
    a tuple per module costs several). Every method costs heap whether it is called or not;
    the rarely used ones live in separate modules, as functions whose first parameter is
    the object, and a class's __getattr__ calls this. keep=True makes the function a method
    of the class, so later calls are plain method calls that allocate nothing (the engine's
    and the socket table's rare paths, which may run once per line); otherwise each access
    makes a small closure, which is garbage after the call: a class dictionary that grew
    with every method a program ever used would hold more, and its growth needs one block
    in one piece (Modem's many methods, a user's Socket).
    """
    i = table.find(" " + name + " ")
    if i < 0:
        raise AttributeError(name)
    j = table.rfind("|", 0, i) + 1
    module = table[j : table.find(" ", j)]
    fn = getattr(__import__("bc26." + module, None, None, (name,)), name)
    if keep:
        setattr(type(obj), name, fn)
        return getattr(obj, name)
    return lambda *args, **kw: fn(obj, *args, **kw)
