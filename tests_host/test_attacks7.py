# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
# Attacks on how the driver handles a module restart and command echo (session 7): the
# resync that ends with ATE0 when Sockets.echo_on is set (a restart banner sets it, and so
# does start()), Engine.abort and Sockets.on_restart made resident, and the poll's deferred
# ATE0. The promises attacked: never lose a byte, never hang, never inject, and echo is off
# before any command after a restart, sent once. One test per class of failure, each of
# which failed on the lib/ it was written against, for the reason its comment gives; the
# ones marked "(A guard.)" passed there too, and hold what the fixes must keep. The classes,
# all fixed: a restart whose banner comes with the OK of the ATE0 that turns echo off (the
# resync's or the poll's) was wiped by that ATE0's success; the ATE0 ran past the resync's
# bound; a banner waiting unread let the next command go out before any resync or ATE0
# (the emulator shows it too); reset() by AT+QRST=1 left echo on when the banner was noise.
#
# The module side is Module: test_attacks6's ModuleUART (it runs each command line it reads
# and keeps the fixed-length data mode), whose answers may also be a list, one answer per
# time the line comes (the last one stays), so a test can make the module restart once.
from test_attacks6 import ModuleUART, attacks_make
from test_attacks6 import opened as opened6

import bc26
from fakeuart import ticks_add, ticks_diff, ticks_ms
from testutil import raises

OK = b"\r\nOK\r\n"
RDY = b"\r\nRDY\r\n"


class Module(ModuleUART):
    def _run(self, line):
        ans = self.answers.get(line)
        if isinstance(ans, list):
            a = ans[0]
            if len(ans) > 1:
                ans.pop(0)
            if isinstance(a, tuple):
                self.later(a[0], a[1])  # (ms, answer): printed that much later
            elif a is not None:
                self.rx.extend(a)
            return
        super()._run(line)

    def later(self, ms, data):
        now = ticks_ms()
        self._later.append([ticks_add(now, ms), data])
        self._later.sort(key=lambda x: ticks_diff(x[0], now))


def make(**cfg):
    u, m = attacks_make(Module(), **cfg)
    u.engine = m.engine
    return u, m


def after(u, line):
    # The command lines the module ran after the last time it ran line.
    k = len(u.lines) - 1 - u.lines[::-1].index(line)
    return u.lines[k + 1 :]


def echo_turned_off_once_more(u, m):
    # After the second restart: one ATE0, before the command.
    rest = u.lines[u.lines.index(b"ATE0\r") + 1 :]
    assert rest.count(b"ATE0\r") == 1 and rest.index(b"ATE0\r") < rest.index(b"AT+CSQ\r"), u.lines
    assert not m.sockets.echo_on


def test_a_restart_right_after_the_resyncs_ate0_is_not_forgotten():
    # The resync after a restart ends with ATE0, then clears Sockets.echo_on. The module
    # answers that ATE0's OK and restarts again at once (a brown-out's second dip): its RDY
    # comes in the same read as the OK, so on_restart sets echo_on again before the resync
    # goes on, and the resync's clearing wipes it. The next command resynchronises (the
    # restart set stale) but sends no ATE0: the module echoes every command from then on.
    u, m = make()
    u.answers[b"ATE0\r"] = [OK + RDY, OK]
    u.answers[b"AT+CSQ\r"] = b"\r\n+CSQ: 20,99\r\n" + OK
    u.feed(RDY)
    m.poll()  # the deferred work resynchronises, and its ATE0 meets the second restart
    assert m.sockets.restarts == 2
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]
    echo_turned_off_once_more(u, m)


def test_a_restart_with_the_ok_of_the_resyncs_ate0_is_met_before_the_command():
    # The same restart, met by a command's resync: the command went out right after the
    # second banner, to a booting module that echoes it, and the one after it got no ATE0.
    u, m = make()
    u.answers[b"AT+CSQ\r"] = [b"\r\n+CSQ: 20,99\r\n" + OK + RDY, b"\r\n+CSQ: 20,99\r\n" + OK]
    u.answers[b"ATE0\r"] = [OK + RDY, OK]
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]  # the first restart comes with its OK
    assert m.sockets.echo_on and m.engine.stale
    try:
        m.at("AT+CSQ", 300)
    except bc26.BC26Error as e:
        assert "restarted" in str(e), e  # failed as one the restart interrupted: acceptable
    assert m.sockets.restarts == 2
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]
    echo_turned_off_once_more(u, m)


def test_an_ate0_refused_once_is_sent_again_in_the_same_resync():
    # (A guard for the fix above, which moved the restart check behind the ATE0: a refused
    # ATE0 is still a missed try of the resync, sent again, not the command's answer.)
    u, m = make()
    u.answers[b"ATE0\r"] = [b"\r\nERROR\r\n", OK]
    u.answers[b"AT+CSQ\r"] = b"\r\n+CSQ: 20,99\r\n" + OK
    u.feed(RDY)
    m.engine.poll()  # the banner only (Modem.poll would send ATE0 itself)
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]
    assert u.lines.count(b"ATE0\r") == 2 and u.lines[-2:] == [b"ATE0\r", b"AT+CSQ\r"], u.lines
    assert not m.sockets.echo_on


def test_a_resync_whose_ate0_is_never_answered_ends_within_its_bound():
    # The resync ends within (2 x tries + 4) x timeout (resync.py): each try an AT and the
    # one confirming it, plus a shared budget for the quiet. The ATE0 after a restart came
    # on top: a module that answers each AT just in time, on a line chatty enough to use
    # the quiet's budget, then says nothing to ATE0, kept sync(2, T) for 9.4 T, not 8 T.
    # Then echo is still on: echo_on stays set, and the next command sends ATE0 first.
    t = 200
    u, m = make()
    u.answers[b"AT\r"] = [(t - 30, OK)]
    u.answers[b"ATE0\r"] = [None]
    u.answers[b"AT+CSQ\r"] = b"\r\n+CSQ: 20,99\r\n" + OK
    u.feed(RDY)
    m.engine.poll()
    for k in range(1, 26):  # an unknown line every t / 2, for 6 t
        u.later(k * t // 4, b"\r\n+QNOISE: %d\r\n" % k)
    t0 = ticks_ms()
    raises(bc26.BC26Timeout, m.sync, 2, t)
    took = ticks_diff(ticks_ms(), t0)
    assert took <= 8 * t + t // 2, took  # it took 9.4 t
    assert b"ATE0\r" in u.lines and m.sockets.echo_on and m.engine.stale
    u.answers[b"AT\r"] = [OK]
    u.answers[b"ATE0\r"] = OK
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]
    assert u.lines[-2:] == [b"ATE0\r", b"AT+CSQ\r"] and not m.sockets.echo_on, u.lines


def test_a_banner_that_waits_unread_stops_the_next_command():
    # A program that does not poll while idle (it sleeps between readings) finds the
    # module's banner waiting in the UART when it sends its next command. The command
    # checks stale before it reads anything; begin() then dispatches the banner (stale,
    # echo_on) and sends the command anyway: to a booting module, with echo on, and for a
    # send, to a socket the module no longer has. It must not go out: it fails as one
    # the restart interrupted, and the next command resynchronises and sends ATE0 first.
    u, m = make()
    u.answers[b"AT+CSQ\r"] = b"\r\n+CSQ: 20,99\r\n" + OK
    u.answers[b"ATE0\r"] = OK
    for send in (False, True):
        s = opened6(u, m)
        u.feed(RDY)
        n = len(u.lines)
        e = raises(bc26.BC26Error, s.send, b"hello") if send else raises(bc26.BC26Error, m.at, "AT+CSQ", 300)
        assert "restarted" in str(e) and u.lines[n:] == [], (e, u.lines[n:])
        assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]
        assert u.lines[n:][-2:] == [b"ATE0\r", b"AT+CSQ\r"], u.lines[n:]
    assert u.payloads == [], u.payloads


def test_a_task_cancelled_during_the_resyncs_ate0_leaves_echo_due_and_answers_in_order():
    # bc26.aio: a coroutine's command resynchronises after a restart, and the coroutine is
    # cancelled while the ATE0 waits (its OK comes late). Echo is still on as far as anyone
    # knows: echo_on stays set, and the next command, from another coroutine, sends ATE0
    # before it and gets its own answer, not the late OK.
    import asyncio

    from bc26.aio import AsyncModem

    u, m = make()
    u.answers[b"ATE0\r"] = [(150, OK), OK]
    u.answers[b"AT+CSQ\r"] = b"\r\n+CSQ: 20,99\r\n" + OK
    u.feed(RDY)
    m.engine.poll()

    async def main():
        am = AsyncModem(m)
        task = asyncio.create_task(am.command("AT+CSQ", expect=(b"+CSQ:",), timeout=300))
        while not u.lines or u.lines[-1] != b"ATE0\r":
            await asyncio.sleep_ms(5) if hasattr(asyncio, "sleep_ms") else await asyncio.sleep(0.005)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        assert m.sockets.echo_on and b"AT+CSQ\r" not in u.lines, u.lines
        return await am.command("AT+CSQ", expect=(b"+CSQ:",), timeout=300)

    assert asyncio.run(main()) == [b"+CSQ: 20,99"]
    assert u.lines[-2:] == [b"ATE0\r", b"AT+CSQ\r"] and not m.sockets.echo_on, u.lines


def test_reset_by_command_turns_echo_off_even_when_the_banner_is_unreadable():
    # reset() without a RESET pin sends AT+QRST=1: the module restarts for certain, with
    # echo on. Only its banner told the driver so, and BC26 prints the MediaTek banner at
    # 115200 before it auto-bauds again (research/hardware.md 1.2): on a UART at another
    # rate the banner is noise, echo_on stays clear, and every command after reset() is
    # echoed. reset() knows the module restarts: its sync ends with ATE0.
    u, m = make()
    u.answers[b"AT+QRST=1\r"] = b"\xf0\x1c\x8e\xfe\x00\x9c\r\n"  # the banner at the wrong rate
    u.answers[b"ATE0\r"] = OK
    u.answers[b"AT+CSQ\r"] = b"\r\n+CSQ: 20,99\r\n" + OK
    m.reset()
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]
    assert b"ATE0\r" in after(u, b"AT+QRST=1\r"), u.lines
    assert u.lines.count(b"ATE0\r") == 1 and not m.sockets.echo_on, u.lines


def test_a_restart_or_power_down_during_the_resyncs_ate0_is_a_missed_try():
    # (A guard.) The banner before the ATE0's echo, between the echo and its OK, two
    # banners, POWERED DOWN instead of the OK (the fake answers on, as after power_on):
    # each is a missed try of the resync, which sends ATE0 again, and the command behind it
    # and the next get their own answers.
    for answer in (
        RDY + b"ATE0\r" + OK,
        b"ATE0\r" + RDY + OK,
        b"ATE0\r" + RDY + RDY,
        b"ATE0\r\r\nPOWERED DOWN\r\n",
    ):
        u, m = make()
        u.answers[b"ATE0\r"] = [answer, OK]
        u.answers[b"AT+CSQ\r"] = b"\r\n+CSQ: 20,99\r\n" + OK
        u.feed(RDY)
        m.engine.poll()
        for _ in range(2):
            assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"], answer
        # The ATE0 that met the banner was a missed try: AT, silence, AT, ATE0 again.
        assert u.lines[-3:] == [b"ATE0\r", b"AT+CSQ\r", b"AT+CSQ\r"], (answer, u.lines)
        assert u.lines.count(b"ATE0\r") == 2 and not m.sockets.echo_on, (answer, u.lines)


def test_a_restart_instead_of_the_prompt_sends_no_data_as_commands():
    # (A guard.) The module restarts while a fixed-length send waits for its '>': the send
    # fails as interrupted, its data is owed to no prompt (the restarted module forgot the
    # send), so none of it reaches the module as a command line, and echo goes off before
    # the next command.
    u, m = make()
    s = opened6(u, m)
    u.answers[b"AT+QISEND=0,5\r"] = RDY
    u.answers[b"ATE0\r"] = OK
    u.answers[b"AT+CSQ\r"] = b"\r\n+CSQ: 20,99\r\n" + OK
    n = len(u.lines)
    e = raises(bc26.BC26Error, s.send_fixed, b"AT+X\r")
    assert "restarted" in str(e) and s.released, e
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]
    assert b"AT+X\r" not in u.lines and u.payloads == [], u.lines
    assert u.lines[n:][-2:] == [b"ATE0\r", b"AT+CSQ\r"], u.lines[n:]


def test_the_emulator_restarted_while_the_program_slept_gets_ate0_first():
    # The unread banner on the emulator (CPython only: it runs in-process, on threads).
    # The module reboots while the program does not poll; its next command found the
    # banner only in begin() and went out first, echoed, before any resync or ATE0.
    import sys
    import time

    if sys.implementation.name == "micropython":
        return
    from tools.bc26emu.emulator import Emulator

    emu = Emulator(reg_delay=0)
    try:
        m = bc26.Modem(emu.uart())
        m.start()
        n = len(emu.commands)
        emu.reboot()
        time.sleep(0.3)  # the banner is in the UART, unread
        try:
            assert m.at("AT+CSQ", 1000)[0].startswith("+CSQ:")
        except bc26.BC26Error as e:
            assert "restarted" in str(e), e
        assert m.at("AT+CSQ", 1000)[0].startswith("+CSQ:")
        after = [c for c in emu.commands[n:] if c != "AT"]
        assert after[0] == "ATE0" and after.count("ATE0") == 1, emu.commands[n:]
    finally:
        emu.close()


def test_a_restart_with_the_ok_of_the_polls_own_ate0_is_not_forgotten():
    # The poll's deferred work sends ATE0 alone when the module is in step (echo_on set
    # without stale: as start() marks it, or after its sync). Its clearing after the OK
    # wiped the mark of a restart whose banner came with that OK, as in the resync.
    u, m = make()
    u.answers[b"ATE0\r"] = [OK + RDY, OK]
    u.answers[b"AT+CSQ\r"] = b"\r\n+CSQ: 20,99\r\n" + OK
    m.sockets.echo_on = True
    m.poll()
    assert m.sockets.restarts == 1 and u.lines == [b"ATE0\r"], u.lines
    assert m.at("AT+CSQ", 300) == ["+CSQ: 20,99"]
    assert u.lines[-2:] == [b"ATE0\r", b"AT+CSQ\r"] and not m.sockets.echo_on, u.lines
