# The raw passthrough (commands, and listeners for any URC) and the error query, loaded on
# first use (Modem.__getattr__): most applications never send a command the library does not
# wrap or listen to a URC it handles, and ask for error codes only when something failed.

from .checks import check_text
from .engine import LINE_MORE
from .errors import BC26Error
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
    modem.ready()
    e.cmd(cmd)
    e.begin(expect, None, timeout, trailer, False, True)
    e.step(True)  # Engine.wait()
    lines = e.finish() or []
    return [as_text(x) for x in lines]


def explain(modem, err, tcpip):
    """Steps (see drive()) for a command that raised err: a bare ERROR from a TCP/IP
    command (tcpip) raises the module's own code instead (AT+QIGETERROR, raw.py); they
    do nothing for any other error. The callers raise err after them."""
    e = modem.engine
    bare = err.code is None and err.name == "ERROR"
    if tcpip and bare and modem.query_errors and not e.stale and not e.busy():
        code = yield from modem.last_error_steps()
        if code:
            raise BC26Error(code)


def on(modem, prefix, handler):
    """Call handler(buf, start, end) for every unsolicited line that starts with prefix
    (bytes), after the library has handled it (see Engine.listen)."""
    modem.engine.listen(prefix, handler)
