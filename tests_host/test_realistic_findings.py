# Library failures that the emulator's realistic profile found (issue 13), each cut down to the
# wire bytes that cause it, played by a FakeUART so it fails the same way every run. Marked
# xfail(strict=True) while the library was unfixed; the mark came off with the fix (issue
# 13's item 8: a closing socket keeps its place until CLOSE OK). tools/bc26emu/knobs.py describes the profile.
import bc26
from fakeuart import FakeUART

OK = b"\r\nOK\r\n"


def make(viewmode=0, showlength=0):
    u = FakeUART()
    m = bc26.Modem(u)
    n = m.sockets
    n.viewmode = viewmode
    n.showlength = showlength
    n.send_hex = n.recv_hex = False
    n.echomode = 0
    n.known = True
    return u, m


def opened(u, m, cid=0, mode=bc26.BUFFER):
    u.reply(b"AT+QIOPEN=", OK + b"\r\n+QIOPEN: %d,0\r\n" % cid)
    s = m.open("TCP", "127.0.0.1", 7, mode=mode, connect_id=cid)
    u.take_tx()
    return s


# Found by tests_host/test_device.py[realistic] with seeds 4 and 5 (dev_sockets.
# test_tcp_in_every_framing, viewmode 1 + showlength 1, buffer mode): the read's OK is followed
# by a late notice of the data just read; the test closes the socket; the notice is parsed after
# the socket left the table and is taken for a viewmode-1 push header with 17 bytes to come, which
# swallow "\r\nOK\r\n\r\nCLOSE OK\r\n": AT+QICLOSE=0 times out (issue 13 item 8).
def test_late_recv_notice_with_length_during_close_viewmode_1():
    u, m = make(viewmode=1, showlength=1)
    s = opened(u, m)
    u.feed(b'\r\n+QIURC: "recv",0,17\r\n')
    u.reply(b"AT+QIRD=0,", b"\r\n+QIRD: 17,0,t=21.5;h=40\r\nOK\r\n\r\n" + OK)
    assert s.recv(17, 2000) == b"t=21.5;h=40\r\nOK\r\n"
    # The late notice arrives only after the driver wrote AT+QICLOSE (pieces at 115200 baud).
    u.reply(b"AT+QICLOSE=0\r", b'\r\n+QIURC: "recv",0,17\r\n' + OK + b"\r\nCLOSE OK\r\n")
    s.close()
    assert m.engine.state == 0 and m.sockets.table[0] is None
