import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for p in (os.path.join(ROOT, "lib"), HERE, ROOT):
    if p not in sys.path:
        sys.path.insert(0, p)


@pytest.fixture
def rig():
    """(emulator, modem, TCP echo server): a modem brought up on a fresh in-process emulator."""
    import bc26
    from tools.bc26emu.emulator import Emulator
    from tools.servers import TcpEchoServer

    echo = TcpEchoServer()
    emu = Emulator(reg_delay=0)
    m = bc26.Modem(emu.uart())
    m.start()
    m.wait_network(5000)
    yield emu, m, echo
    emu.close()
    echo.close()
