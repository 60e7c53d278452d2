"""The realistic profile: pieces, slow answers, URC noise, late recv notices, a deaf boot, seeds."""

import re
import time

import pytest

from tools.bc26emu import output
from tools.bc26emu.__main__ import build_parser, knobs_from_args
from tools.bc26emu.knobs import PROFILES, Knobs, with_profile
from tools.bc26emu.testing import OK
from tools.servers import TcpEchoServer

NOISE = re.compile(rb"\r\n\+(CEREG: [12]|CSCON: [01])\r\n")


class Reader:
    """Reads an emulator's UART the way a driver polls it, keeping each read's size and time."""

    def __init__(self, emu):
        self.uart = emu.uart()
        self.reads = []  # (monotonic seconds, bytes)
        self.buf = bytearray()

    def write(self, data):
        self.uart.write(data)

    def until(self, pattern, timeout=3.0):
        """Everything up to and including pattern (bytes or a compiled regex), consumed."""
        if not hasattr(pattern, "search"):
            pattern = re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        while True:
            found = pattern.search(self.buf)
            if found:
                out = bytes(self.buf[: found.end()])
                del self.buf[: found.end()]
                return out
            if time.monotonic() > deadline:
                raise AssertionError("no %r; got %r" % (pattern, bytes(self.buf)))
            data = self.uart.read()
            if data:
                self.reads.append((time.monotonic(), data))
                self.buf += data
            else:
                time.sleep(0.0005)

    def quiet(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            data = self.uart.read()
            if data:
                self.reads.append((time.monotonic(), data))
                self.buf += data
            time.sleep(0.001)
        out = bytes(self.buf)
        self.buf.clear()
        return out


def booted(emu):
    r = Reader(emu)
    r.until(b"+IP: 10.170.235.216\r\n", timeout=5)
    r.write(b"ATE0\r")
    r.until(OK)
    r.quiet(0.4)  # late noise of ATE0
    return r


def strip_noise(data):
    return NOISE.sub(b"", data)


def test_profile_sets_knobs_and_given_ones_win():
    knobs = Knobs(**with_profile({"profile": "realistic", "chunk_max": 8}))
    assert knobs.chunk_max == 8
    assert knobs.answer_delay == PROFILES["realistic"]["answer_delay"] == 0.3
    assert knobs.baud == 115200 and knobs.boot_time > 0 and knobs.urc_noise_rate > 0
    tidy = Knobs(**with_profile({}))
    assert (tidy.chunk_max, tidy.answer_delay, tidy.urc_noise_rate, tidy.boot_time) == (0, 0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        Knobs(**with_profile({"profile": "chaotic"}))
    with pytest.raises(ValueError):
        Knobs(answer_delay=-1)


def test_command_line_and_environment_select_the_profile():
    parser = build_parser()
    env = {"BC26EMU_PROFILE": "realistic", "BC26EMU_SEED": "7"}
    assert knobs_from_args(parser.parse_args([]), env) == {"profile": "realistic", "seed": 7}
    got = knobs_from_args(parser.parse_args(["--profile", "tidy", "--seed", "3"]), env)
    assert got == {"profile": "tidy", "seed": 3}
    assert knobs_from_args(parser.parse_args(["--chunk-max", "5"]), {}) == {"chunk_max": 5}


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_output_comes_in_pieces_of_1_to_chunk_max_bytes(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(output.time, "monotonic", clock)
    pipe = output.OutputPipe(output.Transcript(), baud=115200, seed=1, chunk_max=64, chunk_gap=0.004)
    data = bytes(range(256)) * 4
    pipe.push(data, hold=0.2)
    clock.now += 0.2 - 1e-6
    assert pipe.take() == b""  # held back: a slow answer
    pieces = []
    # Steps shorter than one byte on the wire (87 us): each piece shows up whole, by itself.
    while sum(map(len, pieces)) < len(data) and clock.now < 1002:
        clock.now += 50e-6
        got = pipe.take()
        if got:
            pieces.append(got)
    assert b"".join(pieces) == data
    sizes = [len(p) for p in pieces]
    assert min(sizes) >= 1 and max(sizes) <= 64 and len(set(sizes)) > 10, sizes
    took = clock.now - 1000.2
    assert len(data) * 10 / 115200 < took < len(data) * 10 / 115200 + len(pieces) * 0.004, took
    # A later push waits behind the held one and its pieces, as a module prints in order.
    pipe.push(b"\r\nRDY\r\n")
    assert pipe.take() == b""
    clock.now += 0.001
    assert pipe.take() == b"\r\nRDY\r\n"


def test_answers_start_after_up_to_300_ms_and_keep_their_order(make_emu):
    emu = make_emu(profile="realistic", boot_time=0, boot_deaf=0, reg_delay=0, urc_noise_rate=0, seed=2)
    r = booted(emu)
    delays = []
    for _ in range(30):
        r.reads.clear()
        t0 = time.monotonic()
        r.write(b"AT+CSQ\r")
        assert r.until(OK) == b"\r\n+CSQ: 23,99\r\n" + OK
        delays.append(r.reads[0][0] - t0)
    assert max(delays) < 0.3 + 0.1, delays  # 300 ms, plus scheduling on a busy machine
    assert sum(d > 0.1 for d in delays) >= 3, delays  # slow ones happen
    assert sorted(delays)[len(delays) // 2] < 0.1, delays  # most are quick


def test_noise_after_the_echo_inside_answers_and_after_ok_never_inside_data(make_emu, servers):
    echo = servers(TcpEchoServer)
    emu = make_emu(
        profile="realistic",
        boot_time=0,
        boot_deaf=0,
        reg_delay=0,
        urc_noise_rate=0.5,
        answer_delay=0.02,
        seed=3,
    )
    r = Reader(emu)
    r.until(b"+IP: 10.170.235.216\r\n", timeout=5)
    seen = {"after echo": 0, "inside": 0, "after ok": 0}
    for _ in range(12):
        r.write(b"AT+QISTATE?;+CGPADDR\r")
        got = r.until(b"+CGPADDR: 1,10.170.235.216\r\n")
        got += r.until(OK)
        assert got.startswith(b"AT+QISTATE?;+CGPADDR\r")
        if NOISE.match(got, len(b"AT+QISTATE?;+CGPADDR\r")):
            seen["after echo"] += 1
        if NOISE.search(got, len(b"AT+QISTATE?;+CGPADDR\r") + 14):
            seen["inside"] += 1
        tail = r.quiet(0.03)
        if NOISE.match(tail):
            seen["after ok"] += 1
    assert all(seen.values()), seen
    # Counted data stays one record: no line ever lands between +QIRD: n and its bytes.
    r.write(b"ATE0\r")
    r.until(OK)
    r.write(b'AT+QIOPEN=1,0,"TCP","127.0.0.1",%d,0,0\r' % echo.port)
    r.until(b"+QIOPEN: 0,0\r\n")
    payload = b"\r\nOK\r\n+CSCON: 1\r\n" * 4
    for _ in range(6):
        r.write(b"AT+QISEND=0,%d\r" % len(payload))
        r.until(b"> ")
        r.write(payload)
        r.until(b"SEND OK\r\n")
        r.until(b'+QIURC: "recv",0', timeout=3)
        r.write(b"AT+QIRD=0,512\r")
        head = r.until(re.compile(rb"\+QIRD: (\d+)\r\n"))
        assert head.endswith(b"+QIRD: %d\r\n" % len(payload)), head
        assert r.until(payload, timeout=3) == payload
        r.until(OK)
        r.quiet(0.03)
        r.write(b"AT+QIRD=0,512\r")
        r.until(b"+QIRD: 0\r\n")
        r.until(OK)
        r.quiet(0.03)


def test_late_recv_notice_follows_the_ok_of_a_read(make_emu, servers):
    echo = servers(TcpEchoServer)
    emu = make_emu(
        profile="realistic", boot_time=0, boot_deaf=0, reg_delay=0, urc_noise_rate=0, answer_delay=0, seed=4
    )
    r = booted(emu)
    r.write(b'AT+QICFG="showlength",1\r')
    r.until(OK)
    r.write(b'AT+QIOPEN=1,2,"TCP","127.0.0.1",%d,0,0\r' % echo.port)
    r.until(b"+QIOPEN: 2,0\r\n")
    late = 0
    for i in range(12):
        r.write(b"AT+QISEND=2,5,hel%02d\r" % i)
        r.until(b"SEND OK\r\n")
        assert r.until(b"\r\n", timeout=3) == b"\r\n"
        assert r.until(b"\r\n", timeout=3) == b'+QIURC: "recv",2,5\r\n'
        r.write(b"AT+QIRD=2,512\r")
        assert r.until(OK) == b"\r\n+QIRD: 5,0\r\nhel%02d\r\n" % i + OK
        after = r.quiet(0.1)
        if after:
            # The data it announces has been read: the next read finds nothing.
            assert after == b'\r\n+QIURC: "recv",2,5\r\n', after
            late += 1
        r.write(b"AT+QIRD=2,512\r")
        assert r.until(OK) == b"\r\n+QIRD: 0\r\n" + OK
    assert 1 <= late <= 8, late  # 25 % of 12 reads (the seed fixes which)


def test_boot_ignores_at_until_ready(make_emu):
    emu = make_emu(profile="realistic", boot_time=0.3, boot_deaf=0.2, reg_delay=5, urc_noise_rate=0, seed=5)
    time.sleep(0.4)  # nothing happens before the host is there: both power up together
    r = Reader(emu)
    t0 = time.monotonic()
    while b"OK" not in r.buf and time.monotonic() - t0 < 2:
        r.write(b"AT\r")
        r.quiet(0.05)  # keeps what it read in r.reads
    out = b"".join(d for _, d in r.reads)
    assert out.startswith(b"\r\nRDY\r\nAT\r"), out  # no echo, no answer before the banner
    first_echo = next(t for t, d in r.reads if b"A" in d) - t0
    assert 0.5 <= first_echo < 0.9, first_echo  # deaf for 0.3 s to the banner and 0.2 s after it
    events = [e[2] for e in emu.transcript.entries if e[1] == "event"]
    assert events[:2] == ["power on", "ready"], events
    assert emu.commands.count("AT") > 8  # the ignored ones too: they reached the module
    # A reboot is deaf again.
    r.write(b"AT+QRST=1\r")
    r.quiet(0.1)
    r.write(b"AT\r")
    assert b"OK" not in r.quiet(0.1)


def test_same_seed_same_draws(make_emu):
    def run(seed):
        emu = make_emu(profile="realistic", boot_time=0, boot_deaf=0, reg_delay=0, seed=seed)
        r = booted(emu)
        for _ in range(6):
            r.write(b"ATI\r")
            r.until(OK)
        r.quiet(0.4)
        return emu.transcript.bytes_out()

    first, second, other = run(11), run(11), run(12)
    assert first == second
    assert first != other
