# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
import bc26
from bc26.network import Registration
from fakeuart import FakeUART
from testutil import raises

OK = b"\r\nOK\r\n"
ERROR = b"\r\nERROR\r\n"
IP = "10.170.235.216"


def make(known=True):
    u = FakeUART()
    m = bc26.Modem(u)
    m.sockets.known = known
    return u, m


def qicfg(u, dataformat=b"0,0", viewmode=b"0", showlength=b"0", echomode=b"0", echo=False):
    """Script the four AT+QICFG reads; echomode None: firmware without it (ERROR)."""
    for name, value in (
        (b"dataformat", dataformat),
        (b"viewmode", viewmode),
        (b"showlength", showlength),
        (b"echomode", echomode),
    ):
        cmd = b'AT+QICFG="' + name + b'"\r'
        head = cmd if echo else b""
        if value is None:
            u.reply(cmd, head + ERROR)
            u.reply(b"AT+QIGETERROR\r", b"\r\n+QIGETERROR: 552,invalid parameters\r\n" + OK)
        else:
            u.reply(cmd, head + b'\r\n+QICFG: "' + name + b'",' + value + b"\r\n" + OK)


QICFG_TX = b'AT+QICFG="dataformat"\rAT+QICFG="viewmode"\rAT+QICFG="showlength"\rAT+QICFG="echomode"\r'


# --- the +IP: URC and the module's address ---------------------------------------------------


def test_ip_urc_sets_the_address():
    u, m = make()
    assert m.ip is None
    u.feed(b"\r\n+IP: " + IP.encode() + b"\r\n")
    m.poll()
    assert m.ip == IP
    u.feed(b"\r\n+IP:10.0.0.7\r\n")
    m.poll()
    assert m.ip == "10.0.0.7" and m.engine.unknown == 0


def test_address_forms():
    u, m = make()
    u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1,101.43.5.1\r\n" + OK)
    assert m.address() == "101.43.5.1" and m.ip == "101.43.5.1"
    u.reply(b"AT+CGPADDR=1\r", b'\r\n+CGPADDR: 1,"10.9.8.7","FE80::1"\r\n' + OK)
    assert m.address() == "10.9.8.7"
    # No address: the module lost it.
    u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1\r\n" + OK)
    assert m.address() is None and m.ip is None
    # A +IP: URC in the middle of the answer still counts.
    u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1\r\n\r\n+IP: " + IP.encode() + b"\r\n" + OK)
    assert m.address() == IP
    assert u.take_tx() == b"AT+CGPADDR=1\r" * 4


# --- waiting for the network -------------------------------------------------------------------


def test_wait_network_when_the_module_was_registered_before():
    # The MCU restarted; the module registered long ago and printed +IP: to nobody.
    u, m = make()
    u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1," + IP.encode() + b"\r\n" + OK)
    assert m.wait_network(1000) == IP
    assert u.take_tx() == b"AT+CGPADDR=1\r"


def test_wait_network_until_ip_arrives():
    u, m = make()
    u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1\r\n" + OK)
    u.reply(
        b"AT+CEREG?\r",
        b"\r\n+CEREG: 0,2\r\n" + OK,
        (30, b"\r\n+CEREG: 1\r\n"),
        (40, b"\r\n+IP: " + IP.encode() + b"\r\n"),
    )
    assert m.wait_network(5000, 2000) == IP
    assert m.reg == 1
    assert u.take_tx() == b"AT+CGPADDR=1\rAT+CEREG?\r"


def test_wait_network_asks_again_and_gives_up_with_the_state():
    u, m = make()
    for _ in range(2):
        u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1\r\n" + OK)
        u.reply(b"AT+CEREG?\r", b"\r\n+CEREG: 2,2\r\n" + OK)
    u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1,10.1.1.1\r\n" + OK)
    assert m.wait_network(5000, 100) == "10.1.1.1"
    assert u.take_tx() == b"AT+CGPADDR=1\rAT+CEREG?\r" * 2 + b"AT+CGPADDR=1\r"
    for _ in range(5):
        u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1\r\n" + OK)
        u.reply(b"AT+CEREG?\r", b"\r\n+CEREG: 2,3\r\n" + OK)
    err = raises(bc26.BC26Timeout, m.wait_network, 250, 100)
    assert err.errno == 110 and "denied" in str(err)
    raises(bc26.BC26Timeout, m.wait_network, 0)


# --- registration ------------------------------------------------------------------------


def test_cereg_urc_forms():
    u, m = make()
    for line, stat in (
        (b"+CEREG: 2", 2),
        (b"+CEREG:1", 1),
        (b'+CEREG: 5,"1A2B","0C3D4E5F",9', 5),
        (b'+CEREG: 3,"1A2B","0C3D4E5F",9,0,15', 3),
        (b"+CEREG: 0,,,,1,15", 0),
        (b'+CEREG: 1,"1A2B","0C3D4E5F",9,,,"00100100","01000111"', 1),
        (b'+CEREG: 1,"1A2B","0C3D4E5F",9,0,0,"00100100","01000111"', 1),
    ):
        u.feed(b"\r\n" + line + b"\r\n")
        m.poll()
        assert m.reg == stat, line
    assert m.engine.unknown == 0
    r = Registration(b'+CEREG: 3,"1A2B","0C3D4E5F",9,0,15', False)
    assert (r.n, r.stat, r.tac, r.ci, r.act, r.cause_type, r.reject_cause) == (
        None,
        3,
        "1A2B",
        "0C3D4E5F",
        9,
        0,
        15,
    )
    assert not r.registered and r.stat_name == "denied"
    r = Registration(b'+CEREG: 1,"1A2B","0C3D4E5F",9,,,"00100100","01000111"', False)
    assert (r.stat, r.cause_type, r.reject_cause, r.active_time, r.periodic_tau) == (
        1,
        None,
        None,
        "00100100",
        "01000111",
    )
    assert r.registered
    r = Registration(b"+CEREG: 2", False)
    assert (r.stat, r.tac, r.ci, r.act, r.active_time) == (2, None, None, None, None)


def test_cereg_read_forms_with_urcs_inside_the_answer():
    u, m = make()
    for wire, want in (
        (b"\r\n+CEREG: 0,1\r\n", (0, 1, None, None, None, None)),
        (b"\r\n+CEREG:1,5\r\n", (1, 5, None, None, None, None)),
        (b'\r\n+CEREG: 2,1,"1A2B","0C3D4E5F",9\r\n', (2, 1, "1A2B", "0C3D4E5F", 9, None)),
        (b'\r\n+CEREG: 3,3,"1A2B","0C3D4E5F",9,0,15\r\n', (3, 3, "1A2B", "0C3D4E5F", 9, None)),
        (
            b'\r\n+CEREG: 4,1,"1A2B","0C3D4E5F",9,,,"00100100","01000111"\r\n',
            (4, 1, "1A2B", "0C3D4E5F", 9, "00100100"),
        ),
        (
            b'\r\n+CEREG: 5,1,"1A2B","0C3D4E5F",9,0,0,"00100100","01000111"\r\n',
            (5, 1, "1A2B", "0C3D4E5F", 9, "00100100"),
        ),
    ):
        # URCs of every shape before and after the answer line: never taken for it.
        urcs = b'\r\n+CEREG: 2\r\n\r\n+CEREG: 2,"1A2B","0C3D4E5F",9\r\n'
        u.reply(b"AT+CEREG?\r", urcs + wire + b"\r\n+CEREG:4\r\n" + OK)
        r = m.registration()
        assert (r.n, r.stat, r.tac, r.ci, r.act, r.active_time) == want, wire
        assert m.reg == 4  # the last URC came after the answer
        assert m.engine.unknown == 0
    u.reply(b"AT+CEREG?\r", OK)
    assert m.registration() is None


def test_signal():
    u, m = make()
    for wire, want in (
        (b"+CSQ: 19,99", (19, 99, -75)),
        (b"+CSQ:0,0", (0, 0, -113)),
        (b"+CSQ: 31,7", (31, 7, -51)),
        (b"+CSQ: 99,99", (99, 99, None)),
    ):
        u.reply(b"AT+CSQ\r", b"\r\n" + wire + b"\r\n" + OK)
        assert m.signal() == want
    assert u.take_tx() == b"AT+CSQ\r" * 4


# --- start() -------------------------------------------------------------------------------


def test_start_on_a_module_with_echo_on():
    u, m = make(known=False)
    # Esc and the first AT reach a module that is still auto-bauding: it echoes garbage and
    # says ERROR; the driver tries again. Echo stays on until ATE0.
    u.reply(b"AT\r", b"\x1bAT\r\r\nERROR\r\n")
    u.reply(b"AT\r", b"AT\r\r\nOK\r\n")
    u.reply(b"ATE0\r", b"ATE0\r\r\nOK\r\n")
    u.reply(b"AT+CMEE=1\r", OK)
    u.reply(b"AT+CEREG=2\r", OK)
    qicfg(u)
    u.reply(b"AT+CEREG?\r", b'\r\n+CEREG: 2,1,"1A2B","0C3D4E5F",9\r\n' + OK)
    u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1," + IP.encode() + b"\r\n" + OK)
    u.reply(b"AT+QISTATE?\r", OK)
    assert m.start() == []
    assert u.take_tx() == (
        b"\x1bAT\rAT\rATE0\rAT+CMEE=1\rAT+CEREG=2\r"
        + QICFG_TX
        + b"AT+CEREG?\rAT+CGPADDR=1\rAT+QISTATE?\r"
    )
    assert m.reg == 1 and m.ip == IP and m.sockets.known
    assert u.pending_script() == 0


def test_start_sets_the_preferred_config_where_it_differs():
    u, m = make(known=False)
    u.reply(b"AT\r", OK)  # a clean sync: one AT
    u.reply(b"ATE0\r", OK)
    u.reply(b"AT+CMEE=1\r", OK)
    qicfg(u, dataformat=b"1,1", viewmode=b"1", showlength=b"0", echomode=None)
    u.reply(b'AT+QICFG="dataformat",0,0\r', OK)
    u.reply(b'AT+QICFG="viewmode",0\r', OK)
    u.reply(b'AT+QICFG="showlength",1\r', OK)
    u.reply(b"AT+CEREG?\r", b"\r\n+CEREG: 0,2\r\n" + OK)
    u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1\r\n" + OK)
    u.reply(b"AT+QISTATE?\r", OK)
    assert m.start(cereg=None, configure=True) == []
    tx = u.take_tx()
    assert b"AT+CEREG=" not in tx and b'"echomode",' not in tx
    assert tx.endswith(
        b'AT+QICFG="dataformat",0,0\rAT+QICFG="viewmode",0\rAT+QICFG="showlength",1\r'
        b"AT+CEREG?\rAT+CGPADDR=1\rAT+QISTATE?\r"
    )
    n = m.sockets
    assert (n.send_hex, n.recv_hex, n.viewmode, n.showlength, n.echomode) == (False, False, 0, 1, 0)
    assert m.reg == 2 and m.ip is None


def test_start_without_an_answer_says_so():
    u, m = make()
    err = raises(bc26.BC26Error, m.start, 2)
    assert "no answer" in str(err)
    assert u.take_tx() == b"\x1bAT\rAT\r"


def test_bad_arguments_never_reach_the_uart():
    u, m = make()
    raises(ValueError, m.start, 10, 6)
    raises(ValueError, m.start, 10, -1)
    raises(ValueError, m.start, 10, 2, False, ("SCTP",))
    raises(ValueError, m.start, 10, 2, False, "UDP", 0)
    raises(ValueError, m.reattach, ("TCP", "RAW"))
    raises(ValueError, m.reattach, "UDP", 8)
    raises(ValueError, m.wait_network, -1)
    raises(ValueError, m.wait_network, 1000, 0)
    raises(TypeError, m.wait_network, "1000")
    assert u.tx == b""


# --- reattach ------------------------------------------------------------------------------

_KEPT = (
    b'\r\n+QISTATE: 0,"TCP","220.180.239.212",8062,1234,2,1,0\r\n'
    b'\r\n+QISTATE: 1,"UDP","10.0.0.9",5683,4000,2,1,0\r\n'
    b'\r\n+QISTATE: 2,"UDP","10.0.0.9",5684,4001,2,1,1\r\n'
    b'\r\n+QISTATE: 3,"TCP","220.180.239.212",8063,1235,4,1,0\r\n'
)


def test_start_reattaches_a_kept_udp_socket_and_closes_the_rest():
    u, m = make()
    u.reply(b"AT\r", OK)  # a clean sync: one AT
    u.reply(b"ATE0\r", OK)
    u.reply(b"AT+CMEE=1\r", OK)
    u.reply(b"AT+CEREG=2\r", OK)
    qicfg(u)
    u.reply(b"AT+CEREG?\r", b'\r\n+CEREG: 2,1,"1A2B","0C3D4E5F",9\r\n' + OK)
    u.reply(b"AT+CGPADDR=1\r", b"\r\n+CGPADDR: 1," + IP.encode() + b"\r\n" + OK)
    u.reply(b"AT+QISTATE?\r", _KEPT + OK)
    u.reply(b"AT+QICLOSE=0\r", OK + b"\r\nCLOSE OK\r\n")
    u.reply(b"AT+QICLOSE=3\r", OK + b"\r\nCLOSE OK\r\n")
    socks = m.start()
    assert u.take_tx().endswith(b"AT+QISTATE?\rAT+QICLOSE=0\rAT+QICLOSE=3\r")
    assert [(s.id, s.kind, s.mode) for s in socks] == [(1, "UDP", bc26.BUFFER), (2, "UDP", bc26.PUSH)]
    kept, pushed = socks
    assert m.sockets.table[1] is kept and m.sockets.table[2] is pushed
    assert (kept.info.address, kept.info.remote_port, kept.info.local_port) == ("10.0.0.9", 5683, 4000)
    # A datagram may wait in the module from before the MCU listened: the first recv reads.
    u.reply(b"AT+QIRD=1,512\r", b"\r\n+QIRD: 5\r\nearly\r\n" + OK)
    assert kept.recv(512, timeout=0) == b"early"
    u.reply(b"AT+QIRD=1,512\r", b"\r\n+QIRD: 0\r\n" + OK)
    assert kept.recv(512, timeout=0) is None
    # Both sockets work as if this driver had opened them.
    u.reply(b"AT+QISEND=1,5,hello\r", OK + b"\r\nSEND OK\r\n")
    kept.send(b"hello")
    u.feed(b'\r\n+QIURC: "recv",2,4\r\npong\r\n+QIURC: "recv",1\r\n')
    m.poll()
    assert pushed.recv(100, timeout=0) == b"pong"
    assert kept.pending
    # The closed connectIDs are free again for open().
    u.reply(b'AT+QIOPEN=1,0,"UDP","10.0.0.9",5685,0,0\r', OK + b"\r\n+QIOPEN: 0,0\r\n")
    assert m.open("UDP", "10.0.0.9", 5685).id == 0
    assert u.take_tx() == (
        b'AT+QIRD=1,512\rAT+QIRD=1,512\rAT+QISEND=1,5,hello\rAT+QIOPEN=1,0,"UDP","10.0.0.9",5685,0,0\r'
    )


def test_reattach_choices():
    # Keep TCP too: the connected TCP socket is taken over, the closing one is closed.
    u, m = make()
    u.reply(b"AT+QISTATE?\r", _KEPT + OK)
    u.reply(b"AT+QICLOSE=3\r", OK + b"\r\nCLOSE OK\r\n")
    socks = m.reattach(("TCP", "udp"))
    assert [s.id for s in socks] == [0, 1, 2]
    assert socks[0].kind == "TCP" and not socks[0].udp and socks[0].pending
    assert u.take_tx() == b"AT+QISTATE?\rAT+QICLOSE=3\r"
    # A second call leaves the sockets it already tracks alone.
    u.reply(b"AT+QISTATE?\r", _KEPT + OK)
    u.reply(b"AT+QICLOSE=3\r", b"\r\nERROR\r\n")
    assert m.reattach(("TCP", "UDP")) == []
    assert u.take_tx() == b"AT+QISTATE?\rAT+QICLOSE=3\r"
    # Keep nothing: a blank module afterwards.
    u, m = make()
    u.reply(b"AT+QISTATE?\r", _KEPT + OK)
    for cid in range(4):
        u.reply(b"AT+QICLOSE=%d\r" % cid, OK + b"\r\nCLOSE OK\r\n")
    assert m.reattach(()) == []
    assert u.take_tx() == b"AT+QISTATE?\rAT+QICLOSE=0\rAT+QICLOSE=1\rAT+QICLOSE=2\rAT+QICLOSE=3\r"
    assert m.sockets.table == [None] * 5
    # The configuration is read first when the driver does not know it yet.
    u, m = make(known=False)
    qicfg(u, viewmode=b"1")
    u.reply(b"AT+QISTATE?\r", b'\r\n+QISTATE: 4,"UDP","10.0.0.9",5683,4000,2,1,1\r\n' + OK)
    (s,) = m.reattach()
    assert s.id == 4 and m.sockets.viewmode == 1 and not s.pending
    assert u.take_tx() == QICFG_TX + b"AT+QISTATE?\r"
