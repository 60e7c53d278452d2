# Resynchronising with the module: after power-on and wake (it auto-bauds, and the first bytes
# may be lost), after a restart, and after a command that gave up (its answer may still come).
# Modem.sync, Modem.sync_steps and Modem.ready, loaded on first use (Modem.__getattr__), and the
# engine's quiet wait that the sync runs, Engine.quiet (a function of the engine, made its
# method on first use as engine_rare.py's are): the sync after every restart waits for quiet,
# and with it here a cold boot whose commands are answered in time loads nothing more. A program
# whose commands are all answered in time, and that never wakes the module, keeps none of it.

from ._compat import const, ticks_add, ticks_diff, ticks_ms
from .errors import BC26Error, BC26Timeout

# engine.py's numbers (tests_host/test_limits.py checks that the two agree).
_IDLE = const(0)
_DONE = const(5)
_QUIET = const(6)

# Engine.cmd_tag of the resync's ATE0 once it succeeded (bringup.py's too; test_limits.py checks).
_ECHO_OFF = const(1)


def ready(modem):
    """Resynchronise first if an earlier command timed out (its answer may be late).

    Bounded: three AT tries of 300 ms (the manual's longest answer) and, after an answer
    that may have been late, 300 ms of silence and one more AT; a module that stays silent
    raises BC26Timeout("no answer to AT") and is tried again next time.
    """
    if modem.engine.stale:
        modem.sync(3, 300)


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
    # What already came first: a restart's banner waiting there makes this sync one after
    # a restart (silence, then AT), not a failed try (Engine.begin refuses to send past it).
    # Not while a prompt or a cut send's end is owed: the quiet below reads what comes then,
    # counting it as late.
    if e.due[4] is None and not e.due[8]:
        e.poll()
    # Something gave up before: its answer may still come. stale stays set until the sync
    # ends in step: a sync whose caller goes away after an AT was answered, perhaps by a late
    # answer, proves nothing, and the next command must resynchronise again (aio seed 5018).
    late = e.stale
    answered = False  # an AT was answered OK, but the OK may have been a late one
    missed = 0  # tries that got no answer (the AT that confirms an answer is extra)
    # The quiet waits of one resync share one budget of 4 x timeout: a chatty line may
    # never fall silent, and a resync must end in a time its callers can count on. So it
    # ends within (2 x tries + 4) x timeout: each try an AT and the one confirming it,
    # plus the quiet (sync(3, 300), the resync before a command: 3 s).
    quiet_end = None
    # That bound is a deadline too: the ATE0 after a restart (below) gets what is left of it
    # (tries whose ATE0 failed take longer than 2 ATs), and no try starts past it.
    end = ticks_add(ticks_ms(), (2 * tries + 4) * timeout)
    due = e.due
    k = due[8]
    while due[8]:
        # A stalled write cut a send (Engine.due[8]): before any AT the module gets the Esc
        # that ends its Ctrl+Z data mode, or the filler and CR that make the cut inline line
        # one it refuses. A byte at a time: if the UART stalls again, what is left stays owed.
        e.write(due[8], 0, 1)
        due[8] = due[8][1:]
    if due[4] is not None or k:
        # A fixed-length send gave up before its '>': until the prompt has come (and been
        # paid its data: Engine.due) or the line is quiet, our AT would be taken for data.
        quiet_end = ticks_add(ticks_ms(), 4 * timeout)
        e.quiet(timeout, 4 * timeout)
        yield
        e.finish()
    while missed < tries:
        if answered:
            # Let late answers come and go before the AT that confirms: an OK that came
            # late completed the last AT, whose own OK would complete the next command,
            # one answer behind from then on. Only silence proves nothing more is due.
            now = ticks_ms()
            if quiet_end is None:
                quiet_end = ticks_add(now, 4 * timeout)
            left = ticks_diff(quiet_end, now)
            e.quiet(timeout, left if left > 0 else 0)
            yield
            e.finish()
        left = ticks_diff(end, ticks_ms())
        if left <= 0:
            break
        t = ticks_ms()
        try:
            e.cmd(b"AT")
            e.begin(None, None, min(left, timeout))
            if due[4] is not None:
                # The '>' may still come behind a busy line (make soak, aio seed 5038): then
                # the module takes these bytes for data, and the prompt is paid the rest.
                # Counted once written: a '>' that begin() met before writing them was paid
                # the data itself.
                due[7] += 3
            yield
            e.finish()
            if answered or not late:
                e.stale = False  # the tries that timed out set it; the module is in step
                # An AT answered in step: the module is not in data mode, so a prompt that
                # has not come by now never will (the send never reached it).
                due[0] = due[4] = None
                net = modem.sockets
                if not net.echo_on:
                    return
                # A restart turned echo on (start() marks it so too): off before any other
                # command, here where every command after a restart passes. Cleared before
                # it goes: a restart whose banner comes with its OK sets it again, which
                # this ATE0's success must not wipe. Its failure is a missed try (below).
                net.echo_on = False
                left = ticks_diff(end, ticks_ms())
                try:
                    yield from modem.command_steps(("ATE0",), timeout=min(max(left, 1), timeout))
                except BaseException:
                    net.echo_on = True
                    raise
                if not e.stale:
                    # Echo is off now: start() right after (power_on(), then start()) sends
                    # no other ATE0. Any command built after this one resets the tag.
                    e.cmd_tag = _ECHO_OFF
                    return
                # That restart: the command behind this resync would go to a booting module
                # that echoes it. Another try, as for a restart during an AT.
                raise BC26Error(None, "module restarted")
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
            else:
                # A booting module answers ERROR at once: the try lasts its timeout all
                # the same, so the tries span a boot as they do a silence.
                left = min(timeout - ticks_diff(ticks_ms(), t), ticks_diff(end, ticks_ms()))
                if left > 0:
                    e.quiet(left, left)
                    yield
                    e.finish()
        answered = False
        missed += 1
    e.stale = True
    # A timeout (errno 110): the module said nothing in time, as with any command; a
    # caller that must not take it for an answer (AT+QICLOSE's ERROR) can tell.
    raise BC26Timeout("no answer to AT")


# --- the engine's side: an Engine method --------------------------------------------------


def quiet(self, ms=300, limit=3000):
    """Begin a wait that ends once the module has said nothing for ms (at most limit ms);
    step() drives it and finish() returns None. Whatever arrives meanwhile is handled as
    usual, late answers are counted and dropped: after it, nothing a command that gave up
    could still answer (within the manual's 300 ms) can be taken for a new answer."""
    st = self.state
    if st != _IDLE and st != _DONE:  # busy()
        raise BC26Error(None, "busy: a command is pending")
    self._expect = None
    self._on_line = None
    self._lines = None
    self._trailer_ms = 0
    self.result = 0
    self._quiet_ms = ms
    now = ticks_ms()
    self._limit = ticks_add(now, limit)
    self._deadline = ticks_add(now, ms)
    self.state = _QUIET
