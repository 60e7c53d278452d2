# End to end: Peter Hinch's mqtt_as 0.8.3, unmodified (../shared/clients/mqtt_as), over the
# BC26 through bc26.usocket, with bc26.netif standing in for the network module it asks for
# (network.WLAN(network.STA_IF)), against a real mosquitto. The host runner
# (tests_host/test_e2e_mqtt_as.py) takes the network away in the middle and gives it back:
#
#   1. connect, subscribe to <tag>/in at QoS 1, publish "<tag>/status subscribed"; the host
#      publishes "in 0"
#   2. publish COUNT readings at QoS 1 and a few at QoS 0, one every 200 ms; after the fifth
#      the host drops the network (sockets closed, pdpdeact, +CEREG: 2) and brings it back
#      3 s later
#   3. mqtt_as sees the interface go down, reconnects by itself and republishes what was not
#      acknowledged; once it has subscribed again ("<tag>/status resubscribed") the host
#      publishes "in 1"
#   4. a second client over MQTTS (mqtt_as's ssl=True, ssl_params verifying against the test
#      CA) publishes at QoS 1 and receives its own message back; a third, expecting another
#      name, is refused
#
# A clean session on each connect (mqtt_as's default): 0.8.3 refuses a CONNACK whose
# session-present flag is set ("CONNACK flags not 0"), so with clean=False it cannot
# reconnect to the session it left (seen here; a finding about mqtt_as, not bc26).
import sys

from e2e_common import Timer, bring_up, check, settings, unmodified

import bc26.netif  # noqa: E402
import bc26.usocket  # noqa: E402

modem = bring_up()
bc26.usocket.install(modem)
nic = bc26.netif.install(modem)


class _machine:
    # Stand-in for what the unix port's machine module lacks (mqtt_as takes the client ID
    # from machine.unique_id() at import); on a board the real one is there.
    @staticmethod
    def unique_id():
        return b"bc26-e2e"


if not hasattr(__import__("machine"), "unique_id"):
    sys.modules["machine"] = _machine

import asyncio  # noqa: E402

import mqtt_as  # noqa: E402
from mqtt_as import MQTTClient, config  # noqa: E402

unmodified(mqtt_as)
tag = settings.TAG
host, port = settings.MQTT
COUNT = settings.COUNT

config["server"] = host
config["port"] = port
config["queue_len"] = 10  # the event interface: client.queue, client.up, client.down
config["keepalive"] = 60
config["response_time"] = 5
MQTTClient.DEBUG = True
client = MQTTClient(config)
got = []
ups = downs = 0


async def receive():
    async for topic, msg, _retained in client.queue:
        print("RECEIVED", topic, msg)
        got.append(msg)


async def watch_up():
    global ups
    while True:
        await client.up.wait()
        client.up.clear()
        ups += 1
        print("UP", ups)
        if ups > 1:  # a clean session again: subscribe again
            await client.subscribe(tag + "/in", 1)
            await client.publish(tag + "/status", "resubscribed", qos=1)


async def watch_down():
    global downs
    while True:
        await client.down.wait()
        client.down.clear()
        downs += 1
        print("DOWN", downs, "nic:", nic.status(), nic.ipconfig("addr4"))


async def main():
    for coro in (receive(), watch_up(), watch_down()):
        asyncio.create_task(coro)
    t = Timer()
    await client.connect(quick=True)
    print("connected in %d ms" % t.ms())
    await client.subscribe(tag + "/in", 1)
    await client.publish(tag + "/status", "subscribed", qos=1)
    for i in range(COUNT):
        t = Timer()
        await client.publish(tag + "/out/q1", "reading %d" % i, qos=1)
        if i < 3:
            await client.publish(tag + "/out/q0", "reading %d" % i, qos=0)
        print("published %d in %d ms" % (i, t.ms()))
        await asyncio.sleep_ms(200)
    t = Timer()
    while len(got) < 2 and t.ms() < 60000:
        await asyncio.sleep_ms(100)
    print("got", got, "ups", ups, "downs", downs, "lost", nic.lost)
    check(sorted(set(got)) == [b"in 0", b"in 1"], got)
    check(downs >= 1 and nic.lost >= 1, "the outage went unnoticed")
    await client.publish(tag + "/out/done", "done", qos=1)
    await client.disconnect()


async def over_tls():
    import ssl

    with open(settings.CA, "rb") as f:
        ca = f.read()
    tconf = dict(config)
    tconf["client_id"] = b"bc26-e2e-tls"
    tconf["port"] = settings.MQTTS_PORT
    tconf["ssl"] = True
    tconf["ssl_params"] = {"cert_reqs": ssl.CERT_REQUIRED, "cadata": ca, "server_hostname": host}
    tls_client = MQTTClient(tconf)
    t = Timer()
    await tls_client.connect(quick=True)
    print("MQTTS connected in %d ms:" % t.ms(), tls_client._sock)
    await tls_client.subscribe(tag + "/tls", 1)
    await tls_client.publish(tag + "/tls", "over TLS", qos=1)
    async for topic, msg, _retained in tls_client.queue:
        print("RECEIVED over TLS", topic, msg)
        check(msg == b"over TLS", msg)
        break
    await tls_client.disconnect()
    # Verification is on: a name the certificate does not hold is refused.
    tconf["client_id"] = b"bc26-e2e-wrong"
    tconf["ssl_params"] = dict(tconf["ssl_params"], server_hostname="wrong.bc26.test")
    wrong = MQTTClient(tconf)
    try:
        await wrong.connect(quick=True)
        raise AssertionError("mqtt_as accepted a certificate for another name")
    except ValueError as e:
        print("REFUSED wrong name", repr(e))
        check("does not match" in str(e), e)


asyncio.run(main())
asyncio.run(over_tls())
print("E2E MQTT_AS OK")
sys.exit(0)
