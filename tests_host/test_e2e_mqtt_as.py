# mqtt_as 0.8.3 (Peter Hinch, ../shared/clients/mqtt_as, unmodified) in the MicroPython unix
# port over bc26.usocket, with bc26.netif as its network module, against a real mosquitto on
# 127.0.0.1: connect, subscribe, QoS 0 and 1 both ways, and a network outage in the middle
# (the emulator's drop_network/restore_network) that mqtt_as rides out by itself, losing no
# QoS 1 message; then MQTTS with mqtt_as's own ssl parameters. Runs tests_device/e2e_mqtt_as.py.
import threading
import time

from e2e_util import broker_side, certs, run_device, subscribed, write_settings

from mp import emulator_on_tcp
from tools.servers import publish

TAG = "bc26mqttas"
COUNT = 12
DROP_AFTER = 5  # QoS 1 readings the broker has before the network goes


def test_mqtt_as_rides_out_a_network_outage(tmp_path):
    tls = certs(tmp_path)
    with broker_side(TAG, tls) as (broker, sub):
        events = []
        with emulator_on_tcp(hosts={"broker.bc26.test": "127.0.0.1"}) as (emu, port):

            def readings(ms):
                return len({p for t, _, p in ms if t == TAG + "/out/q1"})

            def host_side():
                if not sub.wait_for(subscribed(TAG), 60):
                    return
                publish(broker.port, TAG + "/in", b"in 0", qos=1)
                if not sub.wait_for(lambda ms: readings(ms) >= DROP_AFTER, 60):
                    return
                emu.drop_network()
                events.append(("dropped", time.monotonic()))
                time.sleep(3)
                emu.restore_network()
                events.append(("restored", time.monotonic()))
                back = (TAG + "/status", 1, b"resubscribed")
                if sub.wait_for(lambda ms: back in ms, 60):
                    publish(broker.port, TAG + "/in", b"in 1", qos=1)

            helper = threading.Thread(target=host_side, daemon=True)
            helper.start()
            write_settings(
                tmp_path,
                MQTT=("broker.bc26.test", broker.port),
                MQTTS_PORT=broker.tls_port,
                CA=tls["ca_der"],
                TAG=TAG,
                COUNT=COUNT,
            )
            # mqtt_as compiled from source at import needs more than 256 KB at its peak.
            out = run_device("e2e_mqtt_as.py", port, tmp_path, timeout=90, heapsize="1m")
            helper.join(10)
            commands = emu.commands
        sub.wait_for(lambda ms: any(t == TAG + "/out/done" for t, _, _ in ms), 5)
        msgs = sub.messages()
    assert "E2E MQTT_AS OK" in out
    assert [e for e, _ in events] == ["dropped", "restored"]
    q1 = [p for t, _, p in msgs if t == TAG + "/out/q1"]
    # Every QoS 1 reading arrived, in order of first arrival; a republished one may come twice.
    assert sorted(set(q1), key=lambda p: int(p.split()[1])) == [b"reading %d" % i for i in range(COUNT)]
    assert [p for t, _, p in msgs if t == TAG + "/out/q0"] == [b"reading %d" % i for i in range(3)]
    assert [p for t, _, p in msgs if t == TAG + "/tls"] == [b"over TLS"]  # through mosquitto's TLS port
    # It noticed, detached and attached again, and opened a new connection to the broker.
    assert "DOWN 1" in out and "UP 2" in out and "REFUSED wrong name" in out
    assert "AT+CGATT=1" in commands
    assert sum(c.startswith("AT+QIOPEN=") for c in commands) >= 2  # before and after the outage
    print("QoS 1 readings: %d sent, %d delivered (republished: %d)" % (COUNT, len(q1), len(q1) - COUNT))
