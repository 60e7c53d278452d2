"""Sending: the '>' data mode (Ctrl+Z, Esc, fixed length), hex formats, echomode, the size limits."""

import time

import pytest

from tools.bc26emu.testing import ERROR, OK, SENT, wait_for
from tools.servers import TcpEchoServer


@pytest.fixture
def link(ready_session, servers):
    """A session with socket 0 connected to a silent TCP server (it records, never answers)."""
    remote = servers(TcpEchoServer, echo=False)
    s = ready_session()
    s.send(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0\r' % remote.port)
    s.expect_exact(OK + b"\r\n+QIOPEN: 0,0\r\n")
    wait_for(lambda: remote.clients)
    s.remote = remote
    return s


def last_error(s):
    answer = s.command(b"AT+QIGETERROR")
    return int(answer.split(b": ")[1].split(b",")[0])


def test_ctrl_z_sends_what_came_before_it(link):
    link.send(b"AT+QISEND=0\r")
    link.expect_exact(b"\r\n> ")
    link.send(b"line one\r\nAT+QICLOSE=0\r\nOK\r\n")  # looks like commands, is data
    link.assert_quiet(0.02)
    link.send(b"\x1a")
    link.expect_exact(SENT)
    wait_for(lambda: bytes(link.remote.received) == b"line one\r\nAT+QICLOSE=0\r\nOK\r\n")
    assert link.emu.commands[-1] == "AT+QISEND=0"  # nothing in the data reached the command parser


def expect_sent_and_ok(s):
    """SEND OK of a send and OK of the command written right after it, in either order: the module
    answers the next command while the bytes are still on their way to the network."""
    got = s.expect_exact(OK) + s.expect(b"OK\r\n") + s.expect(b"OK\r\n")
    assert got in (SENT + OK, OK + OK + b"\r\nSEND OK\r\n"), got


def test_command_and_data_in_one_write(link):
    link.send(b"AT+QISEND=0\rabc\x1aAT\r")
    link.expect_exact(b"\r\n> ")
    expect_sent_and_ok(link)
    wait_for(lambda: bytes(link.remote.received) == b"abc")


def test_esc_cancels(link):
    link.send(b"AT+QISEND=0\r")
    link.expect_exact(b"\r\n> ")
    link.send(b"never sent\x1b")
    link.expect_exact(ERROR)
    assert last_error(link) == 571
    link.send(b"AT\r")
    link.expect_exact(OK)
    link.assert_quiet(0.02)
    assert link.remote.received == b""


def test_fixed_length_takes_exactly_that_many_bytes(link):
    data = b"\x1a\x1b\r\n\x00ok"  # Ctrl+Z and Esc are plain data here
    link.send(b"AT+QISEND=0,%d\r" % len(data))
    link.expect_exact(b"\r\n> ")
    link.send(data + b"AT\r")  # what follows the counted bytes is a command again
    expect_sent_and_ok(link)
    wait_for(lambda: bytes(link.remote.received) == data)


def test_hex_send_format(link):
    link.command(b'AT+QICFG="dataformat",1,0')
    link.send(b"AT+QISEND=0,3,414243\r")
    link.expect_exact(SENT)
    link.send(b"AT+QISEND=0,2\r")
    link.expect_exact(b"\r\n> ")
    link.send(b"4445")
    link.expect_exact(SENT)
    link.send(b"AT+QISEND=0\r")
    link.expect_exact(b"\r\n> ")
    link.send(b"4647\x1a")
    link.expect_exact(SENT)
    link.send(b"AT+QISEND=0\r")
    link.expect_exact(b"\r\n> ")
    link.send(b"4G\x1a")
    link.expect_exact(ERROR)
    assert last_error(link) == 552
    wait_for(lambda: bytes(link.remote.received) == b"ABCDEFG")


def test_echomode_echoes_data_mode_input(link):
    link.command(b'AT+QICFG="echomode",1')
    link.send(b"AT+QISEND=0\r")
    link.expect_exact(b"\r\n> ")
    link.send(b"abc")
    link.expect_exact(b"abc")
    link.send(b"\x1a")
    link.expect_exact(SENT)
    link.send(b'AT+QICFG="echomode"\r')
    link.expect_exact(b'\r\n+QICFG: "echomode",1\r\n' + OK)
    link.command(b'AT+QICFG="echomode",0')
    link.send(b"AT+QISEND=0,3\r")
    link.expect_exact(b"\r\n> ")
    link.send(b"def")
    link.expect_exact(SENT)  # no echo of the data


def test_echo_on_echoes_commands_not_data(link):
    link.command(b"ATE1")
    link.send(b"AT+QISEND=0\r")
    link.expect_exact(b"AT+QISEND=0\r\r\n> ")
    link.send(b"xyz\x1a")
    link.expect_exact(SENT)


@pytest.mark.parametrize(
    "line, answer",
    [
        (b"AT+QISEND=0,1024," + b"a" * 1024, SENT),
        (b"AT+QISEND=0,1025," + b"a" * 1025, ERROR),
        (b"AT+QISEND=0,5,abcd", ERROR),  # length mismatch
        (b"AT+QISEND=0,4,abcde", ERROR),
        (b'AT+QISEND=0,6,"{a:1}"', ERROR),
        (b'AT+QISEND=0,5,"{a:1}"', SENT),
        (b"AT+QISENDEX=0,512," + b"00" * 512, SENT),
        (b"AT+QISENDEX=0,513," + b"00" * 513, ERROR),
        (b"AT+QISENDEX=0,2,001", ERROR),
        (b"AT+QISEND=0,1461", ERROR),
        (b"AT+QISEND=5,1,a", ERROR),
    ],
)
def test_send_limits(link, line, answer):
    link.send(line + b"\r")
    link.expect_exact(answer)
    if answer == ERROR:
        assert last_error(link) == 552


@pytest.mark.parametrize("hexmode, limit", [(0, 1460), (1, 730)])
def test_data_mode_limits(link, hexmode, limit):
    link.command(b'AT+QICFG="dataformat",%d,0' % hexmode)
    unit = b"41" if hexmode else b"A"
    link.send(b"AT+QISEND=0,%d\r" % limit)
    link.expect_exact(b"\r\n> ")
    link.send(unit * limit)
    link.expect_exact(SENT)
    link.send(b"AT+QISEND=0,%d\r" % (limit + 1))
    link.expect_exact(ERROR)
    link.send(b"AT+QISEND=0\r")
    link.expect_exact(b"\r\n> ")
    link.send(unit * (limit + 1) + b"\x1a")
    link.expect_exact(ERROR)
    if not hexmode:
        link.command(b'AT+QICFG="dataformat",0,0')
    wait_for(lambda: len(link.remote.received) == limit)


def test_inline_hex_limit_in_hex_format(link):
    link.command(b'AT+QICFG="dataformat",1,1')
    link.send(b"AT+QISEND=0,512," + b"7E" * 512 + b"\r")
    link.expect_exact(SENT)
    link.send(b"AT+QISEND=0,513," + b"7E" * 513 + b"\r")
    link.expect_exact(ERROR)


def test_sent_acked_counters(link):
    link.send(b"AT+QISEND=0,0\r")
    link.expect_exact(b"\r\n+QISEND: 0,0,0\r\n" + OK)
    link.command(b"AT+QISEND=0,10,0123456789", final=b"SEND OK\r\n")
    link.command(b"AT+QISENDEX=0,2,ABCD", final=b"SEND OK\r\n")
    deadline = time.monotonic() + 3
    while True:
        answer = link.command(b"AT+QISEND=0,0")
        if answer == b"\r\n+QISEND: 12,12,0\r\n" + OK or time.monotonic() > deadline:
            break
    assert answer == b"\r\n+QISEND: 12,12,0\r\n" + OK


def test_send_fail_fault(link):
    link.emu.knobs.send_fail = True
    link.send(b"AT+QISEND=0,2,hi\r")
    link.expect_exact(OK + b"\r\nSEND FAIL\r\n")
    assert last_error(link) == 558
    link.emu.knobs.send_fail = False
    link.send(b"AT+QISEND=0,2,hi\r")
    link.expect_exact(SENT)
