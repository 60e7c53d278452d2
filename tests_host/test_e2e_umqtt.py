# umqtt.simple 1.8.0 and umqtt.robust 1.0.3 (micropython-lib, ../shared/clients, unmodified)
# in the MicroPython unix port, over bc26.usocket and the emulator, against a real mosquitto
# on 127.0.0.1; mosquitto_sub and mosquitto_pub on the other side. Runs tests_device/e2e_umqtt.py.
from e2e_util import answer_once_subscribed, broker_side, run_device, uart_bytes, write_settings

from mp import emulator_on_tcp

TAG = "bc26e2e"
COUNT = 20


def test_umqtt_simple_and_robust_against_mosquitto(tmp_path):
    with broker_side(TAG) as (broker, sub):
        helper = answer_once_subscribed(broker, sub, TAG, 30)
        hosts = {"broker.bc26.test": "127.0.0.1"}
        with emulator_on_tcp(hosts=hosts) as (emu, port):
            write_settings(tmp_path, MQTT=("broker.bc26.test", broker.port), TAG=TAG, COUNT=COUNT)
            out = run_device("e2e_umqtt.py", port, tmp_path)
            spans = uart_bytes(emu)
        helper.join(5)

        def complete(ms):
            topics = [t for t, _, _ in ms]
            return topics.count(TAG + "/out/q1") == COUNT and topics.count(TAG + "/out/robust") >= 2

        sub.wait_for(complete, 5)
        msgs = sub.messages()
    assert "E2E UMQTT OK" in out
    by_topic = {}
    for topic, _, payload in msgs:
        by_topic.setdefault(topic, []).append(payload)
    assert by_topic[TAG + "/status"] == [b"subscribed"]
    assert by_topic[TAG + "/out/binary"] == [b'\x00\r\nOK\r\n\x1a\x1b+QIURC: "closed",0\r\n']
    expected = [b"reading %d" % i for i in range(COUNT)]
    assert by_topic[TAG + "/out/q0"] == expected
    assert by_topic[TAG + "/out/q1"] == expected
    assert by_topic[TAG + "/out/robust"][0] == b"before"
    assert b"after" in by_topic[TAG + "/out/robust"]
    # What one publish costs on the UART (printed for the README's figures).
    q0, q1 = spans[0], spans[1]
    print(
        "UART bytes per publish: QoS 0 %.1f to / %.1f from the module; QoS 1 %.1f / %.1f"
        % (q0[0] / COUNT, q0[1] / COUNT, q1[0] / COUNT, q1[1] / COUNT)
    )
