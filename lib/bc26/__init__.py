"""bc26: drive a Quectel BC26/BC20 NB-IoT module over a UART, lean on RAM.

import bc26
modem = bc26.Modem(machine.UART(1, 115200, tx=17, rx=16, rxbuf=1024))
print(modem.at("AT+CSQ"))
"""

from .errors import BC26Error, BC26Timeout, DataLost, SendFailed, error_name
from .modem import Modem
from .sockets import BUFFER, PUSH, Socket, SocketInfo

__version__ = "0.1.0"
__all__ = (
    "Modem",
    "Socket",
    "SocketInfo",
    "BUFFER",
    "PUSH",
    "BC26Error",
    "BC26Timeout",
    "DataLost",
    "SendFailed",
    "error_name",
)
