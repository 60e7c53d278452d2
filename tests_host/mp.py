# Running the library in the real MicroPython unix port from pytest.
#
# run_micropython() runs a script with lib/, boards/ and tests_device/ on MicroPython's path;
# emulator_on_tcp() starts the BC26 emulator behind a TCP port on 127.0.0.1, which the
# unix-port UART stand-in (boards/unix.py) connects to through $BC26_EMU_PORT.
import contextlib
import os
import subprocess

import pytest

from tools.venvbin import venv_tool

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def micropython():
    """The unix port's binary; a missing one fails the test (the test command installs it)."""
    try:
        return venv_tool("micropython", "run the README test command (it installs it)")
    except SystemExit as err:
        pytest.fail(str(err))


def mp_path(*extra, before=()):
    # before: folders searched ahead of the unix port's frozen modules (a newer requests).
    dirs = list(before) + [
        ".frozen",
        os.path.join(ROOT, "lib"),
        os.path.join(ROOT, "boards"),
        os.path.join(ROOT, "tests_device"),
    ]
    return ":".join(dirs + [os.path.join(ROOT, d) for d in extra] + [HERE])


def run_micropython(args, heapsize="256k", timeout=300, env=None, path=(), before=()):
    """Run micropython with args from the repo root; returns the CompletedProcess."""
    full = dict(os.environ)
    full["MICROPYPATH"] = mp_path(*path, before=before)
    if env:
        full.update(env)
    return subprocess.run(
        [micropython(), "-X", "heapsize=" + heapsize] + list(args),
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def emulator_on_tcp(**knobs):
    """An emulator (tools.bc26emu) behind a TCP port on 127.0.0.1: yields (emu, port)."""
    from tools.bc26emu.emulator import Emulator

    emu = Emulator(**knobs)
    try:
        server = emu.serve_tcp("127.0.0.1", 0)
        yield emu, server.port
    finally:
        emu.close()
