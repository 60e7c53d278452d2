# bc26.aio in the unix port: coroutines sharing the module, asyncio streams over
# bc26.usocket, and MQTT over aio sockets against a real mosquitto on 127.0.0.1
# (tests_device/e2e_asyncio.py); and examples/publish_periodically.py run unchanged.
import json
import os

from e2e_util import MPLIB, broker_side, run_device, write_settings

from mp import ROOT, emulator_on_tcp
from tools.servers import TcpEchoServer, UdpEchoServer, WebServer

TOPIC = "bc26e2e/aio"
COUNT = 5


def test_asyncio_layer_streams_and_the_example(tmp_path):
    with (
        TcpEchoServer() as tcp,
        UdpEchoServer() as udp,
        WebServer() as web,
        broker_side(TOPIC) as (broker, sub),
    ):
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
            out = run_device("e2e_asyncio.py", port, tmp_path)
        sub.wait_for(lambda ms: len(ms) >= COUNT, 5)
        msgs = sub.messages()
    assert "E2E ASYNCIO OK" in out
    readings = [json.loads(p) for t, _, p in msgs if t == TOPIC]
    assert [r["n"] for r in readings] == list(range(COUNT))
    assert all(20 <= r["t"] <= 25 for r in readings)


def test_the_example_as_a_user_runs_it(tmp_path):
    # Unchanged, with its default broker: the emulator resolves test.mosquitto.org to
    # 127.0.0.1 and dials the local broker instead of port 1883. It publishes for ever, so
    # the test stops it after the first reading. umqtt.simple is micropython-lib's, unmodified.
    import subprocess
    import time

    from mp import micropython, mp_path

    with broker_side("bc26/example/readings") as (broker, sub):
        knobs = {
            "hosts": {"test.mosquitto.org": "127.0.0.1"},
            "redirect": {"127.0.0.1:1883": "127.0.0.1:%d" % broker.port},
        }
        with emulator_on_tcp(**knobs) as (emu, port):
            env = dict(os.environ, MICROPYPATH=mp_path(MPLIB), BC26_EMU_PORT=str(port))
            proc = subprocess.Popen(
                [micropython(), os.path.join(ROOT, "examples", "publish_periodically.py")],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            try:
                got = sub.wait_for(lambda ms: len(ms) >= 1, 20)
                time.sleep(0.1)
            finally:
                proc.terminate()
                out = proc.communicate(timeout=10)[0]
        msgs = sub.messages()
    print(out)
    assert got, out
    reading = json.loads(msgs[0][2])
    assert reading["n"] == 0 and 20 <= reading["t"] <= 25
    assert "published" in out
