# bc26.aio in the unix port: coroutines sharing the module, asyncio streams over
# bc26.usocket, and examples/publish_periodically.py against a real mosquitto on 127.0.0.1.
# Runs tests_device/e2e_asyncio.py.
import json
import os

from e2e_util import HttpServer, Mosquitto, Subscriber, run_device, write_settings

from mp import ROOT, emulator_on_tcp
from tools.localservers import TcpEchoServer, UdpEchoServer

TOPIC = "bc26e2e/aio"
COUNT = 5


def test_asyncio_layer_streams_and_the_example(tmp_path):
    tcp = TcpEchoServer()
    udp = UdpEchoServer()
    web = HttpServer()
    try:
        with Mosquitto(tmp_path) as broker:
            sub = Subscriber(broker.port, TOPIC)
            try:
                hosts = {"echo.bc26.test": "127.0.0.1", "broker.bc26.test": "127.0.0.1"}
                with emulator_on_tcp(hosts=hosts) as (emu, port):
                    write_settings(
                        tmp_path,
                        ECHO=("echo.bc26.test", tcp.port),
                        UDP=("127.0.0.1", udp.port),
                        HTTP=("127.0.0.1", web.port),
                        MQTT=("broker.bc26.test", broker.port),
                        NAME=("echo.bc26.test", "127.0.0.1"),
                        PING="127.0.0.1",
                        TOPIC=TOPIC,
                        COUNT=COUNT,
                    )
                    out = run_device(
                        "e2e_asyncio.py", port, tmp_path, extra=(os.path.join(ROOT, "examples"),)
                    )
                sub.wait_for(lambda ms: len(ms) >= COUNT, 5)
                msgs = sub.messages()
            finally:
                sub.close()
    finally:
        for server in (tcp, udp, web):
            server.close()
    assert "E2E ASYNCIO OK" in out
    readings = [json.loads(p) for t, _, p in msgs if t == TOPIC]
    assert [r["n"] for r in readings] == list(range(COUNT))
    assert all(20 <= r["t"] <= 25 for r in readings)
