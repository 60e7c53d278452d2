# Type stubs of bc26's public API, for pyright and editors (tools/checks/typecheck.sh checks the
# examples against them). They are not installed on boards: package.json, mpy/ and
# manifest.py list lib/ only. The methods that load their module on first use (Modem.ping,
# Socket.send_fixed, ...) are declared as methods here, with the module they live in.
from .errors import BC26Error as BC26Error
from .errors import BC26Timeout as BC26Timeout
from .errors import DataLost as DataLost
from .errors import SendFailed as SendFailed
from .errors import error_name as error_name
from .modem import Modem as Modem
from .sockets import BUFFER as BUFFER
from .sockets import PUSH as PUSH
from .sockets import Socket as Socket

__version__: str

def parse_time(text: str) -> tuple[int, int, int, int, int, int, int]: ...
def utc_seconds(t: tuple[int, ...], epoch: int = 2000, local: bool = False) -> int: ...
