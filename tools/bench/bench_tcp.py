# The TCP-program row of tools/bench/run.py: what a program that talks TCP holds, from a blank
# MicroPython to its socket closed, against the emulator (boards/unix.py's UART):
#
#   micropython bench_tcp.py HOST TCP_ECHO_PORT      # prints a TCP line and two NAMES lines
#
# (run.py runs it compiled, as `import bench_tcp` with sys.argv set, as bench_wake.)
#
# import bc26, Modem(), start() (sync, echo off, AT+QICFG, registration, address, the sockets
# the module kept), open TCP in buffer mode, send 64 bytes, read them back, close. Measured: the
# heap held beyond the receive buffer once the socket is closed, which is every piece of the
# library the program used, and the modules loaded.
import gc
import sys
import time

import micropython

import unix  # the board's UART: not part of the figures

buf = bytearray(64)
gc.collect()
h0 = gc.mem_alloc()
import bc26  # noqa: E402

gc.collect()
held_import = gc.mem_alloc() - h0
# The names interned so far (this script's few among them): MicroPython's fifth table of names,
# 3.7 KB on 64 bits, comes at about the 300th. Printed on the line that says what it counts.
print("NAMES|import|", end="")
micropython.qstr_info()
host, port = sys.argv[1], int(sys.argv[2])
modem = bc26.Modem(unix.uart())
# The emulator boots as a module powered on with the board: its banner (RDY) comes first. Read
# (by the engine alone, as start()'s sync would read it) before start(), so the row does not
# depend on whether it beats start()'s first AT: a cold boot on a board meets it in the sync, or
# times out while the module boots, and either way its sync loads engine_rare, as here.
t = time.ticks_ms()
while not modem.sockets.restarts and time.ticks_diff(time.ticks_ms(), t) < 5000:
    modem.engine.poll()
if not modem.sockets.restarts:
    raise SystemExit("no boot banner from the emulator")
modem.start()
modem.wait_network(10000)
s = modem.open("TCP", host, port)
s.send(b"t=21.5 h=40 p=1013 battery=3.71 uptime=86400 seq=00001 status=ok")
n = 0
while n < 64:
    n += s.recv_into(memoryview(buf)[n:], 64 - n, 5000)
s.close()
gc.collect()
held = gc.mem_alloc() - h0 - len(modem.engine.buf)
loaded = sorted(m[5:] for m in sys.modules if m.startswith("bc26."))
print("TCP|%d|%d|%d|%s" % (held_import, held, n, " ".join(loaded)))
print("NAMES|end|", end="")
micropython.qstr_info()
