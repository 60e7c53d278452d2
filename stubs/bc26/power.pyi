from typing import Any

class Pins:
    pwrkey: Any
    reset: Any
    psm_eint: Any
    active: int
    def __init__(
        self, pwrkey: Any = None, reset: Any = None, psm_eint: Any = None, active: int = 1
    ) -> None: ...
    def pulse(self, pin: Any, ms: int) -> None: ...
