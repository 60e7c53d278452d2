class SocketInfo:
    id: int
    service: str
    address: str
    remote_port: int
    local_port: int
    state: int
    context: int
    access_mode: int
    def __init__(
        self,
        id: int,
        service: str,
        address: str,
        remote_port: int,
        local_port: int,
        state: int,
        context: int,
        access_mode: int,
    ) -> None: ...
    @property
    def state_name(self) -> str: ...
