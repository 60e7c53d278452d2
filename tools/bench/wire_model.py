# The module's side of bulk transfers, with the manual's framing, counting every UART byte.
#
# Used by tools/bench/bench_receive.py (MicroPython unix port) to measure bytes on the wire per payload
# byte, beside best_send()/best_receive(): the cheapest framing the manual allows for the
# same payload. Only the commands of a bulk transfer are understood: QISEND (inline, fixed
# and Ctrl+Z data mode), QISENDEX and QIRD, plus the "recv" URCs the model pushes itself.
import binascii

OK = b"\r\nOK\r\n"
SEND_OK = b"\r\nOK\r\n\r\nSEND OK\r\n"


class WireModule:
    def __init__(self, viewmode=0, showlength=0, send_hex=False, recv_hex=False):
        self.viewmode = viewmode
        self.showlength = showlength
        self.send_hex = send_hex
        self.recv_hex = recv_hex
        self.out = bytearray()  # module -> driver, not read yet
        self.inp = bytearray()  # driver -> module, not parsed yet
        self.to_module = 0
        self.from_module = 0
        self.received = bytearray()  # payload the module got from the driver
        self.store = bytearray()  # buffer mode: data held for AT+QIRD
        self.data_left = -1  # in data mode: bytes still expected (-2: until Ctrl+Z)

    # UART surface
    def any(self):
        return len(self.out)

    def readinto(self, buf, n=None):
        k = len(self.out)
        if n is not None and n < k:
            k = n
        if not k:
            return None
        buf[0:k] = self.out[0:k]
        self.out[0:k] = b""
        self.from_module += k
        return k

    def write(self, buf, off=0, n=None):
        if n is None:
            n = len(buf) - off
        self.to_module += n
        self.inp.extend(bytes(buf[off : off + n]))
        self._parse()
        return n

    def emit(self, data):
        self.out.extend(data)

    # the remote sends data to the driver
    def deliver(self, data, push):
        body = binascii.hexlify(data) if self.recv_hex else data
        if push:
            sep = b"," if self.viewmode else b"\r\n"
            self.emit(b'\r\n+QIURC: "recv",0,%d' % len(data) + sep + body + b"\r\n")
            return
        if not self.store:
            if self.showlength:
                self.emit(b'\r\n+QIURC: "recv",0,%d\r\n' % len(data))
            else:
                self.emit(b'\r\n+QIURC: "recv",0\r\n')
        self.store.extend(data)

    def _parse(self):
        while True:
            if self.data_left >= 0:
                unit = 2 if self.send_hex else 1
                need = self.data_left * unit
                if len(self.inp) < need:
                    return
                self._got(self.inp[:need])
                self.inp[:need] = b""
                self.data_left = -1
                self.emit(SEND_OK)
                continue
            if self.data_left == -2:
                i = self.inp.find(b"\x1a")
                if i < 0:
                    return
                self._got(self.inp[:i])
                self.inp[: i + 1] = b""
                self.data_left = -1
                self.emit(SEND_OK)
                continue
            i = self.inp.find(b"\r")
            if i < 0:
                return
            line = bytes(self.inp[:i])
            self.inp[: i + 1] = b""
            self._command(line)

    def _got(self, data):
        self.received.extend(binascii.unhexlify(data) if self.send_hex else data)

    def _command(self, line):
        if line.startswith(b"AT+QISENDEX="):
            hexdata = line.split(b",", 2)[2].strip(b'"')
            self.received.extend(binascii.unhexlify(hexdata))
            self.emit(SEND_OK)
        elif line.startswith(b"AT+QISEND="):
            args = line[10:].split(b",", 2)
            if len(args) == 1:
                self.data_left = -2
                self.emit(b"\r\n> ")
            elif len(args) == 2:
                self.data_left = int(args[1])
                self.emit(b"\r\n> ")
            else:
                data = args[2]
                if data[:1] == b'"' and data[-1:] == b'"':
                    data = data[1:-1]
                self._got(data)
                self.emit(SEND_OK)
        elif line.startswith(b"AT+QIRD="):
            n = int(line.split(b",")[1])
            k = min(n, len(self.store))
            data = bytes(self.store[:k])
            self.store[:k] = b""
            if not k:
                self.emit(b"\r\n+QIRD: 0\r\n" + OK)
                return
            head = b"\r\n+QIRD: %d" % k
            if self.showlength:
                head += b",%d" % len(self.store)
            body = binascii.hexlify(data) if self.recv_hex else data
            sep = b"," if self.viewmode else b"\r\n"
            self.emit(head + sep + body + b"\r\n" + OK)
        else:
            self.emit(b"\r\nERROR\r\n")


def best_send(n, send_hex):
    """UART bytes for n payload bytes in the cheapest framing the manual allows (binary data:
    the fixed-length data mode in 1460-byte pieces, 730 in hex; inline hex when cheaper)."""
    unit = 2 if send_hex else 1
    total = 0
    while n > 0:
        best = None
        for limit, inline in ((730 if send_hex else 1460, False), (512, True)):
            if inline and not send_hex:
                continue  # binary data cannot go inline as text
            k = n if n < limit else limit
            if inline:
                cost = len(b"AT+QISEND=0,%d," % k) + k * unit + 1 + len(SEND_OK)
            else:
                cost = len(b"AT+QISEND=0,%d\r" % k) + 4 + k * unit + len(SEND_OK)
            per = cost / k
            if best is None or per < best[0]:
                best = (per, k, cost)
        total += best[2]
        n -= best[1]
    return total


def best_receive(n, push, viewmode, showlength, recv_hex, piece):
    """UART bytes for n payload bytes arriving in pieces of `piece` bytes, in the cheapest
    framing the manual allows: push URCs, or one "recv" URC, reads of 512 and the empty read
    that the manual requires before the next URC."""
    unit = 2 if recv_hex else 1
    total = 0
    left = n
    while left > 0:
        k = left if left < piece else piece
        if push:
            total += len(b'\r\n+QIURC: "recv",0,%d' % k) + 1 + (viewmode == 0) + k * unit + 2
        left -= k
    if push:
        return total
    total += len(b'\r\n+QIURC: "recv",0\r\n') + (len(b",%d" % piece) if showlength else 0)
    left = n
    while left > 0:
        k = left if left < 512 else 512
        head = len(b"\r\n+QIRD: %d" % k) + (len(b",%d" % (left - k)) if showlength else 0)
        total += len(b"AT+QIRD=0,512\r") + head + 1 + (viewmode == 0) + k * unit + 2 + len(OK)
        left -= k
    return total + len(b"AT+QIRD=0,512\r") + len(b"\r\n+QIRD: 0\r\n") + len(OK)
