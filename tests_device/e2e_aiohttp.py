# End to end: micropython-lib's aiohttp 0.0.8 (../shared/clients), unmodified, over the BC26
# through bc26.usocket and asyncio streams, against tools/servers/web.py on 127.0.0.1 (started
# by tests_host/test_e2e_aiohttp.py): GET (JSON and 3000 bytes of every byte value), POST,
# and a WebSocket echo of text, binary and a ping.
import sys

from e2e_common import Timer, bring_up, check, settings, unmodified

import bc26.usocket  # noqa: E402

modem = bring_up()
bc26.usocket.install(modem)
import asyncio  # noqa: E402

import aiohttp  # noqa: E402

unmodified(aiohttp)
base = settings.WEB


def pattern(n):
    # The same bytes as tools/servers/web.pattern().
    b = bytes(range(256)) + b'\r\nOK\r\n+QIURC: "recv",0,5\r\n'
    return (b * (n // len(b) + 1))[:n]


def open_ids():
    return [i for i in range(5) if modem.sockets.table[i] is not None]


async def main():
    async with aiohttp.ClientSession() as session:
        t = Timer()
        async with session.get(base + "/json") as resp:
            check(resp.status == 200, resp.status)
            check((await resp.json())["ok"] is True, "json")
        print("aiohttp GET json %d ms" % t.ms())
        async with session.get(base + "/bytes/3000") as resp:
            body = await resp.read(3000)
            check(body == pattern(3000), "GET body differs (%d bytes)" % len(body))
        async with session.post(base + "/echo", data=pattern(1500)) as resp:
            check(await resp.read(1500) == pattern(1500), "POST echo differs")
        async with session.get(base + "/missing") as resp:
            check(resp.status == 404, resp.status)
    check(not open_ids(), "sockets left open after HTTP: %r" % open_ids())

    ws_url = base.replace("http://", "ws://") + "/ws"
    async with aiohttp.ClientSession() as session:
        t = Timer()
        async with session.ws_connect(ws_url) as ws:
            print("WebSocket open %d ms" % t.ms())
            await ws.send_str("hello over NB-IoT")
            check(await ws.receive_str() == "hello over NB-IoT", "text echo")
            blob = pattern(1000)
            t = Timer()
            await ws.send_bytes(blob)
            check(await ws.receive_bytes() == blob, "binary echo")
            print("WebSocket 1000-byte echo %d ms" % t.ms())
            await ws.send_json({"t": 21.5})
            check(await ws.receive_json() == {"t": 21.5}, "json echo")
            await ws.close()
    print("E2E AIOHTTP OK")


asyncio.run(main())
sys.exit(0)
