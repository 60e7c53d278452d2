# The object a user holds: one module on one UART.
#
# Modem owns the engine and runs every command through command(), which recovers from an
# earlier timeout and turns a bare ERROR from a TCP/IP command into the module's own error
# code (AT+QIGETERROR), so users see "566 Socket connection failed" and not "ERROR".

from .engine import DEFAULT_RXBUF, LINE_MORE, Engine
from .errors import BC26Error


def check_text(s, what, limit, quotes=False):
    """s as bytes, refused if it could end the command line or is too long.

    CR and LF would end the line and start a new command, a quote would end the string
    (allowed only with quotes=True, for raw commands), Ctrl+Z and Esc act in data mode,
    and other control or non-ASCII bytes have no meaning to the module.
    """
    if isinstance(s, str):
        s = s.encode()
    if not isinstance(s, (bytes, bytearray)):
        raise TypeError(what + " must be str or bytes")
    if not s:
        raise ValueError(what + " is empty")
    if len(s) > limit:
        raise ValueError("%s longer than %d bytes" % (what, limit))
    for c in s:
        if c < 32 or c > 126 or (c == 34 and not quotes):
            raise ValueError("%s holds a byte the module would misread: %r" % (what, chr(c)))
    return s


class Modem:
    def __init__(self, uart, rxbuf=DEFAULT_RXBUF, query_errors=True):
        """uart: a machine.UART (or anything with its any/readinto/write surface).

        rxbuf: size of the one receive buffer. query_errors: ask the module for the code
        behind a bare ERROR from a TCP/IP command (one extra command, only on failure).
        """
        self.engine = Engine(uart, rxbuf)
        self.query_errors = query_errors
        self._err = 0

    def on(self, prefix, handler):
        """Register handler(buf, start, end) for an unsolicited line; see Engine.on."""
        self.engine.on(prefix, handler)

    def poll(self):
        """Read what the module sent and dispatch URCs. Call it often while idle."""
        self.engine.poll()

    def sync(self, tries=10, timeout=300):
        """Send AT until the module answers OK, then let late answers drain.

        Serves after power-on and wake (the module auto-bauds and the first bytes after
        wake may be lost) and after a command timed out (its answer may still arrive).
        """
        e = self.engine
        e.stale = False
        for _ in range(tries):
            try:
                e.command("AT", timeout=timeout)
                break
            except OSError:
                pass
        else:
            e.stale = True
            raise BC26Error(None, "no answer to AT")
        # One more exchange: an OK that belonged to a timed-out command was just taken by
        # the first AT; this one's OK is then surely ours.
        e.command("AT", timeout=timeout)

    def command(self, *parts, expect=None, on_line=None, timeout=1000, trailer=0, tcpip=False):
        """Run one command (parts as for Engine.cmd) and return its collected lines."""
        e = self.engine
        if e.stale:
            self.sync()
        if parts:
            e.cmd_parts(parts)
        try:
            return e.command(expect=expect, on_line=on_line, timeout=timeout, trailer=trailer)
        except BC26Error as err:
            if tcpip and err.code is None and self.query_errors and not e.stale:
                code = self.last_error()
                if code:
                    raise BC26Error(code) from None
            raise

    def last_error(self):
        """AT+QIGETERROR: the code of the last TCP/IP command's error (0 when none)."""
        self._err = 0
        self.engine.command("AT+QIGETERROR", expect=(b"+QIGETERROR:",), on_line=self._on_error)
        return self._err

    def _on_error(self, buf, s, end):
        f = self.engine.fields
        f.start(s + 12, end)
        self._err = f.int(0)
        return LINE_MORE

    def at(self, text, timeout=1000, trailer=0):
        """Send any AT command as it is and return its answer lines as str.

        Lines that start with the command's own '+NAME:' are returned, and so are bare
        lines (ATI, AT+CGSN); other '+X:' lines are URCs and go to their handlers. With
        trailer (ms), wait that long after OK for the first '+NAME:' line that follows.
        """
        cmd = check_text(text, "command", 250, quotes=True)
        if cmd[:2] not in (b"AT", b"at"):
            raise ValueError("an AT command starts with AT")
        expect = None
        if len(cmd) > 2 and cmd[2] in b"+$^":
            end = 3
            while end < len(cmd) and cmd[end] not in b"=?":
                end += 1
            expect = (cmd[2:end] + b":",)
        e = self.engine
        if e.stale:
            self.sync()
        e.cmd(cmd)
        e.begin(expect, None, timeout, trailer, False, True)
        e.wait()
        lines = e.finish() or []
        return [bytes(x).decode() for x in lines]
