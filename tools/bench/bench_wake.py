# The telemetry row of tools/bench/run.py: one wake of examples/telemetry_deepsleep.py, from a
# blank MicroPython to the datagram sent, against the emulator (boards/unix.py's UART):
#
#   micropython bench_wake.py boot HOST UDP_PORT   # first boot: the UDP socket the module keeps
#   micropython bench_wake.py wake HOST UDP_PORT   # a wake: prints a WAKE line
#
# (tools/bench/run.py runs it compiled, as `import bench_wake` with sys.argv set, as a board
# runs main.py: its names are interned before the import, and they move the qstr pool's steps.)
#
# A wake does what the example's wake_cycle does up to its send: import bc26, Modem(), the
# control pins (none wired here, but power.py loads as on a board), wake() (AT until OK),
# start(keep=("UDP",)) (bringup.py, sockcfg.py; takes over the socket the module kept:
# sockstate.py), one send. Measured: the heap all that holds once the datagram is out, and the
# time it took; the deep-sleep node pays both at every wake.
import gc
import sys
import time

import unix  # the board's UART: not part of the figures

gc.collect()
h0 = gc.mem_alloc()
t0 = time.ticks_us()
import bc26  # noqa: E402

marks = []


def mark(name):
    # The heap held after each step (what a wake holds at that point).
    gc.collect()
    marks.append("%s=%d" % (name, gc.mem_alloc() - h0))


mark("import")
what, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
modem = bc26.Modem(unix.uart())
mark("Modem")
modem.set_pins()  # the example's make_modem(): the board's pins (none here)
if what == "boot":
    modem.power_on()
    modem.start()
    modem.wait_network(10000)
    s = modem.open("UDP", host, port, mode=bc26.PUSH)
    s.send(b"boot")
    s.recv(16, 5000)
    print("BOOTED")
else:
    mark("set_pins")
    modem.wake()
    mark("wake")
    kept = modem.start(keep=("UDP",))
    mark("start")
    sock = None
    for s in kept:
        if s.info.remote_port == port:
            sock = s
    if sock is None:
        raise SystemExit("the module kept no UDP socket to port %d" % port)
    sock.send(b"t=21.5")
    us = time.ticks_diff(time.ticks_us(), t0)
    gc.collect()
    heap = gc.mem_alloc() - h0
    loaded = sorted(m[5:] for m in sys.modules if m.startswith("bc26."))
    print("WAKE|%d|%d|%s|%s" % (heap, us, " ".join(loaded), " ".join(marks)))
