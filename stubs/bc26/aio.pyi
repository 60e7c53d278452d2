from typing import Any, Generator

from .modem import Modem
from .sockets import Socket, Sockets

TAKE_READ: int
TAKE_SYNC: int
TAKE_RELEASE: int

class _Started:
    task: Any
    def __await__(self) -> Generator[Any, None, None]: ...

class AsyncModem:
    modem: Modem
    e: Any
    sockets: Sockets
    lock: Any
    tick_ms: int
    error: BaseException | None
    def __init__(self, modem: Modem, tick_ms: int = 5) -> None: ...
    def start(self) -> _Started: ...
    def stop(self) -> None: ...
    async def run(self, steps: Generator[None, None, Any]) -> Any: ...
    async def command(
        self,
        *parts: bytes | str | int,
        expect: tuple[bytes, ...] | None = None,
        on_line: Any = None,
        timeout: int = 1000,
        trailer: int = 0,
        tcpip: bool = False,
    ) -> list[bytes] | None: ...
    async def open(
        self,
        kind: str | bytes,
        host: str | bytes,
        port: int,
        local_port: int = 0,
        mode: int = 0,
        ipv6: bool = False,
        connect_id: int | None = None,
        timeout: int | None = None,
        rxsize: int | bytearray = 1024,
    ) -> AsyncSocket: ...
    async def resolve(self, host: str, timeout: int = 60000) -> tuple[list[str], int]: ...
    async def ping(
        self, host: str, timeout: int = 4, count: int = 4, size: int = 32
    ) -> tuple[list[Any], tuple[int, ...]]: ...

class AsyncSocket:
    am: AsyncModem
    sock: Socket
    def __init__(self, am: AsyncModem, sock: Socket) -> None: ...
    async def send(self, data: bytes | bytearray | memoryview | str) -> int: ...
    async def sendall(self, data: bytes | bytearray | memoryview | str) -> int: ...
    async def recv_into(
        self, buf: bytearray | memoryview, nbytes: int = 0, timeout: int | None = -1
    ) -> int | None: ...
    async def recv(self, n: int, timeout: int | None = -1) -> bytes | None: ...
    async def close(self) -> None: ...
    async def __aenter__(self) -> AsyncSocket: ...
    async def __aexit__(self, *exc: object) -> None: ...
