import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for p in (os.path.join(ROOT, "lib"), HERE, ROOT):
    if p not in sys.path:
        sys.path.insert(0, p)

# The emulator's fixtures for every test module: make_emu, make_session, ready_session, servers.
pytest_plugins = ["tools.bc26emu.pytest_plugin"]


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
