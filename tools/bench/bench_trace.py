# The AT trace's cost, for tools/bench/run.py: the same 512-byte reads and 1 KB sends as
# tools/bench/bench_receive.py, through bc26.trace in its ring mode (the one meant to stay switched on) and
# without it; bytes allocated per read; and the trace's heap. Prints ROW lines.
#
#   micropython tools/bench/bench_trace.py          (MICROPYPATH: lib/ or the .mpy build, and tools/bench/)
#   micropython tools/bench/bench_trace.py --ram    (the heap rows only)
import gc
import sys

import bc26

N = 300
LINES, WIDTH = 32, 100


def ram_rows():
    gc.collect()
    h0 = gc.mem_alloc()
    from bc26.trace import Trace

    gc.collect()
    h1 = gc.mem_alloc()
    t = Trace(object(), lines=LINES, width=WIDTH, out=None)
    gc.collect()
    h2 = gc.mem_alloc()
    assert t.bytes_in == 0
    return [
        ("ram", "heap: import bc26.trace", h1 - h0, "B", None, ""),
        (
            "ram",
            "heap: Trace(uart, lines=%d, width=%d), its ring included" % (LINES, WIDTH),
            h2 - h1,
            "B",
            None,
            "",
        ),
    ]


def figures(traced):
    """(bytes allocated per read, us per KB read, per send, us per KB sent), with or without."""
    from bc26.trace import Trace
    from bench_receive import QIRD, SEND_DATA, ReplayUART, SendUART, measure

    uart = ReplayUART()
    uart.reply = QIRD
    modem = bc26.Modem(Trace(uart, lines=LINES, width=WIDTH, out=None) if traced else uart)
    modem.sockets.known = True
    sock = bc26.Socket(modem.sockets, 1, "TCP", bc26.BUFFER, 64)
    modem.sockets.table[1] = sock
    dst = bytearray(512)

    def reads(n):
        for _ in range(n):
            sock.pending = True
            sock.recv_into(dst)

    suart = SendUART()
    smodem = bc26.Modem(Trace(suart, lines=LINES, width=WIDTH, out=None) if traced else suart)
    smodem.sockets.known = True
    ssock = bc26.Socket(smodem.sockets, 1, "TCP", bc26.BUFFER, 64)
    smodem.sockets.table[1] = ssock

    def sends(n):
        for _ in range(n):
            ssock.send(SEND_DATA)

    reads(10)
    sends(10)
    ra, rt = measure(reads, N, 10)
    sa, st = measure(sends, N, 10)
    if traced and modem.engine.uart.bytes_in < N * len(QIRD):
        raise SystemExit("the trace saw fewer bytes than were read")
    return ra, rt * 2, sa, st  # per KB: a read is 512 bytes, a send 1024


def cpu_rows():
    plain = figures(False)
    traced = figures(True)
    return [
        (
            "alloc",
            "bytes allocated per 512-byte read, through bc26.trace",
            traced[0],
            "B",
            plain[0],
            "no trace",
        ),
        ("alloc", "bytes allocated per 1 KB send, through bc26.trace", traced[2], "B", plain[2], "no trace"),
        ("cpu", "CPU per KB received, through bc26.trace (ring)", traced[1], "us", plain[1], "no trace"),
        ("cpu", "CPU per KB sent, through bc26.trace (ring)", traced[3], "us", plain[3], "no trace"),
    ]


if __name__ == "__main__":
    rows = ram_rows() if "--ram" in sys.argv else cpu_rows()
    for row in rows:
        print("ROW|%s|%s|%r|%s|%r|%s" % row)
