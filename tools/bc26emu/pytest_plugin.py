"""pytest fixtures for emulator tests: add `pytest_plugins = ["tools.bc26emu.pytest_plugin"]`."""

import pytest

from .emulator import Emulator
from .testing import Session


@pytest.fixture
def make_emu():
    made = []

    def make(**knobs):
        emu = Emulator(**knobs)
        made.append(emu)
        return emu

    yield make
    for emu in made:
        emu.close()


@pytest.fixture
def make_session(make_emu):
    """make_session(**knobs) -> Session on a fresh emulator's in-process UART; .emu is the emulator."""

    def make(**knobs):
        emu = make_emu(**knobs)
        session = Session.over_uart(emu.uart())
        session.emu = emu
        return session

    return make


@pytest.fixture
def servers():
    """Start local servers by class (servers(TcpEchoServer)); all are stopped after the test."""
    started = []

    def start(cls, *args, **kwargs):
        server = cls(*args, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()
