# No AT injection: hostile strings as host names, DNS servers, NTP servers, inline text, raw
# commands and payloads. Each is refused with a clear error or sent in a form that cannot be
# misread, and the emulator's log of the command lines it received proves nothing extra
# reached the module.
import pytest

HOSTILE = (
    "evil\r\nAT+QPOWD=1",
    "evil\rAT+QPOWD=1",
    "evil\nAT+QPOWD=1",
    'evil",80\r\nAT+QPOWD=1\r\n',
    'a";+QPOWD=1;"',
    "host;+QPOWD=1",
    "a\x1aAT+QPOWD=1",
    "a\x1bAT+QPOWD=1",
    "a\x00b",
    "caf\u00e9.example",
    "\u4e2d\u6587.cn",
    "a" * 151,
    "",
    " ",
    "a,b",
    "a b",
    '"',
)


def refused(fn, *args, **kw):
    with pytest.raises((ValueError, TypeError)) as info:
        fn(*args, **kw)
    assert str(info.value), "the error says nothing"


def test_hostile_names_and_text_never_reach_the_module(rig):
    emu, m, echo = rig
    before = list(emu.commands)
    s = m.open("TCP", "127.0.0.1", echo.port)
    opened = list(emu.commands)
    for text in HOSTILE:
        refused(m.open, "TCP", text, 80)
        refused(m.ping, text)
        refused(m.resolve, text)
        refused(m.set_dns, text)
        refused(m.set_dns, "8.8.8.8", text)
        refused(m.ntp, text)
        for raw in ("AT+CSQ" + text, text):
            if any(c in raw for c in "\r\n\x1a\x1b\x00") or not raw.startswith("AT") or len(raw) > 250:
                refused(m.at, raw)
        if any(ord(c) < 32 or ord(c) > 126 or c == ";" for c in text) or not text:
            refused(s.send_inline, text)
    # Not one command line was added by all of that.
    assert emu.commands == opened, emu.commands[len(opened) :]
    assert not any("QPOWD" in c for c in emu.commands)
    assert emu.commands[: len(before)] == before


def test_hostile_bytes_as_payload_are_carried_as_data(rig):
    emu, m, echo = rig
    s = m.open("TCP", "127.0.0.1", echo.port)
    n_before = len(emu.commands)
    sent = 0
    for text in HOSTILE + ("AT+QPOWD=1\r\n", "\r\nOK\r\n", '+QIURC: "closed",0\r\n'):
        data = text.encode()
        if not data:
            continue
        s.send(data)
        sent += 1
        got = b""
        while len(got) < len(data):
            got += s.recv(len(data) - len(got), 5000)
        assert got == data
    added = emu.commands[n_before:]
    # One AT+QISEND per payload and the reads of the echo, nothing else: the hostile bytes
    # travelled as data.
    assert len([c for c in added if c.startswith("AT+QISEND=")]) == sent, added
    assert all(c.startswith(("AT+QISEND=", "AT+QIRD=")) for c in added), added
    assert not any("QPOWD" in c for c in emu.commands)
    s.close()
