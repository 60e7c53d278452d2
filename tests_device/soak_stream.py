# No data lost: checksummed messages through a TCP echo, in both access modes and both data
# formats, with the heap measured after gc.collect() at the start and at the end.
#
#   micropython tests_device/soak_stream.py HOST PORT MESSAGES [MAX_SIZE [BOARD]]
#
# Each message carries its sequence number and the CRC-32 of its body; the echo must come
# back byte for byte. Prints one line per combination and a closing summary line.
import gc
import sys

# The large buffers first, while the heap is still in one piece (on a small heap the scattered
# small objects that imports leave behind have no hole this large later): the message, the
# modem's receive buffer and a push-mode socket's buffer.
MAX_SIZE = 1460  # the data mode's limit
_out = bytearray(MAX_SIZE)
_rx = bytearray(1536)
_ring = bytearray(MAX_SIZE)

from binascii import crc32  # noqa: E402
from struct import pack_into, unpack_from  # noqa: E402

import bc26  # noqa: E402


def fill(buf, n, state):
    # xorshift32 into buf[8:n] without allocating; returns the next state.
    for i in range(8, n):
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        buf[i] = state & 0xFF
    return state


def combination(modem, host, port, mode, hexfmt, viewmode, count, out):
    modem.configure(send_hex=hexfmt, recv_hex=hexfmt, viewmode=viewmode, showlength=viewmode)
    # One message is in flight at a time: the push buffer needs room for one, and the echo
    # comes back into the buffer it was sent from, scrubbed first (its header carries what to
    # check), so bytes the driver did not write cannot pass for bytes it received.
    max_size = len(out)
    sock = modem.open("TCP", host, port, mode=mode, rxsize=_ring)
    out_mv = memoryview(out)
    state = 2463534242
    moved = 0
    heap0 = 0
    for seq in range(count):
        state = fill(out, 9, state)  # one step of its own, so a size of 8 does not repeat forever
        n = 8 + (state % (max_size - 8))
        state = fill(out, n, state)
        crc = crc32(out_mv[8:n])
        pack_into(">II", out, 0, seq, crc)
        sock.send(out_mv[:n])
        fill(out, n, seq + 1)  # scrub the body: another pseudo-random sequence
        pack_into(">II", out, 0, 0xFFFFFFFF, 0)
        got = 0
        while got < n:
            k = sock.recv_into(out_mv[got:n], n - got, 10000)
            if not k:
                raise AssertionError("stream ended at message %d" % seq)
            got += k
        if unpack_from(">II", out, 0) != (seq, crc) or crc32(out_mv[8:n]) != crc:
            raise AssertionError("message %d came back damaged" % seq)
        moved += n
        if seq == min(20, count // 2):  # a short run still measures over its second half
            gc.collect()
            heap0 = gc.mem_alloc()
    gc.collect()
    heap1 = gc.mem_alloc()
    sock.close()
    return moved, heap0, heap1


def main(host, port, count, max_size=MAX_SIZE, board=None):
    """board: the name of the boards/ module whose uart() to use; None: device_settings.BOARD."""
    if not 9 <= max_size <= MAX_SIZE:
        raise ValueError("max_size: 9..%d" % MAX_SIZE)
    out = memoryview(_out)[:max_size]
    if board is None:
        try:
            import device_settings as settings
        except ImportError:
            import settings
        board = settings.BOARD
    modem = bc26.Modem(__import__(board).uart(), _rx)
    modem.sync()
    modem.command("ATE0")
    total = 0
    messages = 0
    growth = 0
    for mode, hexfmt, viewmode in ((0, False, 0), (0, True, 1), (1, False, 1), (1, True, 0)):
        moved, heap0, heap1 = combination(modem, host, port, mode, hexfmt, viewmode, count, out)
        total += moved
        messages += count
        growth = max(growth, heap1 - heap0)
        print(
            "%-6s %-4s viewmode %d: %5d messages, %8d bytes each way, heap %d -> %d"
            % (
                "push" if mode else "buffer",
                "hex" if hexfmt else "text",
                viewmode,
                count,
                moved,
                heap0,
                heap1,
            )
        )
    print("soak: %d messages, %d bytes each way, 0 lost, heap growth %d" % (messages, total, growth))
    return growth


if __name__ == "__main__":
    args = sys.argv[1:]
    g = main(args[0], int(args[1]), int(args[2]), int(args[3]) if len(args) > 3 else MAX_SIZE, *args[4:5])
    sys.exit(1 if g > 0 else 0)
