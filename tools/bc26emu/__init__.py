"""bc26emu: a Quectel BC26/BC20 NB-IoT module emulated on the host, backed by real sockets.

    from tools.bc26emu import Emulator
    with Emulator(reg_delay=0.1) as emu:
        uart = emu.uart()              # machine.UART-like: any/read/readinto/write
        uart.write(b"AT\\r")
        ...
        emu.commands                   # every command line the module received

Module map: knobs (settings), atparse (command lines), modem (input, dispatch, URCs, reboot),
general / tcpip / services_at (command handlers), sockets (connectIDs, receive nodes),
netio / netservices (host sockets, DNS, NTP, ICMP), reactor (the I/O thread), output
(transcript, pacing, output faults), transports (UART object, TCP, pty), emulator (the facade),
testing and pytest_plugin (a scripted terminal and fixtures for tests).
"""

from .emulator import Emulator
from .knobs import Knobs
from .transports import EmulatedUART, PtyUart, TcpUartServer

__all__ = ["Emulator", "Knobs", "EmulatedUART", "TcpUartServer", "PtyUart"]
