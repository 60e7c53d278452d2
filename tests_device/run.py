# Runs the device tests: on a board through mpremote, or in the unix port against the emulator.
#
#   micropython tests_device/run.py [module ...]      (unix port; see tests_host/test_device.py)
#   mpremote ... run tests_device/run.py              (a board; see README)
#
# Prints one line per test and a closing "N passed, N failed" line.
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


def main(names):
    board = __import__(settings.BOARD)
    modem = bc26.Modem(board.uart())
    kept = modem.start()
    for sock in kept:
        sock.close()
    ip = modem.wait_network(60000)
    print("network up, module address", ip)
    ctx = Ctx(modem)
    passed = failed = 0
    for name in names:
        mod = __import__(name)
        for attr in sorted(dir(mod)):
            if not attr.startswith("test_"):
                continue
            ctx.plain()
            try:
                getattr(mod, attr)(ctx)
                passed += 1
                print("ok    %s.%s" % (name, attr))
            except Exception as e:
                failed += 1
                print("FAIL  %s.%s: %r" % (name, attr, e))
                sys.print_exception(e)
            for i in range(5):  # no test leaves a socket behind
                s = modem.net.table[i]
                if s is not None:
                    s.close()
    print("device: %d passed, %d failed" % (passed, failed))
    return failed


if __name__ == "__main__":
    sys.exit(1 if main(sys.argv[1:] or MODULES) else 0)
