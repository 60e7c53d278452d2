# Benchmark of the bc26 receive path, run under the MicroPython unix port (tools/bench.sh).
#
# Prints heap used by the library, bytes allocated per URC and per 512-byte counted read,
# and CPU time per URC and per KB, beside a naive driver written for the comparison (reads
# what the UART has into a new bytes, splits lines, one bytes object per line, split(b",")).
# The UART is a replay stub that hands over a prepared record without allocating itself,
# so every byte counted is the driver's.
import gc
import io
import sys
import time

gc.collect()
_HEAP0 = gc.mem_alloc()
import bc26  # noqa: E402

gc.collect()
_HEAP_IMPORT = gc.mem_alloc() - _HEAP0

N_URC = 2000
N_READ = 500
URC = b'\r\n+QIURC: "recv",1,128\r\n'
PAYLOAD = bytes((i * 7 + 3) & 0xFF for i in range(512))
QIRD = b"\r\n+QIRD: 512\r\n" + PAYLOAD + b"\r\n\r\nOK\r\n"


class ReplayUART:
    """Serves one prepared record per command (or per serve()) with C-level reads.

    On a board, UART.readinto and UART.read are C functions; here they are those of an
    io.BytesIO holding the record, rewound to serve it again, so that neither driver
    pays for Python code that a board would not run. There is no any(): both drivers
    read until the stream says it is empty, as they do with a non-blocking socket.
    """

    def __init__(self):
        self.reply = None
        self.written = 0
        self.record = None
        self.serve(b"")

    def serve(self, data):
        if data is not self.record:
            self.record = data
            self.stream = io.BytesIO(data)
            self.readinto = self.stream.readinto
            self.read = self.stream.read
        else:
            self.stream.seek(0)

    def write(self, buf, off=0, n=None):
        if n is None:
            n = len(buf) - off
        self.written += n
        if self.reply is not None:
            self.serve(self.reply)
        return n


# --- the naive driver ------------------------------------------------------------------


class NaiveDriver:
    """What a first MicroPython AT driver usually looks like: readline-and-split."""

    def __init__(self, uart):
        self.uart = uart
        self.pending = b""
        self.urcs = 0

    def _lines(self):
        data = self.uart.read()
        if data:
            self.pending += data
        while b"\r\n" in self.pending:
            line, self.pending = self.pending.split(b"\r\n", 1)
            if line:
                yield line

    def poll(self):
        for line in self._lines():
            if line.startswith(b"+QIURC:"):
                parts = line[7:].strip().split(b",")
                if parts[0].strip(b'"').decode() == "recv":
                    self.urcs += int(parts[1]) + int(parts[2])

    def read_into(self, buf):
        self.uart.write(b"AT+QIRD=1,512\r")
        n = 0
        while True:
            if b"\r\n" not in self.pending:
                data = self.uart.read()
                if data:
                    self.pending += data
                continue
            line, self.pending = self.pending.split(b"\r\n", 1)
            if line.startswith(b"+QIRD:"):
                n = int(line[6:].strip().split(b",")[0].decode())
                buf[0:n] = self.pending[0:n]
                self.pending = self.pending[n:]
            elif line == b"OK":
                return n


# --- bc26 ----------------------------------------------------------------------------


def measure(fn, n, k=100):
    """(bytes allocated per call, microseconds per call).

    Allocation is counted over a short run with the collector off; time over n calls with
    it on, since collecting what a driver allocates is part of its CPU cost.
    """
    gc.collect()
    gc.disable()
    a0 = gc.mem_alloc()
    fn(k)
    a1 = gc.mem_alloc()
    gc.enable()
    gc.collect()
    t0 = time.ticks_us()
    fn(n)
    t1 = time.ticks_us()
    return (a1 - a0) / k, time.ticks_diff(t1, t0) / n


def wire_rows():
    """Bytes on the UART per payload byte for bulk transfers, beside the best framing."""
    from wire_model import WireModule, best_receive, best_send

    n = 4096
    piece = 512
    payload = bytes((i * 13 + 5) & 0xFF for i in range(n))
    rows = []

    def setup(**cfg):
        mod = WireModule(**cfg)
        modem = bc26.Modem(mod)
        net = modem.net
        for k in cfg:
            setattr(net, k, cfg[k])
        net.known = True
        return mod, modem, net

    for send_hex in (False, True):
        mod, modem, net = setup(send_hex=send_hex)
        sock = bc26.Socket(net, 0, "TCP", bc26.BUFFER, 64)
        net.table[0] = sock
        sock.send(payload)
        if bytes(mod.received) != payload:
            raise SystemExit("wire: send lost data")
        rows.append(
            (
                "send, %s" % ("hex" if send_hex else "text"),
                mod.to_module + mod.from_module,
                best_send(n, send_hex),
            )
        )
    for push in (False, True):
        for recv_hex in (False, True):
            for viewmode in (0, 1):
                mod, modem, net = setup(viewmode=viewmode, recv_hex=recv_hex)
                sock = bc26.Socket(net, 0, "TCP", bc26.PUSH if push else bc26.BUFFER, 2 * n)
                net.table[0] = sock
                for i in range(0, n, piece):
                    mod.deliver(payload[i : i + piece], push)
                got = bytearray()
                buf = bytearray(512)
                while len(got) < n:
                    k = sock.recv_into(buf, 0, 1000)
                    got.extend(buf[:k])
                sock.recv_into(buf, 0, 0)  # the read that finds the buffer empty
                if bytes(got) != payload:
                    raise SystemExit("wire: receive lost data")
                name = "receive, %s, %s, viewmode %d" % (
                    "push" if push else "buffer",
                    "hex" if recv_hex else "text",
                    viewmode,
                )
                best = best_receive(n, push, viewmode, 0, recv_hex, piece)
                rows.append((name, mod.to_module + mod.from_module, best))
    return n, rows


def main():
    out = []
    # RAM
    uart = ReplayUART()
    gc.collect()
    h0 = gc.mem_alloc()
    modem = bc26.Modem(uart)
    gc.collect()
    h_modem = gc.mem_alloc() - h0
    rxbuf = len(modem.engine.buf)
    out.append(("heap: import bc26", _HEAP_IMPORT, "B"))
    out.append(("heap: Modem() incl. %d-byte rx buffer" % rxbuf, h_modem, "B"))
    out.append(("heap: import + Modem(), without rx buffer", _HEAP_IMPORT + h_modem - rxbuf, "B"))
    modem.net.known = True
    for mode, name in ((bc26.BUFFER, "buffer mode"), (bc26.PUSH, "push mode, rxsize 1024")):
        gc.collect()
        h0 = gc.mem_alloc()
        modem.net.table[4] = bc26.Socket(modem.net, 4, "TCP", mode, 1024)
        gc.collect()
        out.append(("heap: one socket, %s" % name, gc.mem_alloc() - h0, "B"))
        modem.net.table[4] = None

    # URCs: the library's own "recv" handler, for a buffer-mode socket
    modem.net.known = True
    sock = bc26.Socket(modem.net, 1, "TCP", bc26.BUFFER, 64)
    modem.net.table[1] = sock

    def bc26_urcs(n):
        for _ in range(n):
            uart.serve(URC)
            modem.poll()

    naive_uart = ReplayUART()
    naive = NaiveDriver(naive_uart)

    def naive_urcs(n):
        for _ in range(n):
            naive_uart.serve(URC)
            naive.poll()

    bc26_urcs(50)
    naive_urcs(50)
    a_b, t_b = measure(bc26_urcs, N_URC)
    a_n, t_n = measure(naive_urcs, N_URC, 20)
    if not sock.pending or sock.hint != 128 or naive.urcs != (50 + 20 + N_URC) * 129:
        raise SystemExit("URC benchmark miscounted")

    # Counted reads: Socket.recv_into, AT+QIRD=1,512 and the data straight into dst
    dst = bytearray(512)
    uart.reply = QIRD
    got = [0]

    def bc26_reads(n):
        for _ in range(n):
            sock.pending = True  # as a "recv" URC would
            got[0] = sock.recv_into(dst)

    naive_uart.reply = QIRD

    def naive_reads(n):
        for _ in range(n):
            naive.read_into(dst)

    bc26_reads(20)
    naive_reads(20)
    ra_b, rt_b = measure(bc26_reads, N_READ, 10)
    dst[:] = bytes(512)
    ra_n, rt_n = measure(naive_reads, N_READ, 10)
    if bytes(dst) != PAYLOAD or got[0] != 512:
        raise SystemExit("read benchmark returned wrong data")

    out.append(("alloc per URC (bc26 / naive)", a_b, "B", a_n))
    out.append(("alloc per 512-byte read (bc26 / naive)", ra_b, "B", ra_n))
    out.append(("CPU per URC (bc26 / naive)", t_b, "us", t_n))
    out.append(("CPU per KB read (bc26 / naive)", rt_b * 2, "us", rt_n * 2))

    print("bc26 benchmark, MicroPython %s, %d URCs, %d reads" % (sys.version, N_URC, N_READ))
    for row in out:
        if len(row) == 3:
            print("  %-48s %10.1f %s" % row)
        else:
            name, v, unit, ref = row
            ratio = "" if v == 0 else "  naive/bc26 = %.1fx" % (ref / v)
            if v == 0:
                ratio = "  (naive %.1f)" % ref
            print("  %-48s %10.1f %s  vs %10.1f%s" % (name, v, unit, ref, ratio))
    n, rows = wire_rows()
    print("bytes on the UART per payload byte, %d-byte transfers (bc26 / best framing of the manual)" % n)
    for name, wire, best in rows:
        print("  %-48s %10.3f    vs %10.3f  bc26/best = %.3f" % (name, wire / n, best / n, wire / best))


if __name__ == "__main__":
    main()
