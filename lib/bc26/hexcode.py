# The hex data format (AT+QICFG "dataformat" 1): data goes to and comes from the module as hex
# digits. Loaded by Sockets.__getattr__ (as Sockets.hex) the first time a socket sends or
# receives in hex, so a program that keeps the text format (the default) never holds this code.
#
# binascii would allocate the whole payload (twice its size when sending) in one piece,
# which the fragmented heap of a node that has run for weeks may not have; so hex goes in
# and out through one small buffer, and nothing is allocated per byte or per record. Sending
# and receiving never overlap in it: data goes out only between reads.

from ._compat import const

_BUF = const(128)  # hex goes in and out through a buffer this long


class HexCoder:
    """The hex coding of one modem's sockets (Sockets.hex, made on first use)."""

    def __init__(self, net):
        self.sockets = net
        self.mv = memoryview(bytearray(_BUF))
        self.nib = -1  # the first digit of a pair whose second has not come yet
        self.bad = False  # this AT+QIRD record was damaged: the rest of it is dropped
        # Bound once and kept under their own names: handing the engine self.read_hex would
        # otherwise allocate a bound method for every record.
        self.read_hex = self.read_hex
        self.push_hex = self.push_hex

    def start(self):
        # A record of hex data begins (an AT+QIRD answer or a "recv" URC).
        self.nib = -1
        self.bad = False

    def data(self, sink, n, inline, p, end):
        # A record's n bytes of hex data for sink (read_hex or push_hex): on the record's own
        # line from buf[p] to buf[end] (viewmode 1), without one pair of quotes around it, or
        # the 2 n digits that follow the line.
        self.start()
        e = self.sockets.e
        if inline:
            buf = e.buf
            if end - p >= 2 and buf[p] == 34 and buf[end - 1] == 34:
                p += 1
                end -= 1
            sink(e.mv, p, end)
        else:
            e.take(2 * n, sink)

    def hex_out(self, data, off, n):
        # Writes data[off:off+n] to the module as hex digits.
        out = self.mv
        e = self.sockets.e  # (not e.write: a bound method kept in a local is allocated)
        digits = b"0123456789abcdef"
        end = off + n
        while off < end:
            j = 0
            while off < end and j < _BUF:
                c = data[off]
                out[j] = digits[c >> 4]
                out[j + 1] = digits[c & 15]
                off += 1
                j += 2
            e.write(out, 0, j)

    def hex_in(self, mv, s, e, sink):
        # The bytes that the hex digits mv[s:e] stand for, to sink(mv, start, end) a piece at
        # a time. The digits come in pieces as they arrive, so a pair may be split between
        # two calls (nib keeps its first digit): no record has to fit the receive buffer.
        # -1, or the index of the first byte that is not a hex digit (damaged on the wire):
        # the pieces before it have been handed over.
        out = self.mv
        j = 0
        a = self.nib
        while s < e:
            c = mv[s]
            s += 1
            # c | 32 turns A-F into a-f and leaves the digits as they are.
            x = c | 32
            if c < 48 or not (x <= 57 or 97 <= x <= 102):
                self.nib = -1
                if j:
                    sink(out, 0, j)
                return s - 1
            v = (c & 15) + (c >> 6) * 9
            if a < 0:
                a = v
                continue
            out[j] = a << 4 | v
            a = -1
            j += 1
            if j == _BUF:
                sink(out, 0, j)
                j = 0
        self.nib = a
        if j:
            sink(out, 0, j)
        return -1

    def read_hex(self, mv, s, e):
        # The sink of an AT+QIRD record in hex.
        net = self.sockets
        if mv is None:
            net.read_sink(mv, s, e)  # the rest never came (Engine.take)
        elif not self.bad:
            q = self.hex_in(mv, s, e, net.read_sink)
            if q >= 0:
                # Damaged on the wire: the bytes before it count, the rest of the record is
                # dropped, and the next read raises DataLost at the gap. The data ends at the
                # damage (Engine.take): what the module printed there is read as records
                # (a boot banner after a restart in the middle of the data, say).
                self.bad = True
                net.damage()
                return q

    def push_hex(self, mv, s, e):
        # The sink of pushed data in hex (a "recv" URC); the end of the data as read_hex.
        net = self.sockets
        if mv is None:
            net.drop_push()
            return
        q = self.hex_in(mv, s, e, net.push_sink)
        if q >= 0:
            net.drop_push()
            return q
