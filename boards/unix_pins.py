# The unix port's stand-in for the module's PWRKEY, RESET and PSM_EINT wiring (see unix.py): each
# pin is a line to the test's pin bridge, which moves the emulated module's pin.
import os
import socket

PIN_ENV = "BC26_PIN_PORT"


class EmuPin:
    """A GPIO wired to the emulated module's pin through the usual NPN stage (high pulls it low).

    Each change goes to the test's pin bridge on $BC26_PIN_PORT as b"NAME LEVEL\\n", LEVEL being
    the module-side level, and waits for the bridge's b"\\n": the pin has moved before the next
    byte reaches the UART.
    """

    def __init__(self, name, link):
        self.name = name
        self.link = link
        self.level = None

    def value(self, v=None):
        if v is None:
            return self.level
        self.level = v
        self.link.send(b"%s %d\n" % (self.name.encode(), 0 if v else 1))
        self.link.recv(1)


def pins():
    """(pwrkey, reset, psm_eint) through the pin bridge, or None each without $BC26_PIN_PORT."""
    port = int(os.getenv(PIN_ENV) or 0)
    if not port:
        return None, None, None
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(socket.getaddrinfo("127.0.0.1", port)[0][-1])
    return EmuPin("PWRKEY", s), EmuPin("RESET", s), EmuPin("PSM_EINT", s)
