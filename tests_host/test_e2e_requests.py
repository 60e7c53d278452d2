# micropython-lib's requests 1.1.1 (../shared/clients, unmodified) over bc26.usocket and
# the emulator, against tools/servers/web.py on 127.0.0.1. Runs tests_device/e2e_requests.py.
import json

import pytest
from e2e_util import run_device, write_settings

from mp import emulator_on_tcp
from tools.servers import WebServer, pattern


@pytest.mark.parametrize("coalesce", [0, 512])
def test_requests_get_and_post_against_a_local_http_server(tmp_path, coalesce):
    with WebServer() as web:
        with emulator_on_tcp(hosts={"web.bc26.test": "127.0.0.1"}) as (emu, port):
            write_settings(tmp_path, HTTP="http://web.bc26.test:%d" % web.port, COALESCE=coalesce)
            out = run_device("e2e_requests.py", port, tmp_path)
            commands = emu.commands
        posted = list(web.posted)
    assert "E2E REQUESTS OK" in out
    assert posted[0] == pattern(4096)
    assert json.loads(posted[1]) == {"t": 21.5, "unit": "C"}
    # The name went through the module's DNS, and data through AT+QIRD in buffer mode.
    assert any(c.startswith('AT+QIDNSGIP=1,"web.bc26.test"') for c in commands)
    assert any(c.startswith("AT+QIRD=") for c in commands)
    sends = sum(c.startswith("AT+QISEND=") for c in commands)
    print("coalesce %d: %d AT+QISEND for 6 requests" % (coalesce, sends))
    if coalesce:
        assert sends <= 6 + 4 * 2  # the head in one; a 4 KB body in 1460-byte pieces
