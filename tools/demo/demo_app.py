# The demo application: a sensor node's day in a few seconds, in real MicroPython through bc26.
#
# Run by tools/demo/demo.py, which starts the emulator and local servers and passes their ports:
#   micropython tools/demo/demo_app.py TCP_ECHO UDP_ECHO NTP DNS_NAME
# Each step prints one line; the last line says how many steps passed. Exit status 1 if any failed.
import sys
import time

import bc26
import unix  # boards/unix.py: the emulator on $BC26_EMU_PORT stands in for the UART

TCP_PORT, UDP_PORT, NTP_PORT = (int(x) for x in sys.argv[1:4])
NAME = sys.argv[4]
SERVER = "127.0.0.1"
results = []


def step(title):
    def run(fn):
        try:
            detail = fn()
            results.append(True)
            print("  ok    %-34s %s" % (title, detail or ""))
        except Exception as e:
            results.append(False)
            print("  FAIL  %-34s %r" % (title, e))
        return fn

    return run


def readings(n):
    # What a sensor node sends: small text records.
    return [b"node=7 t=%d.%d h=%d" % (20 + i, i * 3 % 10, 40 + i) for i in range(n)]


modem = bc26.Modem(unix.uart())


@step("bring-up (sync, ATE0, config)")
def _():
    kept = modem.start()
    return "%d kept socket(s)" % len(kept)


@step("wait for the network (+IP)")
def _():
    return "address %s" % modem.wait_network(30000)


@step("signal quality")
def _():
    rssi, ber, dbm = modem.signal()
    return "rssi %d (%s dBm)" % (rssi, dbm)


def receive(s, kind, n, timeout_ms):
    # A UDP datagram comes whole in one recv. TCP is a stream: the module hands over what has
    # arrived, and at 115200 baud a reply often arrives in pieces, so read until all n bytes are
    # here, within one deadline for the whole reply.
    if kind == "UDP":
        return s.recv(n, timeout_ms)
    reply = b""
    deadline = time.ticks_add(time.ticks_ms(), timeout_ms)
    while len(reply) < n:
        left = time.ticks_diff(deadline, time.ticks_ms())
        if left <= 0:
            raise AssertionError("only %d of %d bytes in %d ms" % (len(reply), n, timeout_ms))
        part = s.recv(n - len(reply), left)
        if not part:
            raise AssertionError("the stream ended after %d of %d bytes" % (len(reply), n))
        reply += part
    return reply


def echo_readings(kind, mode, port):
    s = modem.open(kind, SERVER, port, mode=mode)
    got = 0
    for r in readings(3):
        s.send(r)
        reply = receive(s, kind, len(r), 5000)
        if reply != r:
            raise AssertionError("reply %r for %r" % (reply, r))
        got += 1
    s.close()
    return "socket %d: 3 readings sent, %d replies" % (s.id, got)


@step("TCP, buffer mode (AT+QIRD)")
def _():
    return echo_readings("TCP", bc26.BUFFER, TCP_PORT)


@step("TCP, direct push")
def _():
    return echo_readings("TCP", bc26.PUSH, TCP_PORT)


@step("UDP, buffer mode")
def _():
    return echo_readings("UDP", bc26.BUFFER, UDP_PORT)


@step("UDP, direct push")
def _():
    return echo_readings("UDP", bc26.PUSH, UDP_PORT)


@step("binary data, every byte value")
def _():
    s = modem.open("TCP", SERVER, TCP_PORT)
    blob = bytes(range(256)) * 4
    s.send(blob)
    back = bytearray()
    buf = bytearray(512)
    deadline = time.ticks_add(time.ticks_ms(), 10000)
    while len(back) < len(blob):
        left = time.ticks_diff(deadline, time.ticks_ms())
        if left <= 0:
            raise AssertionError("only %d of %d bytes back" % (len(back), len(blob)))
        n = s.recv_into(buf, 0, left)
        if not n:
            raise AssertionError("the stream ended after %d of %d bytes" % (len(back), len(blob)))
        back.extend(buf[:n])
    s.close()
    if bytes(back) != blob:
        raise AssertionError("binary echo differs")
    return "1024 bytes out and back intact"


@step("ping")
def _():
    replies, summary = modem.ping(SERVER, count=2)
    return "%d/%d replies, avg %d ms" % (summary[2], summary[1], summary[6])


@step("DNS")
def _():
    modem.set_dns(SERVER)
    addresses, ttl = modem.resolve(NAME)
    return "%s -> %s (ttl %d)" % (NAME, ", ".join(addresses), ttl)


@step("time (NTP)")
def _():
    t = modem.ntp(SERVER, NTP_PORT)
    return "%04d-%02d-%02d %02d:%02d:%02d UTC" % t[:6]


@step("no socket left open")
def _():
    left = modem.socket_state()
    if left:
        raise AssertionError("still open: %r" % left)
    return "AT+QISTATE? lists none"


print("demo: %d passed, %d failed" % (results.count(True), results.count(False)))
sys.exit(0 if all(results) else 1)
