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
ACTIVE = 1


def pins():
    """(pwrkey, reset, psm_eint) through the pin bridge, or None each without $BC26_PIN_PORT."""
    # The bridge lives in unix_pins.py, so a program that never moves a pin does not load it
    # (a board file is this small too: the soak's 64 KB heap counts every byte).
    from unix_pins import pins

    return pins()
