# Publish a sensor reading to an MQTT broker every PERIOD_MS with micropython-lib's umqtt.simple,
# unmodified, over the module: bc26.usocket.install() makes `socket` mean the module's sockets.
# The example also subscribes to its own topic, so each reading that comes back from the broker
# shows it went all the way.
#
# On a board: install the library and the boards (README) and umqtt.simple
# (`mpremote mip install umqtt.simple`), set BOARD (None: this port's default board, see
# boards/board.py), BROKER and TOPIC, then
#
#   mpremote run examples/publish_periodically.py
#
# In the unix port against the emulator and a local mosquitto (tools/demo/run_example.py starts
# them on 127.0.0.1, runs three readings and stops them; tests_host/test_examples.py does too):
#
#   make example NAME=publish_periodically
#
# umqtt.simple is blocking: publish() at QoS 1 waits for the broker's PUBACK. For an asyncio
# program, see bc26.aio in the README.
import time

from board import make_modem

import bc26.usocket

BOARD = None  # a module of boards/ by name, or None for this port's default
BROKER = ("test.mosquitto.org", 1883)
TOPIC = "bc26/example/readings"
PERIOD_MS = 10000
KEEPALIVE_S = 120  # longer than PERIOD_MS: each publish keeps the session alive
ECHO_MS = 10000  # how long to wait at the end for the last readings to come back


def read_sensor():
    # Stands in for a real sensor: a temperature that wanders between 20 and 25.
    return 20 + (time.ticks_ms() // 1000 % 50) / 10


def connect(board):
    modem = make_modem(board)
    modem.power_on()
    for old in modem.start():
        old.close()  # sockets left over from an earlier run
    print("network up:", modem.wait_network(300000))
    return modem


def main(board=BOARD, broker=BROKER, topic=TOPIC, period_ms=PERIOD_MS, count=None, client_id="bc26-example"):
    """Publish count readings (None: for ever); returns how many came back from the broker."""
    modem = connect(board)
    bc26.usocket.install(modem)  # before importing umqtt: its `import socket` gets bc26's
    from umqtt.simple import MQTTClient

    echoed = []
    client = MQTTClient(client_id, broker[0], broker[1], keepalive=KEEPALIVE_S)
    client.set_callback(lambda t, msg: echoed.append(msg))
    client.connect()
    print("connected to %s:%d" % broker)
    client.subscribe(topic, qos=1)
    n = 0
    while count is None or n < count:
        t = time.ticks_ms()
        payload = b'{"n": %d, "t": %.1f}' % (n, read_sensor())
        client.publish(topic, payload, qos=1)  # returns after the broker's PUBACK
        print("published", payload, "in", time.ticks_diff(time.ticks_ms(), t), "ms")
        n += 1
        if count is None or n < count:
            time.sleep_ms(period_ms)
    t = time.ticks_ms()
    while len(echoed) < n and time.ticks_diff(time.ticks_ms(), t) < ECHO_MS:
        if client.check_msg() is None:
            time.sleep_ms(50)
    for msg in echoed:
        print("came back", msg)
    client.disconnect()
    return len(echoed)


if __name__ == "__main__":
    main()
