class Registration:
    n: int | None
    stat: int
    tac: str | None
    ci: str | None
    act: int | None
    cause_type: int | None
    reject_cause: int | None
    active_time: str | None
    periodic_tau: str | None
    def __init__(self, line: bytes | bytearray, read: bool) -> None: ...
    @property
    def registered(self) -> bool: ...
    @property
    def stat_name(self) -> str: ...
