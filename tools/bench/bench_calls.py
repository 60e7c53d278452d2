# The calls row of tools/bench/run.py: how many of the library's functions one 512-byte
# Socket.recv_into runs, counted by CPython's profiler over the same library code a board
# runs (MicroPython's unix port has no profiler hook). Every such call costs an interpreted
# frame on MicroPython, and a frame of more than 11 words is a heap block: issue 14 aims at 8.
#
#   python3 tools/bench/bench_calls.py      # prints ROW lines
#
# The UART is tests_host/fakeuart.py, which has any() as machine.UART has: the module's answer
# (+QIRD: 512, the data, OK) is there whole when the library reads, as on a board whose UART
# buffer holds it.
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIB = os.path.join(ROOT, "lib", "bc26")
sys.path[:0] = [os.path.join(ROOT, "lib"), os.path.join(ROOT, "tests_host")]

import bc26  # noqa: E402
from fakeuart import FakeUART  # noqa: E402

OK = b"\r\nOK\r\n"


def calls_per_read(n=512):
    u = FakeUART()
    m = bc26.Modem(u)
    m.sockets.known = True  # the data format is known (as after start())
    u.reply(b"AT+QIOPEN=", OK + b"\r\n+QIOPEN: 0,0\r\n")
    s = m.open("TCP", "10.0.0.1", 7)
    u.auto(b"AT+QIRD=0,%d\r" % n, b"\r\n+QIRD: %d\r\n" % n + bytes(n) + b"\r\n" + OK)
    buf = bytearray(n)
    s.pending = True  # a "recv" URC announced data
    s.recv_into(buf, n, 1000)  # loads and warms what a read uses
    names = []

    def profile(frame, event, arg):
        # (_host.py: CPython's stand-ins for what MicroPython has in C, ticks_ms and the like.)
        f = frame.f_code.co_filename
        if event == "call" and f.startswith(LIB) and not f.endswith("_host.py"):
            names.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        got = s.recv_into(buf, n, 1000)
    finally:
        sys.setprofile(None)
    if got != n:
        raise SystemExit("read %r bytes, not %d" % (got, n))
    return names


def main():
    names = calls_per_read()
    row = "ROW|cpu|interpreted calls per 512-byte read (CPython's profiler)|%d||8|target 8, was 16"
    print(row % len(names))
    print("# " + " ".join(names))


if __name__ == "__main__":
    main()
