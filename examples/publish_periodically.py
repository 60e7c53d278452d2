# Publish a sensor reading to an MQTT broker every PERIOD_MS with bc26.aio, while another
# coroutine checks the network with a ping now and then: both share one module, and the
# event loop stays free for the rest of the application (buttons, a display, ...).
#
# On a board: install the library and the boards (README), set BOARD (None: this port's
# default board, see boards/board.py), BROKER and TOPIC, then
#
#   mpremote run examples/publish_periodically.py
#
# In the unix port against the emulator:
#
#   python -m tools.bc26emu --tcp 0     # prints the port
#   BC26_EMU_PORT=<port> MICROPYPATH=lib:boards micropython examples/publish_periodically.py
#
# MQTT 3.1.1 at QoS 0 needs only two packets, built here in a few lines; each goes to the
# module in one AT+QISEND. (For QoS 1, subscriptions and reconnects, use umqtt through
# bc26.usocket.)
import asyncio
import time

from bc26.aio import AsyncModem

BOARD = None  # a module of boards/ by name, or None for this port's default
BROKER = ("test.mosquitto.org", 1883)
TOPIC = "bc26/example/readings"
PERIOD_MS = 10000
KEEPALIVE_S = 120  # longer than PERIOD_MS: each publish keeps the session alive


def read_sensor():
    # Stands in for a real sensor: a temperature that wanders between 20 and 25.
    return 20 + (time.ticks_ms() // 1000 % 50) / 10


def _packet(kind, body):
    # Fixed header: the type byte, then the remaining length in base-128 digits.
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


def mqtt_connect(client_id, keepalive=KEEPALIVE_S):
    body = _string("MQTT") + bytes((4, 2, keepalive >> 8, keepalive & 0xFF)) + _string(client_id)
    return _packet(0x10, body)  # protocol level 4, clean session


def mqtt_publish(topic, payload):
    return _packet(0x30, _string(topic) + payload)  # QoS 0, not retained


async def recv_exactly(sock, n, timeout_ms):
    # TCP is a stream: recv returns what has arrived so far, and a module on a 115200 baud UART
    # hands a reply over in pieces. Read until all n bytes are here, within one deadline.
    data = b""
    deadline = time.ticks_add(time.ticks_ms(), timeout_ms)
    while len(data) < n:
        left = time.ticks_diff(deadline, time.ticks_ms())
        if left <= 0:
            raise OSError("%d of %d bytes in %d ms" % (len(data), n, timeout_ms))
        part = await sock.recv(n - len(data), timeout=left)
        if not part:
            raise OSError("the broker closed the connection")
        data += part
    return data


async def publisher(am, broker, topic, period_ms, count, client_id):
    sock = await am.open("TCP", broker[0], broker[1])  # the module resolves a name itself
    try:
        await sock.send(mqtt_connect(client_id))
        ack = await recv_exactly(sock, 4, 10000)
        if ack[0] != 0x20 or ack[3] != 0:
            raise OSError("broker refused: %r" % ack)
        n = 0
        while count is None or n < count:
            t = time.ticks_ms()
            payload = b'{"n": %d, "t": %.1f}' % (n, read_sensor())
            await sock.send(mqtt_publish(topic, payload))
            print("published", payload, "in", time.ticks_diff(time.ticks_ms(), t), "ms")
            n += 1
            if count is None or n < count:
                await asyncio.sleep_ms(period_ms)
        await sock.send(b"\xe0\x00")  # DISCONNECT
    finally:
        await sock.close()
    return n


async def watch_network(am, host, period_ms):
    while True:
        try:
            replies, summary = await am.ping(host, count=1)
            print("ping", host, summary[4], "ms")
        except OSError as e:
            print("ping failed:", e)
        await asyncio.sleep_ms(period_ms)


async def main(am, broker=BROKER, topic=TOPIC, period_ms=PERIOD_MS, count=None, client_id="bc26-example"):
    """Publish count readings (None: for ever); returns how many went out."""
    am.start()
    watcher = asyncio.create_task(watch_network(am, broker[0], 6 * period_ms))
    try:
        return await publisher(am, broker, topic, period_ms, count, client_id)
    finally:
        watcher.cancel()


if __name__ == "__main__":
    from board import make_modem

    modem = make_modem(BOARD)
    modem.power_on()
    for old in modem.start():
        old.close()  # sockets left over from an earlier run
    print("network up:", modem.wait_network(300000))
    asyncio.run(main(AsyncModem(modem)))
