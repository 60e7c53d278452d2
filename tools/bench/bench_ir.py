# One workload of tools/bench/bench_receive.py, repeated N times, for counting instructions with callgrind
# (tools/bench/bench_ir.sh): instruction counts do not depend on what else the machine is doing.
#
#   micropython tools/bench/bench_ir.py WORKLOAD N      WORKLOAD: bc26-urc naive-urc bc26-read naive-read
#                                                  traced-read (bc26-read through bc26.trace)
import sys

import bc26
import bench_receive as bench

which = sys.argv[1]
n = int(sys.argv[2])
uart = bench.ReplayUART()
modem = bc26.Modem(uart)
modem.sockets.known = True
sock = bc26.Socket(modem.sockets, 1, "TCP", bc26.BUFFER, 64)
modem.sockets.table[1] = sock
naive_uart = bench.ReplayUART()
naive = bench.NaiveDriver(naive_uart)
dst = bytearray(512)

if which == "bc26-urc":
    for _ in range(n):
        uart.serve(bench.URC)
        modem.poll()
elif which == "naive-urc":
    for _ in range(n):
        naive_uart.serve(bench.URC)
        naive.poll()
elif which == "bc26-read":
    uart.reply = bench.QIRD
    for _ in range(n):
        sock.pending = True
        sock.recv_into(dst)
elif which == "traced-read":
    from bc26.trace import Trace

    tmodem = bc26.Modem(Trace(uart, lines=32, out=None))
    tmodem.sockets.known = True
    tsock = bc26.Socket(tmodem.sockets, 1, "TCP", bc26.BUFFER, 64)
    tmodem.sockets.table[1] = tsock
    uart.reply = bench.QIRD
    for _ in range(n):
        tsock.pending = True
        tsock.recv_into(dst)
elif which == "naive-read":
    naive_uart.reply = bench.QIRD
    for _ in range(n):
        naive.read_into(dst)
else:
    raise SystemExit("unknown workload " + which)
