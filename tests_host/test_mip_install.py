# Installing as users install: the repository served over HTTP on 127.0.0.1 (http.server in a
# thread, tools/servers/files.py), the unix port's own `micropython -m mip install` fetching
# package.json (the .py files) or mpy/package.json (the compiled ones) into an empty directory,
# and the result, alone on the path with the board files, driving the emulator (a UDP echo).
import os
import subprocess

import pytest

from mp import ROOT, emulator_on_tcp, micropython
from tools.packaging.mip_figures import mip_install
from tools.servers import UdpEchoServer, serve_folder


@pytest.fixture(scope="module")
def repo_url():
    with serve_folder(ROOT) as url:
        yield url


SMOKE = """
import bc26, board
print("bc26", bc26.__version__, "from", bc26.__file__)
modem = board.make_modem("unix")
for old in modem.start():
    old.close()
modem.wait_network(10000)
s = modem.open("UDP", "127.0.0.1", %d)
s.send(b"installed by mip")
print("reply", s.recv(64, 10000))
s.close()
"""


def smoke(target, echo_port):
    with emulator_on_tcp(reg_delay=0) as (emu, port):
        env = dict(os.environ)
        # The installed tree first; boards/ only for the unix port's UART stand-in (unix.py).
        env["MICROPYPATH"] = ".frozen:%s:%s" % (target, os.path.join(ROOT, "boards"))
        env["BC26_EMU_PORT"] = str(port)
        proc = subprocess.run(
            [micropython(), "-c", SMOKE % echo_port],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=str(target.parent),
        )
        cmds = emu.commands
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "reply b'installed by mip'" in out, out
    assert any(c.startswith("AT+QIOPEN") for c in cmds) and any(c.startswith("AT+QISEND") for c in cmds)
    return out


@pytest.mark.parametrize("package,ext", [("package.json", ".py"), ("mpy/package.json", ".mpy")])
def test_mip_installs_the_package_from_a_local_server_and_it_runs(repo_url, tmp_path, package, ext):
    target = tmp_path / "lib"
    target.mkdir()
    mip_install("%s/%s" % (repo_url, package), str(target))
    mip_install("%s/boards/package.json" % repo_url, str(target))
    installed = sorted(os.listdir(target / "bc26"))
    expected = sorted(
        n[:-3] + ext for n in os.listdir(os.path.join(ROOT, "lib", "bc26")) if n.endswith(".py")
    )
    assert installed == expected, installed
    # What was installed is what the repository holds, byte for byte.
    src = os.path.join(ROOT, "lib" if ext == ".py" else "mpy", "bc26")
    for name in installed:
        with open(target / "bc26" / name, "rb") as f, open(os.path.join(src, name), "rb") as g:
            assert f.read() == g.read(), name
    assert (target / "board.py").exists() and not (target / "unix.py").exists()
    with UdpEchoServer() as echo:
        out = smoke(target, echo.port)
    assert "from %s" % (target / "bc26" / ("__init__" + ext)) in out, out
    assert len(echo.received) == 1
