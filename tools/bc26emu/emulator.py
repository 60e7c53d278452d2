"""The emulator as a host program sees it: a modem wired to real sockets, a clock and an output pipe."""

import time

from .knobs import Knobs, with_profile
from .modem import Modem
from .netio import HostNetwork
from .netservices import Services
from .output import OutputPipe, Transcript
from .reactor import Reactor


class Emulator:
    """A BC26/BC20 on the host. Emulator(**knobs) starts it; close() stops every thread it started.

    feed(data) is the UART's receive line (what the driver writes); read_output() drains its transmit
    line, or pass on_output to be called with every chunk the module prints. Transports (uart(),
    serve_tcp(), open_pty()) wrap both ends.
    """

    def __init__(self, on_output=None, **knobs):
        self.knobs = Knobs(**with_profile(knobs))
        self.started_at = time.monotonic()
        self.transcript = Transcript(self.knobs.log, start=self.started_at)
        self.output = OutputPipe(
            self.transcript,
            baud=self.knobs.baud,
            drop_rate=self.knobs.drop_rate,
            corrupt_rate=self.knobs.corrupt_rate,
            seed=self.knobs.seed,
            chunk_max=self.knobs.chunk_max,
            chunk_gap=self.knobs.chunk_gap,
        )
        self._on_output = on_output
        self._closed = False
        self._transports = []
        self.reactor = Reactor()
        self.net = HostNetwork(self.reactor, connect_timeout=self.knobs.connect_timeout)
        self.services = Services(
            self.reactor,
            dns_port=self.knobs.dns_port,
            dns_timeout=self.knobs.dns_timeout,
            dns_ttl=self.knobs.dns_ttl,
            hosts=self.knobs.hosts,
        )
        self.modem = Modem(
            self.knobs,
            emit=self._emit,
            schedule=self.reactor.call_later,
            net=self.net,
            services=self.services,
            transcript=self.transcript,
            clock=time.time,
        )

    def _emit(self, data, hold=0.0):
        self.output.push(data, hold)
        if self._on_output:
            self._on_output(data)

    # The two ends of the UART ----------------------------------------------------------------

    def host_attached(self):
        """The host is there (a client connected, a UART was made): a first boot starts now."""
        self.modem.host_attached()

    def feed(self, data):
        """Bytes written by the driver to the module."""
        if self._closed or not data:
            return
        self.modem.host_attached()
        self.transcript.received(data)
        self.modem.feed(data)

    def read_output(self, limit=None):
        """Module output that has arrived by now (b"" when none)."""
        return self.output.take(limit)

    # State a test may look at ----------------------------------------------------------------

    @property
    def commands(self):
        """Every command line the module received, in order (e.g. 'AT+QIRD=0,512')."""
        return list(self.transcript.commands)

    @property
    def registered(self):
        return self.modem.registered

    def socket_state(self, connect_id):
        """The <socket_state> QISTATE would show, or None when the ID is free."""
        with self.modem.lock:
            slot = self.modem.sockets.get(connect_id)
            return None if slot is None else slot.state

    def buffered_nodes(self, connect_id):
        with self.modem.lock:
            slot = self.modem.sockets.get(connect_id)
            return 0 if slot is None else len(slot.nodes)

    def reboot(self):
        """Reset as if RESET were pulled: RDY, sockets forgotten, registration starts over."""
        self.modem.reboot("reboot (requested)")

    def drop_network(self):
        """The network goes away (coverage lost): each connected socket is closed ("closed"),
        then +QIURC: "pdpdeact",1 and +CEREG: 2 (with AT+CEREG>=1). restore_network() ends it."""
        from .general import network_changed

        with self.modem.lock:
            self.modem.coverage = False
            network_changed(self.modem, "coverage lost (requested)")

    def restore_network(self):
        """The network is back: registration again after reg_delay (+CEREG: 1, +IP:)."""
        from .general import network_changed

        with self.modem.lock:
            self.modem.coverage = True
            network_changed(self.modem, "coverage back (requested)")

    def wait_registered(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while not self.modem.registered:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)
        return True

    # Transports ------------------------------------------------------------------------------

    def uart(self, timeout=0):
        from .transports import EmulatedUART

        return EmulatedUART(self, timeout=timeout)

    def serve_tcp(self, host="127.0.0.1", port=0):
        from .transports import TcpUartServer

        server = TcpUartServer(self, host, port)
        self._transports.append(server)
        return server

    def open_pty(self):
        from .transports import PtyUart

        pty = PtyUart(self)
        self._transports.append(pty)
        return pty

    # Lifecycle -------------------------------------------------------------------------------

    def close(self):
        if self._closed:
            return
        self._closed = True
        for transport in self._transports:
            transport.close()
        with self.modem.lock:
            self.modem.sockets.forget_all()
        self.reactor.close()
        self.services.close()
        self.output.wake()
        self.transcript.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
