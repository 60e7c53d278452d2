"""The emulator reached the ways a driver would: TCP listener, pty, and the command line."""

import os
import socket
import subprocess
import sys
import time

from tools.bc26emu.testing import (
    OK,
    Session,
)
from tools.servers import TcpEchoServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def exchange(s, echo_port):
    """One bring-up plus a socket round trip, the same on every transport."""
    s.ready()
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,1\r' % echo_port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n")
    s.send(b"AT+QISEND=0,5,hello\r")
    s.expect_exact(OK + b'\r\nSEND OK\r\n\r\n+QIURC: "recv",0,5\r\nhello\r\n')
    s.send(b"AT+QICLOSE=0\r")
    s.expect_exact(OK + b"\r\nCLOSE OK\r\n")


def test_tcp_listener(make_emu, servers):
    echo = servers(TcpEchoServer)
    emu = make_emu()
    server = emu.serve_tcp()
    assert server.port > 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
        exchange(Session.over_socket(sock), echo.port)
    # The next client gets the UART after the first one left.
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
        s = Session.over_socket(sock)
        s.send(b"AT\r")
        s.expect_exact(OK)
    assert emu.commands[-1] == "AT"


def test_pty(make_emu, servers):
    echo = servers(TcpEchoServer)
    emu = make_emu()
    pty = emu.open_pty()
    assert pty.path.startswith("/dev/")
    fd = os.open(pty.path, os.O_RDWR | os.O_NOCTTY)
    try:
        exchange(Session.over_fd(fd), echo.port)
    finally:
        os.close(fd)


def test_command_line_tcp(servers):
    echo = servers(TcpEchoServer)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.bc26emu",
            "--tcp",
            "127.0.0.1:0",
            "--reg-delay",
            "0.05",
            "--redirect",
            "220.180.239.212:8062=127.0.0.1:%d" % echo.port,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        first = proc.stdout.readline().decode()
        assert first.startswith("bc26emu listening tcp 127.0.0.1:"), first
        port = int(first.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            s = Session.over_socket(sock)
            s.ready()
            s.send(b'AT+QIOPEN=1,0,"TCP","220.180.239.212",8062,0,1\r')
            s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n")
            s.send(b"AT+QISEND=0,2,hi\r")
            s.expect_exact(OK + b'\r\nSEND OK\r\n\r\n+QIURC: "recv",0,2\r\nhi\r\n')
    finally:
        proc.terminate()
        assert proc.wait(5) == 0


def test_command_line_pty(tmp_path):
    log = tmp_path / "emu.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tools.bc26emu", "--pty", "--log", str(log), "--model", "BC20"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        first = proc.stdout.readline().decode().strip()
        assert first.startswith("bc26emu listening pty /dev/"), first
        fd = os.open(first.split()[-1], os.O_RDWR | os.O_NOCTTY)
        try:
            s = Session.over_fd(fd)
            s.ready()
            s.send(b"ATI\r")
            s.expect_exact(b"\r\nQuectel_Ltd\r\nQuectel_BC20\r\nRevision: BC20NAR01A01\r\n" + OK)
        finally:
            os.close(fd)
    finally:
        proc.terminate()
        assert proc.wait(5) == 0
    deadline = time.monotonic() + 2
    while "CMD   ATI" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "CMD   ATI" in log.read_text()


def test_close_stops_every_thread(servers):
    import threading

    from tools.bc26emu import Emulator

    echo = servers(TcpEchoServer)
    before = set(threading.enumerate())
    over_tcp, over_pty = Emulator(), Emulator()
    server = over_tcp.serve_tcp()
    over_pty.open_pty()
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
        s = Session.over_socket(sock)
        s.ready()
        s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0;+QIDNSGIP=1,"localhost"\r' % echo.port)
        s.expect(b'"dnsgip","127.0.0.1"\r\n')
        assert len(set(threading.enumerate()) - before) >= 6  # a reactor each, two per transport
        over_tcp.close()
        over_pty.close()
    left = [t for t in set(threading.enumerate()) - before if t.is_alive()]
    assert left == []


def test_local_servers_command_line():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.servers",
            "--tcp-echo",
            "0",
            "--dns",
            "0",
            "--record",
            "a.test=10.1.1.1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        tcp_line = proc.stdout.readline().decode().split()
        dns_line = proc.stdout.readline().decode().split()
        assert tcp_line[0] == "tcp-echo" and dns_line[0] == "dns"
        host, port = tcp_line[1].rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=2) as sock:
            sock.sendall(b"echo me")
            got = b""
            while len(got) < 7:
                got += sock.recv(64)
            assert got == b"echo me"
    finally:
        proc.terminate()
        assert proc.wait(5) == 0
