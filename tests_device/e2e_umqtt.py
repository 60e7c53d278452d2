# End to end: micropython-lib's umqtt.simple and umqtt.robust, unmodified, over the BC26
# through bc26.usocket, against a real MQTT broker. The host runner (tests_host/
# test_e2e_umqtt.py) watches with mosquitto_sub and answers with mosquitto_pub:
#
#   1. subscribe to <tag>/in/# (QoS 1), publish "<tag>/status subscribed"
#   2. the host publishes <tag>/in/q0 (QoS 0) and <tag>/in/q1 (QoS 1): both must arrive
#   3. COUNT publishes at QoS 0 and COUNT at QoS 1 to <tag>/out/...: timed, and the host counts
#      the bytes that crossed the UART for them (the MARK lines)
#   4. umqtt.robust: publish, get kicked off by a second client with the same ID, publish
#      again (robust reconnects on the OSError that follows)
import sys

from e2e_common import Timer, bring_up, check, marker, settings, unmodified

modem = bring_up()
import bc26.usocket  # noqa: E402

bc26.usocket.install(modem)
import umqtt.simple  # noqa: E402
from umqtt.robust import MQTTClient as RobustClient  # noqa: E402
from umqtt.simple import MQTTClient  # noqa: E402

unmodified(umqtt.simple)

tag = settings.TAG
host, port = settings.MQTT
got = []


def on_message(topic, msg):
    got.append((topic, msg))


c = MQTTClient(tag + "-simple", host, port, keepalive=60)
c.set_callback(on_message)
t = Timer()
c.connect()
print("connect %d ms" % t.ms())
c.subscribe(tag + "/in/#", 1)
c.publish(tag + "/status", "subscribed")

t = Timer()
while len(got) < 2 and t.ms() < 15000:
    c.check_msg()
    modem.engine.idle(20)
print("received", got)
check(
    sorted(got) == [(tag.encode() + b"/in/q0", b"zero \x00\r\nOK\r\n"), (tag.encode() + b"/in/q1", b"one")],
    got,
)

# Binary payload both ways: CR LF, OK, NUL, Ctrl+Z must pass untouched.
c.publish(tag + "/out/binary", b'\x00\r\nOK\r\n\x1a\x1b+QIURC: "closed",0\r\n')

n = settings.COUNT
marker(modem, "q0-start")
marker(modem, "q0-go")
t = Timer()
for i in range(n):
    c.publish(tag + "/out/q0", b"reading %d" % i)
q0 = t.ms()
marker(modem, "q0-end")
t = Timer()
for i in range(n):
    c.publish(tag + "/out/q1", b"reading %d" % i, qos=1)
q1 = t.ms()
marker(modem, "q1-end")
print("PUBLISH qos0 %.2f ms qos1 %.2f ms (%d each)" % (q0 / n, q1 / n, n))
c.disconnect()

# umqtt.robust: the broker drops a session when another client connects with its ID.
r = RobustClient(tag + "-robust", host, port)
r.DELAY = 0
r.DEBUG = True
r.connect()
r.publish(tag + "/out/robust", "before", qos=1)
kicker = MQTTClient(tag + "-robust", host, port)
kicker.connect()
r.publish(tag + "/out/robust", "after", qos=1)  # robust reconnects and sends it
kicker.sock.close()
r.disconnect()
open_ids = [i for i in range(5) if modem.sockets.table[i] is not None]
print("sockets left open:", open_ids)
check(not open_ids, "sockets left open")
print("E2E UMQTT OK")
sys.exit(0)
