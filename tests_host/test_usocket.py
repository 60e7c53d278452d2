# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
# bc26.usocket against a FakeUART: what goes on the wire for each socket call, and the
# MicroPython socket semantics that need no real server (the e2e tests cover the rest).
# Errors are checked by args[0]: CPython leaves .errno None for OSError(n), MicroPython does not.
import errno
import sys

import bc26
from bc26.usocket import SocketPool, install, uninstall
from fakeuart import FakeUART
from testutil import raises

OK = b"\r\nOK\r\n"


def make():
    u = FakeUART()
    m = bc26.Modem(u)
    m.sockets.known = True  # the AT+QICFG values are the driver's defaults
    return u, m, SocketPool(m)


def connected(u, pool, cid=0):
    u.reply(b"AT+QIOPEN=", OK + b"\r\n+QIOPEN: %d,0\r\n" % cid)
    s = pool.socket()
    s.connect(("127.0.0.1", 1883))
    u.take_tx()
    return s


def test_getaddrinfo_takes_ip_literals_as_they_are_and_names_through_the_module():
    u, m, pool = make()
    ai = pool.getaddrinfo("10.0.0.7", 1883)
    assert ai == [(2, 1, 0, "", ("10.0.0.7", 1883))]
    assert u.take_tx() == b""
    u.reply(
        b'AT+QIDNSGIP=1,"broker.example"\r',
        OK,
        b'\r\n+QIURC: "dnsgip",0,1,600\r\n+QIURC: "dnsgip","10.0.0.8"\r\n',
    )
    ai = pool.getaddrinfo("broker.example", 80, 0, pool.SOCK_DGRAM)
    assert ai == [(2, 2, 0, "", ("10.0.0.8", 80))]
    u.reply(b'AT+QIDNSGIP=1,"nowhere.example"\r', OK, b'\r\n+QIURC: "dnsgip",565\r\n')
    e = raises(OSError, pool.getaddrinfo, "nowhere.example", 80)
    assert e.args[0] < 0


def test_write_forms_each_make_one_send():
    u, m, pool = make()
    s = connected(u, pool)
    u.reply(b"AT+QISEND=0,3,abc\r", OK + b"\r\nSEND OK\r\n")
    assert s.write(b"abcdef", 3) == 3  # write(buf, n), as umqtt writes
    u.reply(b"AT+QISEND=0,2,de\r", OK + b"\r\nSEND OK\r\n")
    assert s.write(b"abcdef", 3, 2) == 2  # write(buf, off, n)
    u.reply(b'AT+QISEND=0,5,"Host:"\r', OK + b"\r\nSEND OK\r\n")
    assert s.write("Host:") == 5  # str, as requests writes headers
    assert u.take_tx() == b'AT+QISEND=0,3,abc\rAT+QISEND=0,2,de\rAT+QISEND=0,5,"Host:"\r'


def test_write_sends_an_array_of_wider_items_as_its_bytes():
    # As Socket.send (test_attacks6.py): len() of an array("H") counts items, so 4 samples
    # went as 4 of their 8 bytes. write() counts and returns bytes, as a stream does.
    from array import array

    u, m, pool = make()
    s = connected(u, pool)
    samples = array("H", [0x4141, 0x4242, 0x4343, 0x4444])
    u.reply(b"AT+QISEND=0,8,AABBCCDD\r", OK + b"\r\nSEND OK\r\n")
    assert s.write(samples) == 8
    assert u.take_tx() == b"AT+QISEND=0,8,AABBCCDD\r"


def test_small_reads_share_one_qird_through_the_read_ahead():
    u, m, pool = make()
    s = connected(u, pool)
    u.feed(b'\r\n+QIURC: "recv",0\r\n')
    u.reply(b"AT+QIRD=0,256\r", b"\r\n+QIRD: 6\r\n\x30\x02ab\r\n\r\n" + OK)
    assert s.read(1) == b"\x30"
    assert s.read(1) == b"\x02"
    assert s.readline() == b"ab\r\n"
    assert u.take_tx() == b"AT+QIRD=0,256\r"


def test_non_blocking_reads_return_none_and_recv_raises_eagain():
    u, m, pool = make()
    s = connected(u, pool)
    s.setblocking(False)
    assert s.read(4) is None
    assert s.readinto(bytearray(4)) is None
    assert s.readline() is None
    assert raises(OSError, s.recv, 4).args[0] == errno.EAGAIN
    s.settimeout(0.05)
    assert raises(OSError, s.read, 1).args[0] == errno.ETIMEDOUT


def test_poll_reports_data_the_moment_the_module_announces_it():
    u, m, pool = make()
    s = connected(u, pool)
    assert s.ioctl(3, 0x01 | 0x04) == 0x04  # writable, nothing to read
    u.feed(b'\r\n+QIURC: "recv",0\r\n')
    assert s.ioctl(3, 0x01 | 0x04) == 0x05
    assert s.ioctl(99, 0) == -errno.EINVAL


def test_end_of_stream_after_the_peer_closes():
    u, m, pool = make()
    s = connected(u, pool)
    u.feed(b'\r\n+QIURC: "recv",0\r\n\r\n+QIURC: "closed",0\r\n')
    u.reply(b"AT+QIRD=0,256\r", b"\r\n+QIRD: 3\r\nbye\r\n\r\n" + OK)
    u.reply(b"AT+QIRD=0,256\r", b"\r\n+QIRD: 0\r\n" + OK)
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    assert s.read() == b"bye"
    assert s.read(1) == b""
    assert s.readinto(bytearray(2)) == 0
    assert m.sockets.table[0] is None
    s.close()
    assert u.take_tx().count(b"AT+QICLOSE") == 1


def test_a_failed_send_frees_the_connect_id_at_once():
    u, m, pool = make()
    s = connected(u, pool)
    u.reply(b"AT+QISEND=0,3,abc\r", OK + b"\r\nSEND FAIL\r\n")
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    e = raises(OSError, s.write, b"abc")
    assert e.args[0] == errno.ECONNRESET
    assert m.sockets.table[0] is None and b"AT+QICLOSE=0\r" in u.take_tx()
    assert raises(OSError, s.write, b"abc").args[0] == errno.ENOTCONN
    s.close()
    assert u.take_tx() == b""


def test_connect_errors_carry_socket_errnos():
    u, m, pool = make()
    u.reply(b"AT+QIOPEN=", OK + b"\r\n+QIOPEN: 0,566\r\n")
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    s = pool.socket()
    e = raises(OSError, s.connect, ("127.0.0.1", 9))
    assert e.args[0] == errno.ECONNREFUSED and "566" in str(e)
    assert raises(OSError, s.read, 1).args[0] == errno.ENOTCONN


def test_close_is_idempotent_and_closed_sockets_raise_ebadf():
    u, m, pool = make()
    s = connected(u, pool)
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    with s:
        assert s.makefile("rb") is s
    s.close()
    assert u.take_tx() == b"AT+QICLOSE=0\r"
    assert raises(OSError, s.write, b"x").args[0] == errno.EBADF


class _Locked:
    # Stands in for bc26.aio.AsyncModem holding the module.
    class lock:
        @staticmethod
        def locked():
            return True


def test_while_aio_holds_the_module_calls_step_aside():
    u, m, pool = make()
    s = connected(u, pool)
    m.aio = _Locked()
    s.setblocking(False)
    assert s.write(b"abc") is None
    assert s.read(1) is None
    s.setblocking(True)
    assert raises(OSError, s.write, b"abc").args[0] == errno.EAGAIN
    s.close()  # deferred: the next poll with the module free closes it
    assert u.take_tx() == b"" and m.sockets.closing == 1
    m.aio = None
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    m.poll()
    assert u.take_tx() == b"AT+QICLOSE=0\r" and m.sockets.closing == 0


def test_install_and_uninstall_swap_the_socket_module():
    u, m, pool = make()
    before = sys.modules.get("socket")
    install(m)
    try:
        import socket

        assert socket is sys.modules["bc26.usocket"]
        assert socket.getaddrinfo("1.2.3.4", 5)[0][-1] == ("1.2.3.4", 5)
    finally:
        uninstall()
    assert sys.modules.get("socket") is before


def test_poll_wakes_a_reader_of_a_closed_socket():
    u, m, pool = make()
    s = connected(u, pool)
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    s.close()
    assert s.ioctl(3, 0x01) == 0x18  # ERR | HUP: the read that follows raises EBADF
    assert pool.socket().ioctl(3, 0x01) == 0  # not connected yet: nothing to report


def test_coalesce_gathers_writes_into_one_send_before_the_socket_reads():
    u, m, pool = make()
    pool.coalesce = 64
    s = connected(u, pool)
    for part in (b"GET / HTTP/1.1\r\n", "Host", b": ", "x", b"\r\n", b"\r\n"):
        s.write(part)
    assert u.take_tx() == b""  # held
    u.reply(b"AT+QISEND=0,27\r", b"\r\n> ")
    u.reply(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", OK + b"\r\nSEND OK\r\n", b'\r\n+QIURC: "recv",0\r\n')
    u.reply(b"AT+QIRD=0,256\r", b"\r\n+QIRD: 17\r\nHTTP/1.1 200 OK\r\n\r\n" + OK)
    assert s.readline() == b"HTTP/1.1 200 OK\r\n"
    assert u.take_tx() == b"AT+QISEND=0,27\rGET / HTTP/1.1\r\nHost: x\r\n\r\nAT+QIRD=0,256\r"
    s.write(b"ab")
    u.reply(b"AT+QISEND=0,2,ab\r", OK + b"\r\nSEND OK\r\n")
    s.flush()  # a write with no read after it
    u.reply(b"AT+QISEND=0,", OK + b"\r\nSEND OK\r\n")
    s.write(b"z" * 100)  # larger than the buffer: straight out
    assert u.take_tx() == b"AT+QISEND=0,2,ab\rAT+QISEND=0,100,%s\r" % (b"z" * 100)
