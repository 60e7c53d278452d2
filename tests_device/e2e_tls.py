# End to end: TLS over the module's TCP sockets with MicroPython's own ssl (mbedTLS), the
# clients unmodified: umqtt.simple over MQTTS and requests over HTTPS, against a mosquitto
# with TLS listeners and an HTTPS server the host runner starts (tests_host/test_e2e_tls.py)
# with certificates it made for this run. The TLS runs on the MCU; the module only carries
# TCP bytes, so nothing here needs the module's own SSL commands.
#
#   1. a TLS context that verifies (CERT_REQUIRED, the test CA, the server's name)
#   2. MQTTS: connect, subscribe, publish; the host publishes back; the handshake's UART
#      bytes and AT commands between two MARK lines
#   3. refused: a certificate from another CA, and a name the certificate does not hold
#   4. HTTPS with requests: GET and POST (requests makes its own context, see below)
#   5. HTTPS with aiohttp (asyncio streams) and the verifying context: GET and POST; the
#      rogue server refused
import gc
import sys

from e2e_common import Timer, bring_up, check, marker, settings, unmodified

import bc26  # noqa: E402

modem = bring_up()
import bc26.usocket  # noqa: E402

mode = bc26.PUSH if settings.MODE == "push" else bc26.BUFFER
# Push mode: the module sends data whether anyone reads or not, so the socket's buffer must
# hold what the server sends before the client reads (the handshake's flight: about 1.2 KB).
bc26.usocket.install(modem, mode=mode, rxsize=4096)
import requests  # noqa: E402
import tls  # noqa: E402
import umqtt.simple  # noqa: E402
from umqtt.simple import MQTTClient  # noqa: E402

unmodified(umqtt.simple)
unmodified(requests)

with open(settings.CA, "rb") as f:
    ca = f.read()


def context():
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = tls.CERT_REQUIRED
    ctx.load_verify_locations(ca)  # the tls module takes it positionally (DER or PEM)
    return ctx


def pattern(n):
    # The same bytes as tests_host/e2e_util.pattern().
    b = bytes(range(256)) + b'\r\nOK\r\n+QIURC: "recv",0,5\r\n'
    return (b * (n // len(b) + 1))[:n]


def open_ids():
    return [i for i in range(5) if modem.sockets.table[i] is not None]


tag = settings.TAG
host, port = settings.MQTTS
got = []


def on_message(topic, msg):
    got.append((topic, msg))


# --- MQTTS ---------------------------------------------------------------------------------
c = MQTTClient(tag + "-tls", host, port, keepalive=60, ssl=context())
c.set_callback(on_message)
marker(modem, "handshake-start")
marker(modem, "handshake-go")
t = Timer()
c.connect()
ms = t.ms()
marker(modem, "handshake-end")
print("MQTTS connect (TCP open, TLS handshake, CONNECT) %d ms" % ms)
print("TLS session:", c.sock)
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
for i in range(settings.COUNT):
    c.publish(tag + "/out/q1", b"secret %d" % i, qos=1)
c.disconnect()
check(not open_ids(), "sockets left open: %r" % open_ids())


# --- refused -------------------------------------------------------------------------------
def refused(name, server, port):
    r = MQTTClient(tag + "-bad", server, port, ssl=context())
    try:
        r.connect()
    except Exception as err:
        print("REFUSED", name, repr(err))
        # umqtt keeps the plain socket when the wrap fails: close it, as an application would.
        r.sock.close()
        return err
    r.disconnect()
    raise AssertionError("%s was accepted" % name)


# MicroPython's tls raises ValueError with mbedTLS's verification text.
err = refused("another CA", host, settings.ROGUE_PORT)
check(isinstance(err, ValueError) and "not correctly signed" in str(err), err)
err = refused("wrong name", settings.WRONG_NAME, port)
check(isinstance(err, ValueError) and "does not match" in str(err), err)
check(not open_ids(), "sockets left open after the refusals: %r" % open_ids())

# A context made with verification on refuses the rogue HTTPS server too, before any request.
s = bc26.usocket.socket()
s.connect(bc26.usocket.getaddrinfo(settings.HTTPS_ROGUE[0], settings.HTTPS_ROGUE[1])[0][-1])
try:
    context().wrap_socket(s, server_hostname=settings.HTTPS_ROGUE[0])
    raise AssertionError("rogue HTTPS accepted")
except ValueError as e:
    print("REFUSED rogue https", repr(e))
    check("not correctly signed" in str(e), e)
s.close()

# --- HTTPS with requests -------------------------------------------------------------------
# requests 1.1.1 makes its own context with verify_mode = CERT_NONE: it encrypts but does
# not verify, over WiFi as here (see README, TLS).
base = settings.HTTPS
t = Timer()
r = requests.get(base + "/json")
check(r.status_code == 200 and r.json()["ok"] is True, (r.status_code, r.text))
print("HTTPS GET json %d ms" % t.ms())
r = requests.get(base + "/bytes/3000")
check(r.content == pattern(3000), "GET body differs (%d bytes)" % len(r.content))
body = bytes((i * 7) & 0xFF for i in range(2000))
t = Timer()
r = requests.post(base + "/upload", data=body, headers={"Content-Type": "application/octet-stream"})
info = r.json()
print("HTTPS POST 2000 bytes %d ms" % t.ms())
check(info["length"] == 2000, info)
check(not open_ids(), "sockets left open: %r" % open_ids())

# --- HTTPS with aiohttp, verified ----------------------------------------------------------
import asyncio  # noqa: E402

import aiohttp  # noqa: E402

unmodified(aiohttp)


async def aio_https():
    async with aiohttp.ClientSession() as session:
        t = Timer()
        async with session.get(base + "/json", ssl=context()) as resp:
            check(resp.status == 200 and (await resp.json())["ok"] is True, "aiohttp GET")
        print("aiohttp HTTPS GET json, verified, %d ms" % t.ms())
        async with session.post(base + "/upload", data=body, ssl=context()) as resp:
            check((await resp.json())["length"] == 2000, "aiohttp POST")
        rogue = "https://%s:%d" % settings.HTTPS_ROGUE
        try:
            async with session.get(rogue + "/json", ssl=context()) as resp:
                raise AssertionError("aiohttp accepted the rogue server")
        except ValueError as e:
            print("REFUSED rogue aiohttp", repr(e))
            check("not correctly signed" in str(e), e)


asyncio.run(aio_https())
# The refused connection's socket: asyncio's open_connection leaves it to the collector, which
# closes nothing here. bc26.usocket takes its connectID back (the peer hung up) once all five
# are wanted: five new sockets open.
print("left open after the refused aiohttp connection:", open_ids())
check(len(open_ids()) == 1, open_ids())
gc.collect()
bc26.usocket.install(modem, mode=mode)  # these carry no TLS: push-mode buffers of 1 KB do
five = []
for _ in range(5):
    so = bc26.usocket.socket()
    so.connect(bc26.usocket.getaddrinfo(settings.HTTPS_ROGUE[0], settings.HTTPS_ROGUE[1])[0][-1])
    five.append(so)
check(open_ids() == [0, 1, 2, 3, 4], open_ids())
for so in five:
    so.close()
check(not open_ids(), "sockets left open: %r" % open_ids())
print("E2E TLS OK")
sys.exit(0)
