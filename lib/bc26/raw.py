# The raw passthrough and the error query, loaded on first use (Modem.__getattr__): most
# applications never send a command the library does not wrap, and ask for error codes only
# when something failed.

from .checks import check_text
from .engine import LINE_MORE
from .fields import as_text


def last_error(modem):
    """AT+QIGETERROR: the code of the last TCP/IP command's error (0 when none)."""
    return modem.drive(last_error_steps(modem))


def last_error_steps(modem):
    # last_error() as steps (see Modem.drive); Modem.explain runs them after a bare ERROR.
    e = modem.engine
    code = [0]

    def line(buf, s, end):
        # +QIGETERROR: <code>,<text>
        f = e.fields
        f.start(s + 12, end)
        code[0] = f.int(0)
        return LINE_MORE

    e.cmd(b"AT+QIGETERROR")
    e.begin((b"+QIGETERROR:",), line)
    yield
    e.finish()
    return code[0]


def ready(modem):
    """Resynchronise first if an earlier command timed out (its answer may be late).

    Bounded: three AT tries of 300 ms (the manual's longest answer) and, after an answer
    that may have been late, 300 ms of silence and one more AT; a module that stays silent
    raises BC26Timeout("no answer to AT") and is tried again next time.
    """
    if modem.engine.stale:
        modem.sync(3, 300)


def at(modem, text, timeout=1000, trailer=0):
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
    e = modem.engine
    ready(modem)
    e.cmd(cmd)
    e.begin(expect, None, timeout, trailer, False, True)
    e.wait()
    lines = e.finish() or []
    return [as_text(x) for x in lines]
