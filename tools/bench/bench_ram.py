# Heap used by the driver, for tools/bench/run.py: import bc26, Modem(), one socket in each
# access mode. Small on purpose, so it also runs with -X heapsize=64k. Prints ROW lines.
import gc

gc.collect()
_h0 = gc.mem_alloc()
import bc26  # noqa: E402

gc.collect()
_import = gc.mem_alloc() - _h0


class _Quiet:
    # A UART that never has anything to say.
    def any(self):
        return 0

    def readinto(self, buf, n=None):
        return None

    def write(self, buf, off=0, n=None):
        return len(buf) - off if n is None else n


def rows():
    gc.collect()
    h0 = gc.mem_alloc()
    modem = bc26.Modem(_Quiet())
    gc.collect()
    h_modem = gc.mem_alloc() - h0
    rxbuf = len(modem.engine.buf)
    out = [
        ("ram", "heap: import bc26", _import, "B", None, ""),
        ("ram", "heap: Modem() incl. its %d-byte rx buffer" % rxbuf, h_modem, "B", None, ""),
    ]
    beyond = _import + h_modem - rxbuf
    modem.sockets.known = True
    for mode, name in ((bc26.BUFFER, "buffer mode"), (bc26.PUSH, "push mode, rxsize 1024")):
        gc.collect()
        h0 = gc.mem_alloc()
        modem.sockets.table[4] = bc26.Socket(modem.sockets, 4, "TCP", mode, 1024)
        gc.collect()
        h_sock = gc.mem_alloc() - h0
        out.append(("ram", "heap: one open socket, %s" % name, h_sock, "B", None, ""))
        if mode == bc26.BUFFER:
            beyond += h_sock
        modem.sockets.table[4] = None
    out.append(("ram", "heap: driver + one socket, beyond the rx buffer", beyond, "B", None, ""))
    return out


for row in rows():
    print("ROW|%s|%s|%r|%s|%r|%s" % row)
