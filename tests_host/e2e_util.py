# Helpers of the end-to-end tests (test_e2e_*.py): the broker side of the MQTT tests (the
# servers themselves live in tools/servers), the settings file the device scripts read, and
# UART byte counts taken from the emulator's transcript. The client libraries are
# micropython-lib's current releases, unmodified, from ../shared/clients (see its README),
# ahead of the unix port's frozen ones.
import contextlib
import os
import subprocess
import threading

import pytest

from mp import ROOT, run_micropython
from tools.servers import Mosquitto, Subscriber, publish

CLIENTS = os.path.join(os.path.dirname(ROOT), "shared", "clients")
MPLIB = os.path.join(CLIENTS, "micropython-lib")  # umqtt, requests, aiohttp, ntptime
MQTT_AS = os.path.join(CLIENTS, "mqtt_as")


def write_settings(path, **values):
    lines = ['BOARD = "unix"']
    lines += ["%s = %r" % (k, v) for k, v in values.items()]
    (path / "e2e_settings.py").write_text("\n".join(lines) + "\n")


def run_device(script, emu_port, tmp_path, timeout=90, extra=(), heapsize="256k"):
    """Run tests_device/<script> in the unix port; its output, or a failed test."""
    try:
        proc = run_micropython(
            [os.path.join(ROOT, "tests_device", script)],
            env={"BC26_EMU_PORT": str(emu_port)},
            path=(str(tmp_path),) + tuple(extra),
            before=clients(),
            timeout=timeout,
            heapsize=heapsize,
        )
    except subprocess.TimeoutExpired as err:
        said = [(x or b"").decode(errors="replace") for x in (err.stdout, err.stderr)]
        pytest.fail("%s ran over %d s; it said:\n%s" % (script, timeout, "".join(said)))
    out = proc.stdout + proc.stderr
    print(out)
    assert proc.returncode == 0, out
    return out


def clients():
    """The folders of the unmodified client libraries; a missing one fails the test."""
    for d in (MPLIB, MQTT_AS):
        if not os.path.isdir(d):
            pytest.fail("the client libraries are missing: %s (see ../shared/clients/README.md)" % d)
    return (MPLIB, MQTT_AS)


# --- MQTT: the broker side of a test ----------------------------------------------------------


@contextlib.contextmanager
def broker_side(tag, tls=None):
    """(broker, subscriber): mosquitto on 127.0.0.1 (with tls, a certs() result, its TLS
    listeners too) and mosquitto_sub on tag/#; both stopped afterwards."""
    try:
        broker = Mosquitto(tls=tls)
    except RuntimeError as err:
        pytest.fail(str(err))
    with broker, Subscriber(broker.port, tag + "/#") as sub:
        yield broker, sub


def subscribed(tag):
    """A Subscriber.wait_for predicate: the device said it has subscribed (on tag/status)."""
    return lambda ms: any(t == tag + "/status" for t, _, _ in ms)


def answer_once_subscribed(broker, sub, tag, timeout=30):
    """A started thread that publishes to tag/in/q0 (bytes that look like AT output) and
    tag/in/q1 once the device has said it subscribed; join it after the device's run."""

    def answer():
        if sub.wait_for(subscribed(tag), timeout):
            publish(broker.port, tag + "/in/q0", b"zero \x00\r\nOK\r\n", qos=0)
            publish(broker.port, tag + "/in/q1", b"one", qos=1)

    helper = threading.Thread(target=answer, daemon=True)
    helper.start()
    return helper


# --- certificates -------------------------------------------------------------------------


def certs(tmp_path):
    """A test CA, a server certificate for 127.0.0.1 and tools.servers.tlscerts.NAMES, and a rogue
    one from another CA, made now with the openssl command (tools/servers/tlscerts.py)."""
    from tools.servers import tlscerts

    try:
        return tlscerts.make(str(tmp_path / "tls"))
    except RuntimeError as err:
        pytest.fail(str(err))


# --- the UART, as the emulator saw it ------------------------------------------------------


def uart_bytes(emu, marker="AT+CGSN"):
    """(to the module, from the module) byte counts between consecutive marker commands.

    Each span holds the answer of the marker that opens it and the command of the one that
    closes it; the first span (two markers back to back) is that overhead alone and is
    subtracted from the others.
    """
    entries = list(emu.transcript.entries)
    spans = []
    cur = None
    for _, kind, payload in entries:
        if kind == "cmd" and payload == marker:
            if cur is not None:
                spans.append(tuple(cur))
            cur = [0, 0]
        elif cur is not None and kind in ("in", "out"):
            cur[0 if kind == "in" else 1] += len(payload)
    if not spans:
        return []
    base = spans[0]
    return [(a - base[0], b - base[1]) for a, b in spans[1:]]
