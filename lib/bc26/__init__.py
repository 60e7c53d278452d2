"""bc26: drive a Quectel BC26/BC20 NB-IoT module over a UART, lean on RAM.

import bc26
modem = bc26.Modem(machine.UART(1, 115200, tx=17, rx=16, rxbuf=1024))
print(modem.at("AT+CSQ"))
"""

# (The `as` form says re-exported: bc26 keeps no __all__, whose strings every import would keep.)
from .errors import BC26Error as BC26Error
from .errors import BC26Timeout as BC26Timeout
from .modem import Modem as Modem
from .sockets import BUFFER as BUFFER
from .sockets import PUSH as PUSH
from .sockets import Socket as Socket


def __getattr__(name):
    # Loaded on first use, so a program that never needs them does not keep their code:
    # SendFailed and DataLost (bc26.dataerrors); error_name(code), the manual's name of an
    # error code (bc26.errnames); parse_time(text), the (year, month, day, hour, minute,
    # second, zone) of a module time string, and utc_seconds(t, epoch=2000, local=False),
    # the seconds since 2000 (or 1970) of such a tuple (bc26.services). One table, in one
    # string (as _compat.lazy's): a name written here would be interned by every import.
    # (The stubs list these names; `from bc26 import *` gives the classes and constants.)
    t = "|dataerrors SendFailed DataLost |errnames error_name |services parse_time utc_seconds "
    i = t.find(" " + name + " ")
    if i < 0:
        # A submodule: MicroPython's `from bc26 import aio` asks here first and, given an
        # AttributeError, would not go on to import it.
        m = name
    else:
        i = t.rfind("|", 0, i) + 1
        m = t[i : t.find(" ", i)]
    try:
        mod = __import__("bc26." + m, None, None, (name,))
    except ImportError:
        raise AttributeError(name) from None
    return mod if m == name else getattr(mod, name)


__version__ = "0.1.0"
