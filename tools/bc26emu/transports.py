"""Ways for a driver to reach the emulator: an in-process UART object, a TCP socket, a pty."""

import errno
import os
import select
import socket
import threading
import time
import tty


class EmulatedUART:
    """The machine.UART surface over an Emulator, for a library running in the same process.

    read/readinto return None when nothing arrived within `timeout` ms (0: do not wait), as a
    MicroPython UART does; write accepts write(buf), write(buf, n) and write(buf, off, n) like a
    MicroPython stream.
    """

    def __init__(self, emulator, timeout=0):
        self.emulator = emulator
        self.timeout = timeout
        emulator.host_attached()

    def init(self, *args, timeout=None, **kwargs):
        if timeout is not None:
            self.timeout = timeout

    def deinit(self):
        pass

    close = deinit

    def any(self):
        return self.emulator.output.available()

    def _wait(self):
        if self.timeout and not self.emulator.output.available():
            self.emulator.output.wait(self.timeout / 1000.0)

    def read(self, nbytes=None):
        self._wait()
        data = self.emulator.output.take(nbytes)
        return data or None

    def readinto(self, buf, nbytes=None):
        view = memoryview(buf).cast("B")
        limit = len(view) if nbytes is None else min(nbytes, len(view))
        if limit == 0:
            return 0
        self._wait()
        data = self.emulator.output.take(limit)
        if not data:
            return None
        view[: len(data)] = data
        return len(data)

    def readline(self):
        self._wait()
        out = bytearray()
        while True:
            byte = self.emulator.output.take(1)
            if not byte:
                return bytes(out) or None
            out += byte
            if byte == b"\n":
                return bytes(out)

    def write(self, buf, off_or_len=None, length=None):
        view = memoryview(buf).cast("B")
        if length is not None:
            view = view[off_or_len : off_or_len + length]
        elif off_or_len is not None:
            view = view[:off_or_len]
        data = bytes(view)
        self.emulator.feed(data)
        return len(data)

    def flush(self):
        pass

    def txdone(self):
        return True

    def sendbreak(self):
        pass


class _Pump:
    """Moves the emulator's output to one byte sink on a thread, at the pace the pipe releases it."""

    def __init__(self, emulator, name):
        self.emulator = emulator
        self.stopping = threading.Event()
        self.sink_ready = threading.Event()
        self.sink = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self):
        pipe = self.emulator.output
        while not self.stopping.is_set():
            if not self.sink_ready.wait(0.05):
                continue  # nobody listening: the bytes wait in the pipe like in a UART FIFO
            if not pipe.wait(0.05):
                continue
            data = pipe.take()
            sink = self.sink
            if data and sink is not None:
                try:
                    sink(data)
                except OSError:
                    self.detach()

    def attach(self, sink):
        self.sink = sink
        self.sink_ready.set()

    def detach(self):
        self.sink_ready.clear()
        self.sink = None

    def stop(self):
        self.stopping.set()
        self.emulator.output.wake()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(2.0)


class TcpUartServer:
    """A TCP listener where one client at a time is the module's UART."""

    def __init__(self, emulator, host="127.0.0.1", port=0):
        self.emulator = emulator
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, port))
        self._listener.listen(1)
        self.host, self.port = self._listener.getsockname()
        self._client = None
        self._stopping = threading.Event()
        self._pump = _Pump(emulator, "bc26emu-tcp-out")
        self._thread = threading.Thread(target=self._serve, name="bc26emu-tcp-in", daemon=True)
        self._pump.thread.start()
        self._thread.start()

    @property
    def address(self):
        return "%s:%d" % (self.host, self.port)

    def _serve(self):
        while not self._stopping.is_set():
            ready, _, _ = select.select([self._listener], [], [], 0.05)
            if not ready:
                continue
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._client = client
            self.emulator.host_attached()
            self._pump.attach(client.sendall)
            self._read_client(client)
            self._pump.detach()
            self._client = None
            client.close()

    def _read_client(self, client):
        while not self._stopping.is_set():
            ready, _, _ = select.select([client], [], [], 0.05)
            if not ready:
                continue
            try:
                data = client.recv(4096)
            except OSError:
                return
            if not data:
                return
            self.emulator.feed(data)

    def close(self):
        self._stopping.set()
        client = self._client
        if client is not None:
            try:
                client.shutdown(socket.SHUT_RDWR)  # unblocks a pump stuck in sendall
            except OSError:
                pass
        self._pump.stop()
        if threading.current_thread() is not self._thread:
            self._thread.join(2.0)
        self._listener.close()


class PtyUart:
    """A pseudo-terminal: open `path` with pyserial or picocom and talk to the module."""

    def __init__(self, emulator):
        self.emulator = emulator
        self._master, self._slave = os.openpty()
        # Raw, or the line discipline would echo the module's own output back and mangle CR/LF.
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        os.set_blocking(self._master, False)
        self._stopping = threading.Event()
        self._pump = _Pump(emulator, "bc26emu-pty-out")
        self._pump.attach(self._write)
        self._thread = threading.Thread(target=self._read, name="bc26emu-pty-in", daemon=True)
        self._pump.thread.start()
        self._thread.start()

    def _write(self, data):
        view = memoryview(data)
        while view and not self._stopping.is_set():
            try:
                n = os.write(self._master, view)
                view = view[n:]
            except BlockingIOError:
                # No one is reading the other end: wait for room, but never past close().
                select.select([], [self._master], [], 0.05)

    def _read(self):
        while not self._stopping.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self._master, 4096)
            except BlockingIOError:
                continue
            except OSError as exc:
                if exc.errno == errno.EIO:
                    time.sleep(0.05)  # the client side is between opens
                    continue
                return
            if data:
                self.emulator.feed(data)

    def close(self):
        self._stopping.set()
        self._pump.stop()
        if threading.current_thread() is not self._thread:
            self._thread.join(2.0)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
