"""bc26: drive a Quectel BC26/BC20 NB-IoT module over a UART, lean on RAM.

import bc26
modem = bc26.Modem(machine.UART(1, 115200, tx=17, rx=16, rxbuf=1024))
print(modem.at("AT+CSQ"))
"""

from .errors import BC26Error, BC26Timeout
from .modem import Modem
from .sockets import BUFFER, PUSH, Socket


def __getattr__(name):
    # Loaded on first use, so a program that never needs them does not keep their code:
    # SendFailed and DataLost (bc26.dataerrors); error_name(code), the manual's name of an
    # error code (bc26.errnames); parse_time(text), the (year, month, day, hour, minute,
    # second, zone) of a module time string, and utc_seconds(t, epoch=2000, local=False),
    # the seconds since 2000 (or 1970) of such a tuple (bc26.services).
    if name == "SendFailed" or name == "DataLost":
        m = "dataerrors"
    elif name == "error_name":
        m = "errnames"
    elif name == "parse_time" or name == "utc_seconds":
        m = "services"
    else:
        # A submodule: MicroPython's `from bc26 import aio` asks here first and, given an
        # AttributeError, would not go on to import it.
        m = name
    try:
        mod = __import__("bc26." + m, None, None, (name,))
    except ImportError:
        raise AttributeError(name) from None
    return mod if m == name else getattr(mod, name)


__version__ = "0.1.0"
__all__ = (
    "Modem",
    "Socket",
    "BUFFER",
    "PUSH",
    "BC26Error",
    "BC26Timeout",
    # Given by __getattr__ below, on first use:
    "DataLost",  # pyright: ignore[reportUnsupportedDunderAll]
    "SendFailed",  # pyright: ignore[reportUnsupportedDunderAll]
    "error_name",  # pyright: ignore[reportUnsupportedDunderAll]
    "parse_time",  # pyright: ignore[reportUnsupportedDunderAll]
    "utc_seconds",  # pyright: ignore[reportUnsupportedDunderAll]
)
