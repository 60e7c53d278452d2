# End to end: bc26.aio with many coroutines sharing one module, asyncio streams and
# select over bc26.usocket, and MQTT packets over aio sockets against a real broker. The
# host runner (tests_host/test_e2e_asyncio.py) starts TCP and UDP echo servers, an HTTP
# server and mosquitto on 127.0.0.1, and checks what mosquitto_sub saw.
import asyncio
import sys
import time

from e2e_common import Timer, bring_up, check, settings

import bc26  # noqa: E402
import bc26.usocket  # noqa: E402
from bc26.aio import AsyncModem  # noqa: E402

modem = bring_up()
am = AsyncModem(modem)
bc26.usocket.install(modem)
ECHO = settings.ECHO


def pattern(i, n):
    return bytes((i * 31 + k * 7) & 0xFF for k in range(n))


async def tcp_echo(i, mode, n=3000):
    # Push mode: the module sends data whether or not anyone reads, so the socket's
    # buffer must hold what can be in flight (all of it here: the send comes first).
    s = await am.open("TCP", ECHO[0], ECHO[1], mode=mode, rxsize=n + 512)
    data = pattern(i, n)
    await s.send(data)
    got = bytearray(n)
    mv = memoryview(got)
    k = 0
    while k < n:
        m = await s.recv_into(mv[k:], n - k, timeout=5000)
        check(m, "stream ended early")
        k += m
    await s.close()
    check(got == data, "echo %d differs" % i)
    return i


async def recv_exactly(s, n, timeout=5000):
    # TCP is a stream: a recv returns what has arrived, and at 115200 baud a reply comes in
    # pieces. One deadline for the whole reply.
    got = b""
    t = Timer()
    while len(got) < n:
        left = timeout - t.ms()
        check(left > 0, "%d of %d bytes in %d ms" % (len(got), n, timeout))
        part = await s.recv(n - len(got), timeout=left)
        if not part:
            break
        got += part
    return got


async def udp_echo():
    s = await am.open("UDP", settings.UDP[0], settings.UDP[1], mode=bc26.PUSH)
    for k in range(3):
        await s.send(b"datagram %d\r\nOK\r\n" % k)
    got = []
    for _ in range(3):  # MicroPython has no await inside comprehensions
        got.append(await s.recv(100, timeout=5000))
    await s.close()
    check(got == [b"datagram %d\r\nOK\r\n" % k for k in range(3)], got)
    return "udp"


async def recv_timeout():
    s = await am.open("TCP", ECHO[0], ECHO[1])
    t = Timer()
    try:
        await s.recv(10, timeout=300)
        raise AssertionError("no timeout")
    except bc26.BC26Timeout as e:
        check(e.errno == 110, e)
    check(250 <= t.ms() < 2000, t.ms())
    check(await s.recv(10, timeout=0) is None, "timeout=0")
    await s.send(b"QUIT\n")
    check(await recv_exactly(s, 5) == b"QUIT\n", "echo")
    check(await s.recv(10, timeout=5000) == b"", "end of stream")
    await s.close()
    return "timeout"


async def ticker(ms):
    # The loop stays free while the others wait for the module: count 1 ms sleeps.
    n = 0
    t = Timer()
    while t.ms() < ms:
        await asyncio.sleep_ms(1)
        n += 1
    return n


async def http_over_streams():
    # asyncio's own streams over bc26.usocket (select.poll on an io.IOBase stream).
    host, port = settings.HTTP
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"GET /bytes/2000 HTTP/1.0\r\nHost: %s\r\n\r\n" % host.encode())
    await writer.drain()
    status = await reader.readline()
    check(status.startswith(b"HTTP/1.0 200"), status)
    while (await reader.readline()) != b"\r\n":
        pass
    body = await reader.read(-1)
    await writer.wait_closed()
    check(len(body) == 2000, len(body))
    return "streams"


def _packet(kind, body):
    # MQTT 3.1.1 fixed header: the type byte, then the remaining length in base-128 digits.
    n = len(body)
    head = bytearray((kind,))
    while True:
        b = n & 0x7F
        n >>= 7
        head.append(b | 0x80 if n else b)
        if not n:
            return bytes(head) + body


def _string(s):
    if isinstance(s, str):
        s = s.encode()
    return bytes((len(s) >> 8, len(s) & 0xFF)) + s


def mqtt_connect(client_id, keepalive=120):
    body = _string("MQTT") + bytes((4, 2, keepalive >> 8, keepalive & 0xFF)) + _string(client_id)
    return _packet(0x10, body)  # protocol level 4, clean session


def mqtt_publish(topic, payload):
    return _packet(0x30, _string(topic) + payload)  # QoS 0, not retained


async def main():
    import gc

    gc.collect()
    print("heap free at start: %d" % gc.mem_free())
    am.start()
    t = Timer()
    tick = asyncio.create_task(ticker(400))
    results = await asyncio.gather(
        tcp_echo(1, bc26.BUFFER),
        tcp_echo(2, bc26.PUSH),
        tcp_echo(3, bc26.BUFFER, 5000),
        udp_echo(),
        recv_timeout(),
        am.resolve(settings.NAME[0]),
        am.ping(settings.PING, count=2),
    )
    print("together: %d ms" % t.ms())
    check(results[:5] == [1, 2, 3, "udp", "timeout"], results)
    check(results[5][0] == [settings.NAME[1]], results[5])
    check(results[6][1][2] == 2, results[6])
    ticks = await tick
    print("ticker: %d sleeps of 1 ms in 400 ms" % ticks)
    check(ticks > 100, "the loop was blocked")

    # asyncio streams through the adapter, with aio pings going on at the same time.
    t = Timer()
    stream = asyncio.create_task(http_over_streams())
    pings = asyncio.create_task(am.ping(settings.PING, count=1))
    check(await stream == "streams", "streams")
    await pings
    print("streams: %d ms" % t.ms())

    # MQTT at QoS 0 straight over aio sockets against mosquitto: COUNT readings, each
    # publish one AT+QISEND, while a ping runs beside them (examples/publish_periodically.py
    # does MQTT with umqtt.simple instead; tests_host/test_examples.py runs it).
    t = Timer()
    s = await am.open("TCP", settings.MQTT[0], settings.MQTT[1])
    await s.send(mqtt_connect("bc26-aio-e2e"))
    ack = await recv_exactly(s, 4)  # TCP: the four bytes may come in pieces
    check(ack[0] == 0x20 and ack[3] == 0, "CONNACK %r" % ack)
    pinging = asyncio.create_task(am.ping(settings.PING, count=1))
    for n in range(settings.COUNT):
        reading = 20 + (time.ticks_ms() // 1000 % 50) / 10
        await s.send(mqtt_publish(settings.TOPIC, b'{"n": %d, "t": %.1f}' % (n, reading)))
        await asyncio.sleep_ms(50)
    await pinging
    print("readings: %d publishes in %d ms" % (settings.COUNT, t.ms()))

    # Timed: QoS 0 publishes through aio, one AT+QISEND each.
    t = time.ticks_us()
    for k in range(20):
        await s.send(mqtt_publish(settings.TOPIC + "/timing", b"reading %d" % k))
    us = time.ticks_diff(time.ticks_us(), t)
    print("PUBLISH aio qos0 %.2f ms" % (us / 20000))
    await s.send(b"\xe0\x00")
    await s.close()
    am.stop()
    check(am.error is None, am.error)
    open_ids = [i for i in range(5) if modem.sockets.table[i] is not None]
    check(not open_ids, "sockets left open: %r" % open_ids)


asyncio.run(main())
print("E2E ASYNCIO OK")
sys.exit(0)
