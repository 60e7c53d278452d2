"""Helpers for tests that talk to the emulator: a scripted terminal over any byte channel.

    def test_at(make_session):
        s = make_session(reg_delay=0)
        s.ready()                       # wait for +IP:, send ATE0, start from a clean slate
        s.send(b"AT\\r")
        s.expect_exact(b"\\r\\nOK\\r\\n")

The fixtures (make_emu, make_session, ready_session, servers) live in tools.bc26emu.pytest_plugin,
which tests_host/conftest.py loads for every test. Every wait polls with a deadline; nothing sleeps
longer than it must.
"""

import os
import time

# What the module says most, as the bytes on the wire.
OK = b"\r\nOK\r\n"
ERROR = b"\r\nERROR\r\n"
SENT = OK + b"\r\nSEND OK\r\n"  # a send command's OK, then its trailer


def wait_for(predicate, timeout=3.0):
    """Until predicate() is true (returns True); AssertionError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.001)
    return True


class Session:
    """A terminal on some byte channel: send(), then expect what comes back."""

    def __init__(self, write, read, timeout=3.0):
        self._write = write
        self._read = read
        self.timeout = timeout
        self.buf = bytearray()

    @classmethod
    def over_uart(cls, uart, **kw):
        return cls(uart.write, uart.read, **kw)

    @classmethod
    def over_socket(cls, sock, **kw):
        sock.setblocking(False)

        def read():
            try:
                return sock.recv(4096)
            except BlockingIOError:
                return None

        return cls(sock.sendall, read, **kw)

    @classmethod
    def over_fd(cls, fd, **kw):
        os.set_blocking(fd, False)

        def read():
            try:
                return os.read(fd, 4096)
            except BlockingIOError:
                return None

        def write(data):
            os.write(fd, data)

        return cls(write, read, **kw)

    def send(self, data):
        self._write(data)

    def _pull(self):
        data = self._read()
        if data:
            self.buf += data
            return True
        return False

    def _deadline(self, timeout):
        return time.monotonic() + (self.timeout if timeout is None else timeout)

    def expect(self, pattern, timeout=None):
        """Wait for pattern; return (and consume) everything up to and including it."""
        deadline = self._deadline(timeout)
        while True:
            self._pull()
            at = self.buf.find(pattern)
            if at >= 0:
                out = bytes(self.buf[: at + len(pattern)])
                del self.buf[: at + len(pattern)]
                return out
            if time.monotonic() > deadline:
                raise AssertionError("no %r within the deadline; got %r" % (pattern, bytes(self.buf)))
            time.sleep(0.001)

    def expect_exact(self, expected, timeout=None):
        """The next bytes must be exactly `expected`, byte for byte."""
        deadline = self._deadline(timeout)
        while len(self.buf) < len(expected):
            if not self._pull():
                if time.monotonic() > deadline:
                    break
                time.sleep(0.001)
        got = bytes(self.buf[: len(expected)])
        assert got == expected, "expected %r\n     got %r (buffer %r)" % (expected, got, bytes(self.buf))
        del self.buf[: len(expected)]
        return got

    def take(self, count, timeout=None):
        """Exactly count bytes, whatever they hold (counted data after a length header)."""
        deadline = self._deadline(timeout)
        while len(self.buf) < count:
            if not self._pull():
                if time.monotonic() > deadline:
                    raise AssertionError(
                        "%d of %d bytes arrived: %r" % (len(self.buf), count, bytes(self.buf))
                    )
                time.sleep(0.001)
        out = bytes(self.buf[:count])
        del self.buf[:count]
        return out

    def collect(self, duration):
        """Everything that arrives within duration seconds (for proving silence or counting URCs)."""
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            if not self._pull():
                time.sleep(0.001)
        out = bytes(self.buf)
        self.buf.clear()
        return out

    def assert_quiet(self, duration=0.05):
        extra = self.collect(duration)
        assert extra == b"", "unexpected output %r" % extra

    def command(self, line, final=b"\r\nOK\r\n", timeout=None):
        """Send one command line and return the answer through its final result code."""
        self.send(line + b"\r")
        return self.expect(final, timeout)

    def ready(self, timeout=None):
        """Wait for registration (+IP:), turn echo off and drop what came before."""
        self.expect(b"+IP: ", timeout)
        self.expect(b"\r\n", timeout)
        self.send(b"ATE0\r")
        self.expect(b"\r\nOK\r\n", timeout)  # echoed or not, depending on the echo knob
        self.buf.clear()
