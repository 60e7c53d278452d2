# TLS over the module for tools/bench/run.py (MicroPython unix port): one TLS session over
# bc26.usocket with the port's own ssl (mbedTLS), verifying the server against a CA.
#
#   micropython tools/bench/bench_tls.py HOST TLS_ECHO_PORT CA_DER
#
# Prints ROW lines: the heap an open session holds (the socket, mbedTLS's context and its
# record buffers), measured after a first session has loaded every module and method. `ATI`
# marks the handshake's start and end in the emulator's transcript.
import gc
import sys

import bc26
import bc26.usocket
import unix

host, port, ca_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
modem = bc26.Modem(unix.uart())
modem.start()
modem.wait_network(10000)
bc26.usocket.install(modem)
import tls  # noqa: E402

with open(ca_path, "rb") as f:
    ca = f.read()
ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
ctx.verify_mode = tls.CERT_REQUIRED
ctx.load_verify_locations(ca)


def session():
    s = bc26.usocket.socket()
    s.connect((host, port))
    t = ctx.wrap_socket(s, server_hostname="localhost")
    t.write(b"ping")
    if t.read(4) != b"ping":
        raise SystemExit("no echo over TLS")
    return t


if sys.argv[4:] == ["idle"]:
    # The same program without a session: the C heap it uses anyway (tools/bench/run.py
    # takes it from the peak of a run with one).
    sys.exit(0)
session().close()
gc.collect()
h0 = gc.mem_alloc()
modem.at("ATI")  # marker: the session starts
t = session()
modem.at("ATI")  # marker: handshake and one echo done
gc.collect()
held = gc.mem_alloc() - h0
t.close()
# Ten more sessions: what each leaves behind on the GC heap once closed.
gc.collect()
h1 = gc.mem_alloc()
for _ in range(10):
    session().close()
gc.collect()
left = (gc.mem_alloc() - h1) // 10
print("ROW|tls|GC heap held by an open TLS session (bc26 socket + SSLSocket), 64-bit|%d|B|None|" % held)
print("ROW|tls|GC heap left behind per closed session (10 sessions)|%d|B|None|" % left)
