# Faults through the emulator: each surfaces as the documented exception within its deadline,
# and the next command works without a reset. The library runs in-process on the emulator's
# UART (same code as on a board; CPython here for speed and for the emulator's fault knobs).
import time

import pytest

import bc26
from bc26.errors import error_name

CODES = range(550, 575)


def works(m, echo):
    """The proof that the driver is usable again: a full socket exchange."""
    s = m.open("TCP", "127.0.0.1", echo.port)
    s.send(b"still alive")
    assert s.recv(11, 5000) == b"still alive"
    s.close()


def timed(fn, *args, **kw):
    t0 = time.monotonic()
    try:
        fn(*args, **kw)
    except Exception as e:
        return e, time.monotonic() - t0
    return None, time.monotonic() - t0


def test_every_error_code_of_the_table(rig):
    emu, m, echo = rig
    s = m.open("TCP", "127.0.0.1", echo.port)
    for code in CODES:
        emu.knobs.fail_next = ("AT+QISEND", code)
        err, _ = timed(s.send, b"x")
        assert isinstance(err, bc26.BC26Error), (code, err)
        assert err.code == code and err.errno == code, (code, err)
        assert str(err) == "%d %s" % (code, error_name(code)), err
    s.close()
    works(m, echo)


def test_silence_times_out_then_recovers(rig):
    emu, m, echo = rig
    emu.knobs.silent = True
    err, took = timed(m.at, "AT+CSQ", 300)
    assert isinstance(err, bc26.BC26Timeout) and err.errno == 110, err
    assert took < 1.0, took
    emu.knobs.silent = False
    assert m.at("AT+CSQ")[0].startswith("+CSQ:")
    works(m, echo)


def test_silence_during_open_and_send(rig):
    emu, m, echo = rig
    s = m.open("TCP", "127.0.0.1", echo.port)
    m.sockets.send_timeout = 500
    m.sockets.cmd_timeout = 300
    emu.knobs.silent = True
    err, took = timed(s.send, b"lost")
    assert isinstance(err, bc26.BC26Timeout), err
    assert took < 2.0
    emu.knobs.silent = False
    s.close()
    works(m, echo)


def test_reboot_mid_command(rig):
    emu, m, echo = rig
    before = m.sockets.restarts
    emu.knobs.reboot_on = "AT+QIOPEN"
    err, took = timed(m.open, "TCP", "127.0.0.1", echo.port)
    assert isinstance(err, bc26.BC26Error) and "restarted" in str(err), err
    assert took < 1.0
    assert m.sockets.restarts == before + 1
    m.wait_network(5000)
    works(m, echo)


def test_reboot_loses_open_sockets(rig):
    emu, m, echo = rig
    s = m.open("TCP", "127.0.0.1", echo.port)
    emu.reboot()
    err, _ = timed(s.recv, 10, 2000)
    assert isinstance(err, bc26.BC26Error) and err.code == 567, err
    m.wait_network(5000)
    works(m, echo)


def test_late_trailer_does_not_confuse_the_next_command(rig):
    emu, m, echo = rig
    s = m.open("TCP", "127.0.0.1", echo.port)
    emu.knobs.send_latency = 0.6
    m.sockets.send_timeout = 200
    err, took = timed(s.send, b"slow")
    assert isinstance(err, bc26.BC26Timeout), err
    assert took < 1.0
    emu.knobs.send_latency = 0
    time.sleep(0.7)  # the late SEND OK arrives while nothing waits for it
    m.sockets.send_timeout = 5000
    assert s.recv(4, 5000) == b"slow"
    s.send(b"fast")
    assert s.recv(4, 5000) == b"fast"
    s.close()
    works(m, echo)


def test_runs_of_send_fail(rig):
    emu, m, echo = rig
    s = m.open("TCP", "127.0.0.1", echo.port)
    emu.knobs.send_fail = True
    for _ in range(5):
        err, _ = timed(s.send, b"nope")
        assert isinstance(err, bc26.SendFailed), err
    emu.knobs.send_fail = False
    s.send(b"yes")
    assert s.recv(3, 5000) == b"yes"
    s.close()
    works(m, echo)


def test_buff_full_is_reported_after_the_buffered_data(rig):
    emu, m, echo = rig
    emu.knobs.max_nodes = 3
    s = m.open("TCP", "127.0.0.1", echo.port)
    echo.wait_clients(1)
    for i in range(8):
        echo.push(b"chunk%d;" % i)
        time.sleep(0.02)  # separate TCP segments: separate buffer nodes
    got = b""
    with pytest.raises(bc26.DataLost):
        while True:
            got += s.recv(64, 2000)
    assert got and b"chunk0;" in got and s.buff_full >= 1
    s.close()
    emu.knobs.max_nodes = 20
    works(m, echo)


def test_remote_close_mid_transfer(rig):
    emu, m, echo = rig
    for mode in (bc26.BUFFER, bc26.PUSH):
        s = m.open("TCP", "127.0.0.1", echo.port, mode=mode)
        echo.wait_clients(1)
        echo.push(b"x" * 1000)
        time.sleep(0.05)
        echo.disconnect_all()
        got = b""
        while True:
            part = s.recv(256, 5000)
            if not part:
                break
            got += part
        assert got == b"x" * 1000
        s.close()
    works(m, echo)


def test_refused_connections(rig):
    emu, m, echo = rig
    emu.knobs.refuse_connect = True
    err, _ = timed(m.open, "TCP", "127.0.0.1", echo.port)
    assert isinstance(err, bc26.BC26Error) and err.code == 566, err
    emu.knobs.refuse_connect = False
    works(m, echo)


def test_duplicated_and_delayed_urcs(rig):
    emu, m, echo = rig
    emu.knobs.urc_duplicate_rate = 1.0
    emu.knobs.urc_delay = 0.05
    # Buffer mode: a repeated "recv" or "+QIOPEN" URC changes nothing.
    s = m.open("TCP", "127.0.0.1", echo.port)
    for i in range(5):
        s.send(b"dup%d" % i)
        assert s.recv(4, 5000) == b"dup%d" % i
    s.close()
    # Push mode: a repeated data URC is the data twice (no driver can tell), but the
    # framing holds: every chunk arrives whole and in order.
    s = m.open("TCP", "127.0.0.1", echo.port, mode=bc26.PUSH)
    for i in range(5):
        s.send(b"dup%d" % i)
    got = b""
    while len(got) < 40:
        got += s.recv(64, 5000)
    assert got == b"".join(b"dup%d" % i * 2 for i in range(5)), got
    s.close()
    emu.knobs.urc_duplicate_rate = 0
    emu.knobs.urc_delay = 0
    works(m, echo)


@pytest.mark.parametrize("knob", ["drop_rate", "corrupt_rate"])
def test_damaged_bytes_surface_as_documented_errors(rig, knob):
    emu, m, echo = rig
    m.sockets.cmd_timeout = 300
    m.sockets.send_timeout = 500
    setattr(emu.output, knob, 0.02)
    outcomes = {"ok": 0, "error": 0}
    t0 = time.monotonic()
    for _ in range(40):
        try:
            m.at("AT+CSQ", 300)
            outcomes["ok"] += 1
        except bc26.BC26Error:  # BC26Timeout is one
            outcomes["error"] += 1
    assert time.monotonic() - t0 < 40 * 2.0
    setattr(emu.output, knob, 0.0)
    m.sockets.cmd_timeout = 2000
    m.sockets.send_timeout = 10000
    works(m, echo)
    assert outcomes["ok"] > 0, outcomes


def test_a_cold_boot_turns_echo_off_once(rig):
    # The emulator boots as a module powered on with the board: its banner comes before
    # start(), whose own ATE0 is the one the restart made due; a second one at the next poll
    # would be a command and a module's code spent for nothing.
    emu, m, echo = rig
    assert m.sockets.restarts == 1 and not m.sockets.echo_on
    works(m, echo)
    assert emu.commands.count("ATE0") == 1, emu.commands


@pytest.mark.parametrize("first", ["a poll", "a command"])
def test_a_restart_after_start_turns_echo_off_again_once(rig, first):
    # Whichever comes first after the banner: the poll's deferred work (resynchronise, then
    # ATE0) or the next command (its resync ends with ATE0). Either way one ATE0, and the
    # replies after it are read right.
    emu, m, echo = rig
    emu.reboot()  # echo on again, sockets gone
    deadline = time.monotonic() + 3
    while m.sockets.restarts < 2 and time.monotonic() < deadline:
        m.engine.poll()  # the banner, without the deferred work
    assert m.sockets.restarts == 2 and m.sockets.echo_on
    if first == "a poll":
        while m.sockets.echo_on and time.monotonic() < deadline:
            m.poll()
        assert not m.sockets.echo_on
    m.wait_network(5000)
    works(m, echo)
    assert not m.sockets.echo_on
    assert emu.commands.count("ATE0") == 2, emu.commands


def test_a_program_without_start_has_echo_turned_off_by_its_sync():
    # The soak's way: Modem(), sync(), open. The banner of the module's boot marks echo on;
    # the sync it makes due ends with ATE0, so the open that follows is read right and no
    # deferred ATE0 (nor the code for it) comes after.
    from tools.bc26emu.emulator import Emulator
    from tools.servers import TcpEchoServer

    echo = TcpEchoServer()
    emu = Emulator(reg_delay=0)
    try:
        m = bc26.Modem(emu.uart())
        m.sync()
        assert m.sockets.restarts == 1 and not m.sockets.echo_on
        m.wait_network(5000)
        works(m, echo)
        assert emu.commands.count("ATE0") == 1, emu.commands
    finally:
        emu.close()
        echo.close()
