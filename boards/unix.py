# The MicroPython unix port has no machine.UART: its stand-in is a non-blocking TCP socket to
# the BC26 emulator (python -m tools.bc26emu). The engine reads it like a UART without any():
# readinto() returns None when nothing is waiting, and select.poll waits on it natively.
import os
import socket

PORT_ENV = "BC26_EMU_PORT"


def uart(host="127.0.0.1", port=None):
    """A socket to the emulator on host:port (default: the port in $BC26_EMU_PORT)."""
    if port is None:
        port = int(os.getenv(PORT_ENV) or 0)
        if not port:
            raise OSError("set %s to the emulator's TCP port" % PORT_ENV)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A command and its payload are two small writes; Nagle would hold the second until the
    # first is acknowledged, 40 ms on Linux, which a UART never does.
    s.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY
    s.connect(socket.getaddrinfo(host, port)[0][-1])
    s.setblocking(False)
    return s


# --- the module's pins, for power tests and the deep-sleep example ---------------------------

NAME = "MicroPython unix port + BC26 emulator"
PIN_ENV = "BC26_PIN_PORT"
ACTIVE = 1


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
