# Shared by the end-to-end scripts (tests_device/e2e_*.py): settings, bring-up, timing.
#
# The host runner (tests_host/test_e2e_*.py) writes an e2e_settings.py with the addresses of
# the servers it started on 127.0.0.1; on a board, write one that names servers the module
# can reach (the defaults below are public test servers).
import time

import bc26

try:
    import e2e_settings as settings
except ImportError:

    class settings:
        BOARD = "unix"
        MQTT = ("test.mosquitto.org", 1883)
        HTTP = "http://httpbin.org"
        ECHO = ("tcpbin.com", 4242)
        PING = "8.8.8.8"
        NAME = "example.com"
        COUNT = 10
        TAG = "bc26-e2e"


def bring_up():
    """A Modem on the board's UART, started and on the network."""
    board = __import__(settings.BOARD)
    modem = bc26.Modem(board.uart())
    for sock in modem.start():
        sock.close()
    modem.wait_network(60000)
    return modem


def marker(modem, name):
    # A command the host finds in the emulator's transcript: it measures what crossed the
    # UART between two markers. AT+CGSN (the IMEI) changes nothing on the module.
    modem.at("AT+CGSN")
    print("MARK", name)


class Timer:
    def __init__(self):
        self.t0 = time.ticks_ms()

    def ms(self):
        return time.ticks_diff(time.ticks_ms(), self.t0)


def check(cond, what):
    # Not assert: MicroPython built with optimisation drops asserts.
    if not cond:
        raise AssertionError(what)


def unmodified(module):
    # The host runner puts ../shared/clients ahead of the unix port's frozen modules: make
    # sure that copy, not a frozen or installed one, is the one under test.
    where = getattr(module, "__file__", "")
    if settings.BOARD == "unix":
        check("shared/clients" in where, "%s from %s" % (module.__name__, where))
    print("client", module.__name__, "from", where)
