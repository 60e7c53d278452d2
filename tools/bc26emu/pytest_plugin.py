"""pytest fixtures for emulator tests: `pytest_plugins = ["tools.bc26emu.pytest_plugin"]` in a conftest.py."""

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
def ready_session(make_session):
    """ready_session(**knobs) -> make_session(**knobs) after Session.ready(): registered, echo
    off, and nothing left unread."""

    def make(**knobs):
        session = make_session(**knobs)
        session.ready()
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
