# The raw passthrough, the error query and resynchronisation, loaded on first use
# (Modem.__getattr__): most applications never send a command the library does not wrap, and
# ask for error codes or resynchronise only when something failed.

from .checks import check_text
from .engine import LINE_MORE
from .errors import BC26Error, BC26Timeout
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


def sync(modem, tries=10, timeout=300):
    """Send AT until the module answers OK, then let late answers drain.

    Serves after power-on and wake (the module auto-bauds and the first bytes after
    wake may be lost) and after a command timed out (its answer may still arrive).
    """
    modem.drive(modem.sync_steps(tries, timeout))


def sync_steps(modem, tries=10, timeout=300):
    # sync() as steps (see drive()).
    e = modem.engine
    e.abandon()  # a command whose caller went away: it gives up now
    late = e.stale  # something gave up before: its answer may still come
    e.stale = False
    answered = False  # an AT was answered OK, but the OK may have been a late one
    missed = 0  # tries that got no answer (the AT that confirms an answer is extra)
    while missed < tries:
        if answered:
            # Let late answers come and go before the AT that confirms: an OK that came
            # late completed the last AT, whose own OK would complete the next command,
            # one answer behind from then on. Only silence proves nothing more is due.
            e.quiet(timeout, 4 * timeout)
            yield
            e.finish()
        try:
            e.cmd(b"AT")
            e.begin(None, None, timeout)
            yield
            e.finish()
            if answered or not late:
                e.stale = False  # the tries that timed out set it; the module is in step
                return
            answered = True
            continue
        except BC26Timeout:
            late = True
        except BC26Error as err:
            # A bare ERROR is an answer (the AT met the end of a garbled line): try
            # again. A restart or power-down is no answer: the AT may still be answered
            # after the boot.
            if err.code is None and err.name != "ERROR":
                late = True
        answered = False
        missed += 1
    e.stale = True
    # A timeout (errno 110): the module said nothing in time, as with any command; a
    # caller that must not take it for an answer (AT+QICLOSE's ERROR) can tell.
    raise BC26Timeout("no answer to AT")


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
