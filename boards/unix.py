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
    s.connect(socket.getaddrinfo(host, port)[0][-1])
    s.setblocking(False)
    return s
