# The socket contract of bc26.usocket, as MicroPython defines it (not CPython), checked
# against real servers through the module: a TCP echo server that closes after "QUIT\n", a
# UDP echo server, a DNS server, a port where nobody listens. Run by
# tests_host/test_e2e_usocket.py; prints one line per test and "N passed, N failed".
import errno
import select
import sys
import time

from e2e_common import Timer, bring_up, check, settings

modem = bring_up()
modem.set_dns(settings.DNS)
import bc26.usocket  # noqa: E402

bc26.usocket.install(modem)
import socket  # noqa: E402  (this is bc26.usocket now)

ECHO = settings.ECHO
ALL = bytes(range(256))


def tcp(timeout=5):
    s = socket.socket()
    s.settimeout(timeout)
    s.connect(socket.getaddrinfo(ECHO[0], ECHO[1])[0][-1])
    return s


def recv_all(s, n):
    # TCP is a stream: one recv returns what has arrived, and a module at 115200 baud hands a
    # reply over in pieces. Each recv waits at most the socket's timeout.
    got = b""
    while len(got) < n:
        part = s.recv(n - len(got))
        if not part:
            break
        got += part
    return got


def oserror(fn, *args):
    try:
        fn(*args)
    except OSError as e:
        return e.errno
    raise AssertionError("no OSError from %r" % fn)


def test_module_is_installed():
    import usocket

    check(socket is bc26.usocket and usocket is bc26.usocket, "sys.modules")
    check((socket.AF_INET, socket.SOCK_STREAM, socket.SOCK_DGRAM) == (2, 1, 2), "constants")


def test_getaddrinfo():
    ai = socket.getaddrinfo("127.0.0.1", 80)
    check(ai == [(2, 1, 0, "", ("127.0.0.1", 80))], ai)
    ai = socket.getaddrinfo(settings.NAME[0], 8080, 0, socket.SOCK_DGRAM)
    check(ai[0][1] == socket.SOCK_DGRAM and ai[0][-1] == (settings.NAME[1], 8080), ai)
    e = oserror(socket.getaddrinfo, "nowhere.bc26.test", 80)
    check(e < 0, "resolution errors are negative, not %r" % e)


def test_exact_reads_lines_and_write_forms():
    s = tcp()
    s.write(b"xxhello world\nsecond line\n+++", 2, 24)  # write(buf, off, n)
    s.write("tail\n")  # str, as requests writes headers
    s.write(bytearray(b"1234567"), 3)  # write(buf, n), as umqtt writes packets
    check(s.read(5) == b"hello", "read(5)")
    check(s.readline() == b" world\n", "readline")
    buf = bytearray(20)
    check(s.readinto(memoryview(buf)[4:], 12) == 12 and buf[4:16] == b"second line\n", buf)
    check(s.readline() == b"tail\n", "readline 2")
    check(s.read(3) == b"123", "write(buf, n)")
    check(s.makefile("rb") is s, "makefile")
    s.close()
    s.close()  # twice is fine
    check(oserror(s.read, 1) == errno.EBADF, "read after close")


def test_binary_round_trip_larger_than_one_send_and_read():
    s = tcp()
    data = ALL * 20  # 5120 bytes: several AT+QISEND and AT+QIRD
    s.sendall(data)
    check(s.read(len(data)) == data, "5120 bytes back")
    s.close()


def test_non_blocking_returns_none_and_recv_raises_eagain():
    s = tcp()
    s.setblocking(False)
    check(s.read(10) is None, "read")
    check(s.readinto(bytearray(4)) is None, "readinto")
    check(s.readline() is None, "readline")
    check(oserror(s.recv, 10) == errno.EAGAIN, "recv")
    s.write(b"abc")
    t = Timer()
    got = b""
    while len(got) < 3 and t.ms() < 3000:
        got += s.read(10) or b""  # short reads are fine when non-blocking: the echo may come in pieces
    check(got == b"abc", got)
    s.setblocking(True)
    s.write(b"def")
    check(recv_all(s, 3) == b"def", "recv")
    s.close()


def test_timeout_raises_etimedout():
    s = tcp(0.3)
    t = Timer()
    check(oserror(s.read, 1) == errno.ETIMEDOUT, "errno")
    check(250 <= t.ms() < 2000, t.ms())
    s.close()


def test_end_of_stream():
    s = tcp()
    s.write(b"bye\nQUIT\n")
    check(s.readline() == b"bye\n", "line")
    check(s.read() == b"QUIT\n", "read() to the end")
    check(s.read(1) == b"" and s.readinto(bytearray(1)) == 0 and s.readline() == b"", "EOF")
    check(s.recv(5) == b"", "recv at EOF")
    open_ids = [i for i in range(5) if modem.sockets.table[i] is not None]
    check(not open_ids, "EOF frees the connectID: %r" % open_ids)
    s.close()


def test_select_poll():
    s = tcp()
    p = select.poll()
    p.register(s, select.POLLIN)
    check(p.poll(0) == [], "nothing yet")
    s.write(b"ping")
    t = Timer()
    ev = p.poll(3000)
    check(ev and ev[0][0] is s and ev[0][1] & select.POLLIN, ev)
    print("  poll saw the echo after %d ms" % t.ms())
    check(s.read(4) == b"ping", "data")
    p.register(s, select.POLLOUT)
    check(p.poll(0)[0][1] & select.POLLOUT, "writable")
    s.close()


def test_udp_sendto_recvfrom_and_connected():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(5)
    addr = socket.getaddrinfo(settings.UDP[0], settings.UDP[1])[0][-1]
    u.sendto(b"one\r\nOK\r\n", addr)
    u.sendto(b"two", addr)
    check(u.recvfrom(100) == (b"one\r\nOK\r\n", addr), "first datagram")
    check(u.recv(100) == b"two", "datagrams stay apart")
    u.close()
    # mqtt_as's wan_ok: connect, write, readinto on a UDP socket.
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(5)
    u.connect(addr)
    u.write(b"\x12\x34query")
    buf = bytearray(64)
    check(u.readinto(buf) == 7 and buf[:7] == b"\x12\x34query", buf)
    u.close()


def test_connect_refused_and_not_connected():
    s = socket.socket()
    check(oserror(s.connect, settings.REFUSED) == errno.ECONNREFUSED, "refused")
    check(oserror(s.write, b"x") == errno.ENOTCONN, "write unconnected")
    s.close()


def test_all_five_connect_ids_and_reclaim():
    socks = [tcp() for _ in range(5)]
    check(oserror(tcp) == errno.ENOMEM, "a sixth")
    # A client that drops a socket whose peer closed, without close(), leaks nothing.
    socks[0].write(b"QUIT\n")
    check(socks[0].read(5) == b"QUIT\n", "echo")
    t = Timer()
    while not modem.sockets.table[socks[0]._s.id].remote_closed and t.ms() < 3000:
        modem.engine.idle(10)
        modem.poll()
    s6 = tcp()  # reclaims the one the peer closed
    for s in socks + [s6]:
        s.close()


def test_context_manager_and_setsockopt():
    with tcp() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.send(b"x")
        check(s.recv(1) == b"x", "recv")
    check(oserror(s.send, b"x") == errno.EBADF, "closed by with")


def main():
    passed = failed = 0
    for name in sorted(globals()):
        if not name.startswith("test_"):
            continue
        try:
            globals()[name]()
            passed += 1
            print("ok    " + name)
        except Exception as e:
            failed += 1
            print("FAIL  %s: %r" % (name, e))
            sys.print_exception(e)
        for i in range(5):
            s = modem.sockets.table[i]
            if s is not None:
                s.close()
    print("usocket: %d passed, %d failed" % (passed, failed))
    return failed


t0 = time.ticks_ms()
sys.exit(1 if main() else 0)
