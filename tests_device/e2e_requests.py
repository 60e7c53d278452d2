# End to end: micropython-lib's requests 1.1.1 (../shared/clients), unmodified, over the
# BC26 through bc26.usocket, against a real HTTP server the host runner starts
# (tests_host/test_e2e_requests.py): GET with and without Content-Length, JSON, a 404, and
# POST of a few KB holding every byte value.
import binascii
import hashlib

from e2e_common import Timer, bring_up, check, settings, unmodified

modem = bring_up()
import bc26.usocket  # noqa: E402

bc26.usocket.install(modem, coalesce=getattr(settings, "COALESCE", 0))
import requests  # noqa: E402

unmodified(requests)

base = settings.HTTP


def pattern(n):
    # The same bytes as tests_host/e2e_util.pattern().
    b = bytes(range(256)) + b'\r\nOK\r\n+QIURC: "recv",0,5\r\n'
    return (b * (n // len(b) + 1))[:n]


t = Timer()
r = requests.get(base + "/json")
check(r.status_code == 200, r.status_code)
check(r.json()["ok"] is True, "json")
print("GET json %d ms" % t.ms())

t = Timer()
r = requests.get(base + "/bytes/6000")
body = r.content
check(r.status_code == 200, r.status_code)
check(body == pattern(6000), "GET body differs (%d bytes)" % len(body))
print("GET 6000 bytes %d ms" % t.ms())

# No Content-Length: the body ends when the server closes (requests reads to the end).
r = requests.get(base + "/nolength/3000")
check(r.content == pattern(3000), "GET without length")

r = requests.get(base + "/missing")
check(r.status_code == 404 and r.text == "not here\n", (r.status_code, r.text))

post = pattern(4096)
t = Timer()
r = requests.post(base + "/upload", data=post, headers={"Content-Type": "application/octet-stream"})
info = r.json()
print("POST 4096 bytes %d ms" % t.ms())
check(info["length"] == 4096, info)
check(info["sha256"] == binascii.hexlify(hashlib.sha256(post).digest()).decode(), info)
check(info["type"] == "application/octet-stream", info)

r = requests.post(base + "/upload", json={"t": 21.5, "unit": "C"})
check(r.json()["type"] == "application/json", "json post")

open_ids = [i for i in range(5) if modem.sockets.table[i] is not None]
check(not open_ids, "sockets left open: %r" % open_ids)
print("E2E REQUESTS OK")
