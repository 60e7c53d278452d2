# Benchmark of the bc26 receive path, run under the MicroPython unix port (make bench: tools/bench/run.py).
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
from binascii import hexlify

import bc26  # noqa: E402

N_URC = 2000
N_READ = 500
URC = b'\r\n+QIURC: "recv",1,128\r\n'
PAYLOAD = bytes((i * 7 + 3) & 0xFF for i in range(512))
QIRD = b"\r\n+QIRD: 512\r\n" + PAYLOAD + b"\r\n\r\nOK\r\n"
QIRD_HEX = b"\r\n+QIRD: 512\r\n" + hexlify(PAYLOAD) + b"\r\n\r\nOK\r\n"


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
        net = modem.sockets
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


class SendUART:
    """Plays the module for AT+QISEND in data mode: '>' after the command, SEND OK after the data.

    Both answers are streams made once; switching between them allocates nothing, so every
    byte allocated in a send is the driver's.
    """

    def __init__(self):
        self.written = 0
        self.prompt = io.BytesIO(PROMPT)
        self.send_ok = io.BytesIO(SEND_OK)
        self.prompt_readinto = self.prompt.readinto
        self.prompt_read = self.prompt.read
        self.ok_readinto = self.send_ok.readinto
        self.ok_read = self.send_ok.read
        self.prompt.seek(len(PROMPT))
        self.readinto = self.prompt_readinto
        self.read = self.prompt_read

    def write(self, buf, off=0, n=None):
        if n is None:
            n = len(buf) - off
        self.written += n
        # A command starts with "AT"; the payload (bytes 0..255) does not. No slicing: a slice
        # would allocate.
        if buf[off] == 65 and buf[off + 1] == 84:
            self.prompt.seek(0)
            self.readinto = self.prompt_readinto
            self.read = self.prompt_read
        else:
            self.send_ok.seek(0)
            self.readinto = self.ok_readinto
            self.read = self.ok_read
        return n


PROMPT = b"\r\n> "
SEND_OK = b"\r\nOK\r\n\r\nSEND OK\r\n"
SEND_DATA = bytes(range(256)) * 4  # binary: the fixed-length data mode carries it


def naive_send(drv, data):
    # The naive driver's send: command, wait for '>', data, wait for SEND OK.
    drv.uart.write(b"AT+QISEND=1,%d\r" % len(data))
    while b">" not in drv.pending:
        got = drv.uart.read()
        if got:
            drv.pending += got
    drv.pending = drv.pending.split(b">", 1)[1]
    drv.uart.write(data)
    while True:
        for line in drv._lines():
            if line == b"SEND OK":
                return len(data)


def rows():
    """Every figure but RAM as (section, name, value, unit, reference, reference name)."""
    out = []
    # RAM: tools/bench/bench_ram.py (small enough for a 64 KB heap)
    uart = ReplayUART()
    modem = bc26.Modem(uart)
    modem.sockets.known = True

    # URCs: the library's own "recv" handler, for a buffer-mode socket
    sock = bc26.Socket(modem.sockets, 1, "TCP", bc26.BUFFER, 64)
    modem.sockets.table[1] = sock

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

    floor_uart = ReplayUART()
    floor_uart.reply = QIRD
    rbuf = bytearray(len(QIRD))
    rmv = memoryview(rbuf)

    def floor_reads(n):
        # The floor: write the command, one readinto, copy the payload out. No parsing.
        for _ in range(n):
            floor_uart.write(b"AT+QIRD=1,512\r")
            floor_uart.readinto(rbuf)
            dst[0:512] = rmv[14:526]

    bc26_reads(20)
    naive_reads(20)
    floor_reads(20)
    ra_b, rt_b = measure(bc26_reads, N_READ, 10)
    dst[:] = bytes(512)
    ra_n, rt_n = measure(naive_reads, N_READ, 10)
    ra_f, rt_f = measure(floor_reads, N_READ, 10)
    if bytes(dst) != PAYLOAD or got[0] != 512:
        raise SystemExit("read benchmark returned wrong data")

    # Sends: 1 KB of binary through the fixed-length data mode
    send_uart = SendUART()
    smodem = bc26.Modem(send_uart)
    smodem.sockets.known = True
    ssock = bc26.Socket(smodem.sockets, 1, "TCP", bc26.BUFFER, 64)
    smodem.sockets.table[1] = ssock
    naive_send_uart = SendUART()
    nsend = NaiveDriver(naive_send_uart)
    floor_send_uart = SendUART()
    sbuf = bytearray(64)

    def bc26_sends(n):
        for _ in range(n):
            ssock.send(SEND_DATA)

    def naive_sends(n):
        for _ in range(n):
            naive_send(nsend, SEND_DATA)

    def floor_sends(n):
        # The floor: command, read the prompt, data, read the answer. No parsing.
        for _ in range(n):
            floor_send_uart.write(b"AT+QISEND=1,1024\r")
            floor_send_uart.readinto(sbuf)
            floor_send_uart.write(SEND_DATA)
            floor_send_uart.readinto(sbuf)

    bc26_sends(20)
    naive_sends(20)
    floor_sends(20)
    sa_b, st_b = measure(bc26_sends, N_READ, 10)
    sa_n, st_n = measure(naive_sends, N_READ, 10)
    sa_f, st_f = measure(floor_sends, N_READ, 10)

    # The hex data format, both ways: the same reads and sends, the module framing data as hex.
    hmodem = bc26.Modem(ReplayUART())
    hmodem.sockets.known = True
    hmodem.sockets.recv_hex = hmodem.sockets.send_hex = True
    hsock = bc26.Socket(hmodem.sockets, 1, "TCP", bc26.BUFFER, 64)
    hmodem.sockets.table[1] = hsock
    hmodem.engine.uart.reply = QIRD_HEX

    def hex_reads(n):
        for _ in range(n):
            hsock.pending = True
            got[0] = hsock.recv_into(dst)

    smodem.sockets.send_hex = True

    def hex_sends(n):
        for _ in range(n):
            ssock.send(SEND_DATA)

    hex_reads(20)
    dst[:] = bytes(512)
    ha_r, ht_r = measure(hex_reads, N_READ // 5, 10)
    if bytes(dst) != PAYLOAD or got[0] != 512:
        raise SystemExit("hex read benchmark returned wrong data")
    hex_sends(20)
    ha_s, ht_s = measure(hex_sends, N_READ // 5, 10)
    smodem.sockets.send_hex = False

    out.append(("alloc", "bytes allocated per URC", a_b, "B", a_n, "naive"))
    out.append(("alloc", "bytes allocated per 512-byte read", ra_b, "B", ra_n, "naive"))
    out.append(("alloc", "bytes allocated per 1 KB send", sa_b, "B", sa_n, "naive"))
    out.append(("alloc", "bytes allocated per 512-byte read, hex format", ha_r, "B", ra_b, "text format"))
    out.append(("alloc", "bytes allocated per 1 KB send, hex format", ha_s, "B", sa_b, "text format"))
    out.append(("cpu", "CPU per URC", t_b, "us", t_n, "naive"))
    out.append(("cpu", "CPU per KB received", rt_b * 2, "us", rt_f * 2, "bare readinto loop"))
    out.append(("cpu", "CPU per KB received", rt_b * 2, "us", rt_n * 2, "naive"))
    out.append(("cpu", "CPU per KB sent", st_b, "us", st_f, "bare write loop"))
    out.append(("cpu", "CPU per KB sent", st_b, "us", st_n, "naive"))
    out.append(("cpu", "CPU per KB received, hex format", ht_r * 2, "us", rt_b * 2, "text format"))
    out.append(("cpu", "CPU per KB sent, hex format", ht_s, "us", st_b, "text format"))
    n, wrows = wire_rows()
    for name, wire, best in wrows:
        out.append(("wire", "UART bytes per payload byte, " + name, wire / n, "B/B", best / n, "best"))
    return out


def main(argv=None):
    argv = sys.argv if argv is None else argv
    out = rows()
    if "--rows" in argv:
        for row in out:
            print("ROW|%s|%s|%r|%s|%r|%s" % row)
        return
    print("bc26 benchmark, MicroPython %s (tools/bench/run.py prints the whole table)" % sys.version)
    for _, name, v, unit, ref, refname in out:
        if ref is None:
            print("  %-58s %10.1f %s" % (name, v, unit))
        else:
            ratio = "%.3f" % (v / ref) if ref else "-"
            print("  %-58s %10.3f %-3s vs %10.3f %s (ratio %s)" % (name, v, unit, ref, refname, ratio))


if __name__ == "__main__":
    main()
