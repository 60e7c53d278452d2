# aiohttp 0.0.8 and ntptime 0.2.0 (micropython-lib, ../shared/clients, unmodified) in the
# MicroPython unix port over bc26.usocket and the emulator: HTTP and a WebSocket echo against
# tools/servers/web.py, NTP against tools.servers.NtpServer. Runs tests_device/e2e_aiohttp.py
# and tests_device/e2e_ntptime.py.
from e2e_util import run_device, write_settings

from mp import emulator_on_tcp
from tools.servers import NtpServer, WebServer


def test_aiohttp_get_post_and_websocket_echo(tmp_path):
    with WebServer() as web:
        with emulator_on_tcp(hosts={"web.bc26.test": "127.0.0.1"}) as (emu, port):
            write_settings(tmp_path, WEB="http://web.bc26.test:%d" % web.port)
            out = run_device("e2e_aiohttp.py", port, tmp_path)
            commands = emu.commands
        assert web.upgrades == 1 and web.messages == 3
    assert "E2E AIOHTTP OK" in out
    assert any(c.startswith('AT+QIDNSGIP=1,"web.bc26.test"') for c in commands)


def test_ntptime_over_the_module(tmp_path):
    offset = 3600
    with NtpServer(offset=offset) as ntp:
        # ntptime always asks port 123: the emulator dials the local server's port instead.
        knobs = {
            "hosts": {"ntp.bc26.test": "127.0.0.1"},
            "redirect": {"127.0.0.1:123": "127.0.0.1:%d" % ntp.port},
        }
        with emulator_on_tcp(**knobs) as (emu, port):
            write_settings(tmp_path, NTP_HOST="ntp.bc26.test", OFFSET=offset)
            out = run_device("e2e_ntptime.py", port, tmp_path)
            commands = emu.commands
        assert ntp.requests == 1
    assert "E2E NTPTIME OK" in out
    assert any(c.startswith('AT+QIOPEN=1,0,"UDP","127.0.0.1",123,') for c in commands), commands
