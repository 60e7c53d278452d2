"""bc26: drive a Quectel BC26/BC20 NB-IoT module over a UART, lean on RAM.

import bc26
modem = bc26.Modem(machine.UART(1, 115200, tx=17, rx=16, rxbuf=1024))
print(modem.at("AT+CSQ"))
"""

from .errors import BC26Error, BC26Timeout, DataLost, SendFailed, error_name
from .modem import Modem
from .sockets import BUFFER, PUSH, Socket


def parse_time(text):
    """(year, month, day, hour, minute, second, zone) from a module time string ("yy/MM/dd,hh:mm:ss+zz")."""
    from .services import parse_time

    return parse_time(text)


def utc_seconds(t, epoch=2000, local=False):
    """Seconds since 2000-01-01 UTC (or 1970) of a parse_time()/Modem.ntp() tuple."""
    from .services import utc_seconds

    return utc_seconds(t, epoch, local)


__version__ = "0.1.0"
__all__ = (
    "Modem",
    "Socket",
    "BUFFER",
    "PUSH",
    "BC26Error",
    "BC26Timeout",
    "DataLost",
    "SendFailed",
    "error_name",
    "parse_time",
    "utc_seconds",
)
