# Runs the device tests: on a board through mpremote, or in the unix port against the emulator.
#
#   micropython tests_device/run.py [module ...]      (unix port; see tests_host/test_device.py)
#   mpremote mount tests_device run tests_device/run.py   (a board; see README "On a board")
#
# Reads like a checklist: one line per step, "ok" or "FAIL", and on a failure what the module
# itself said last (from an AT trace of the last TRACE lines, when settings ask for one); then
# the facts a first hardware run should bring back, and "device: N passed, N failed".
import sys

import bc26

try:
    import device_settings as settings
except ImportError:
    import settings

MODULES = ("dev_sockets", "dev_services")


class Ctx:
    """What every device test gets: the modem and the settings."""

    def __init__(self, modem):
        self.modem = modem
        self.s = settings

    def plain(self):
        # Each test starts from the driver's usual framing.
        self.modem.configure(send_hex=False, recv_hex=False, viewmode=0, showlength=0, echomode=0)


def module_words(trace, n=3):
    """The module's last n lines in the trace, joined, or "" without a trace."""
    if trace is None:
        return ""
    said = [line[11:] for line in trace.lines() if line[9:10] == "<"]
    return " | ".join(said[-n:])


class Checklist:
    def __init__(self, trace):
        self.trace = trace
        self.passed = 0
        self.failed = []

    def step(self, name, fn, *args):
        """Run fn(*args); print its line. Returns fn's value, or None when it failed."""
        if self.trace is not None:
            self.trace.end_line()
        try:
            value = fn(*args)
        except Exception as e:
            self.failed.append(name)
            words = module_words(self.trace)
            print("FAIL  %s: %s%s" % (name, e, ("  [module: %s]" % words) if words else ""))
            sys.print_exception(e)
            return None
        self.passed += 1
        print("ok    %s" % name)
        return value


def esc_answer(trace):
    """The trace lines from start()'s Esc on: what a module in command mode makes of it (read
    right after start(), before later lines push them out of the ring)."""
    if trace is None:
        return None
    lines = trace.lines()
    for i in range(len(lines)):
        if "\\x1b" in lines[i]:
            return " | ".join(x[9:] for x in lines[i : i + 4])
    return "not in the trace any more: set TRACE = 40 or more"


def banner(modem, trace, board):
    """What the module prints as it restarts: RESET if the board file wires it, else AT+QRST=1."""
    pins = board.pins() if hasattr(board, "pins") else (None, None, None)
    modem.set_pins(pins[0], pins[1], pins[2], getattr(board, "ACTIVE", 1))
    said = []
    out = trace.out

    def both(line):
        said.append(line)
        if out is not None:
            out(line)

    trace.end_line()
    trace.out = both  # every line from here, whatever the ring keeps
    try:
        modem.reset()
        modem.poll()
        trace.end_line()
    finally:
        trace.out = out
    print("boot banner (%s):" % ("RESET" if pins[1] is not None else "AT+QRST=1"), end=" ")
    heard = []
    for x in said:
        if x[9:10] == "<":
            if x[11:13] == "AT":
                break  # the echo of the first AT after the restart: the banner is over
            heard.append(x[11:])
    print(" | ".join(heard) or "nothing")
    kept = modem.start()  # the restarted module: echo on again, its AT+QICFG values
    for sock in kept:
        sock.close()
    modem.wait_network(60000)


def facts(modem, trace, esc, board):
    """What differs between firmware releases and nobody could check without hardware."""
    print("--- bring these back from a first hardware run (README, On a board) ---")
    try:
        print("revision:", " / ".join(modem.at("ATI")))
    except Exception as e:
        print("revision: ATI failed:", e)
    if esc is not None:
        print("the Esc in start():", esc)
    if trace is not None:
        try:
            banner(modem, trace, board)
        except Exception as e:
            print("boot banner: the restart failed:", e)
    try:
        host, port = settings.NTP
        modem.ntp(host, port)
        if trace is not None:
            for line in trace.lines():
                if "+QNTP:" in line:
                    print("+QNTP line (its time zone):", line[11:])
    except Exception as e:
        print("+QNTP failed:", e)


def main(names):
    board = __import__(settings.BOARD)
    uart = board.uart()
    trace = None
    keep = getattr(settings, "TRACE", 0)
    out = getattr(settings, "TRACE_OUT", None)
    if keep or out is not None:
        from bc26.trace import Trace

        trace = uart = Trace(uart, lines=keep, out=out)
    modem = bc26.Modem(uart)
    check = Checklist(trace)

    def bring_up():
        for sock in modem.start():
            sock.close()

    check.step("bring-up: AT, ATE0, AT+CMEE=1, AT+CEREG, AT+QICFG", bring_up)
    esc = esc_answer(trace)
    ip = check.step("network: an IP address within 60 s", modem.wait_network, 60000)
    if ip is None:
        print(
            "device: %d passed, %d failed (no network: see bc26.doctor)" % (check.passed, len(check.failed))
        )
        return 1
    print("      module address", ip)
    ctx = Ctx(modem)
    for name in names:
        mod = __import__(name)
        for attr in sorted(dir(mod)):
            if not attr.startswith("test_"):
                continue
            ctx.plain()
            check.step("%s.%s" % (name, attr), getattr(mod, attr), ctx)
            for i in range(5):  # no test leaves a socket behind
                s = modem.sockets.table[i]
                if s is not None:
                    s.close()
    if getattr(settings, "FACTS", True):
        facts(modem, trace, esc, board)
    if check.failed:
        print("failed:", ", ".join(check.failed))
    print("device: %d passed, %d failed" % (check.passed, len(check.failed)))
    return len(check.failed)


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1:] or MODULES) else 0)
