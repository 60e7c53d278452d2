# The object a user holds: one module on one UART.
#
# Modem owns the engine and runs every command through command(), which recovers from an
# earlier timeout and turns a bare ERROR from a TCP/IP command into the module's own error
# code (AT+QIGETERROR), so users see "566 Socket connection failed" and not "ERROR".
#
# An operation of several commands is written once, as steps (see drive()): the blocking
# methods drive them here, bc26.aio awaits the same steps.

from ._compat import lazy
from .engine import Engine
from .errors import BC26Error
from .sockets import Sockets


class Modem:
    def __init__(self, uart, rxbuf=1536, query_errors=True):
        """uart: a machine.UART (or anything with its any/readinto/write surface).

        rxbuf: the one receive buffer, as a size or a bytearray to use (allocated early, while
        the heap is still in one piece). 1536 bytes hold a 1400-byte URC, or a 512-byte
        AT+QIRD read in hex, with their headers. query_errors: ask the module for the code
        behind a bare ERROR from a TCP/IP command (one extra command, only on failure).
        """
        self.engine = Engine(uart, rxbuf)
        self.query_errors = query_errors
        self.sockets = Sockets(self)
        self.ip = None  # the module's address: the +IP: URC or AT+CGPADDR (bringup.py)
        self.reg = None  # registration <stat> from the +CEREG: URC or AT+CEREG?
        # Set by the modules loaded on first use, absent until then (they read them with
        # getattr(modem, name, None)); stubs/bc26/modem.pyi types them. Declared, not set:
        # an annotation costs nothing on a board, while each name set here would be interned
        # by `import bc26`, and five more names cross MicroPython's next name table (+3.6 KB).
        self.aio: object  # the bc26.aio.AsyncModem driving this modem (aio.py)
        self.nic: object  # the bc26.netif.NIC over it (netif.install)
        self.pins: object  # power.Pins from set_pins(): PWRKEY, RESET, PSM_EINT (power.py)
        self.psm_state: str  # "awake", "PSM" or "unknown" once PSM is watched (psm.py)
        self.ntp_text: str  # the module's time string of the last ntp() (services.py)
        # Every URC the library handles, in one place: (head, rest, handler, owner), the line
        # starts with head, optional spaces, then rest (Engine.urcs says how it is read). A
        # handler is named, owner's method, looked up the first time its URC comes: one that
        # never comes never loads its code, as most live in modules loaded on first use. The
        # first entry that matches takes the line, so the data URC, the one that comes most,
        # is tried first. (psm.py adds +QNBIOTEVENT and +QATWAKEUP while PSM is watched,
        # with Engine.on; a user's listeners go beside these, Modem.on.)
        net = self.sockets
        self.engine.urcs = [
            (b"+QIURC:", b'"recv"', "on_recv", net),  # data: announced, or pushed with it
            (b"+QIURC:", b'"closed"', "on_closed", net),
            (b"+QIRD:", b"", "on_qird", net),  # after its read gave up: counted and dropped
            (b"+QIOPEN:", b"", "on_late_open", net),  # after its open gave up: closed later
            # A module that restarts prints a boot banner (BC26: MediaTek's, ending in
            # "Leaving the BROM"; other firmware: RDY) and has forgotten every socket; after
            # AT+QPOWD (or a brown-out the firmware notices) it says POWERED DOWN and is off.
            (b"RDY", b"", "on_restart", net),
            (b"Leaving the BROM", b"", "on_restart", net),
            (b"POWERED DOWN", b"", "on_restart", net),
            # The network: the default PDN is up, with this address; the registration changed.
            (b"+IP:", b"", "_on_net", self),
            (b"+CEREG:", b"", "_on_net", self),
        ]

    def poll(self):
        """Read what the module sent and dispatch URCs. Call it often while idle."""
        self.engine.poll()
        self.sockets.service()

    def command(self, *parts, expect=None, on_line=None, timeout=1000, trailer=0, tcpip=False):
        """Run one command (parts as for Engine.cmd) and return its collected lines."""
        return self.drive(self.command_steps(parts, expect, on_line, timeout, trailer, tcpip))

    def command_steps(
        self, parts, expect=None, on_line=None, timeout=1000, trailer=0, tcpip=False, at_ok=None
    ):
        # command() as steps (see drive()). at_ok: called the moment OK is read, before any
        # record that follows it in the same read (AT+QISWTMD switches the access mode so).
        e = self.engine
        if e.stale:
            yield from self.sync_steps(3, 300)  # ready()
        e.cmd(parts)
        try:
            e.begin(expect, on_line, timeout, trailer)
            e.at_ok = at_ok
            yield
            return e.finish()
        except BC26Error as err:
            yield from self.explain(err, tcpip)
            raise

    def drive(self, steps):
        """Run steps to their end, blocking, and return what they return.

        Steps are a generator that yields after each Engine.begin() or resume() and goes on
        once the engine says the command completed, prompted or timed out: command_steps,
        sync_steps, Sockets.open_steps, services.ping_steps... This waits with Engine.wait();
        bc26.aio runs the same steps and awaits instead, so both share one implementation.
        Operations on the hot paths (AT+QIRD, AT+QISEND) are phases in sockets.py instead:
        a generator costs an allocation per call.
        """
        e = self.engine
        try:
            while True:
                next(steps)
                e.step(True)  # Engine.wait()
        except StopIteration as done:
            return done.value
        except BaseException:
            e.abandon()  # interrupted (KeyboardInterrupt) while a command runs: it gives up
            raise
        finally:
            steps.close()  # run the steps' cleanup

    # --- URCs of the network (resident: they come at every attach, start() or not) -------

    def _on_net(self, buf, s, end):
        # +IP: 10.170.235.216 (the default PDN is up: the manual's go-ahead for QIOPEN), or
        # +CEREG: <stat>[,...] (the URC form; the read form, with <n> first, is a response).
        # One handler for both: each resident function costs heap beyond its bytecode.
        f = self.engine.fields
        if buf[s + 1] == 73:  # I
            f.start(s + 4, end)
            if f.str():
                self.ip = f.text()
            return
        f.start(s + 7, end)
        s = f.int()
        if s is not None:
            self.reg = s

    # --- the rest, loaded on first use -----------------------------------------------------
    # Every method costs heap whether it is called or not, so services (ping, NTP, DNS),
    # network bring-up and power live in their own modules: modem.ping(...) is
    # services.ping(modem, ...), imported the first time. README lists them all.

    def __getattr__(self, name):
        return lazy(
            self,
            name,
            (
                "|services ping ntp resolve set_dns dns_servers error_info test_form supports "
                "|bringup start wait_network address |network registration signal reattach "
                "|resync ready sync sync_steps "
                "|power set_pins power_on reset wake "
                "|psm set_sleep release_sleep_lock set_psm psm_events wait_psm "
                "|powerinfo sleep_mode psm_config psm_granted set_edrx edrx_config edrx_granted "
                "|sockstate socket_state |sockcfg configure read_config |openclose open "
                "|raw at on last_error last_error_steps explain "
            ),
        )
