# Device tests for the services: ping, DNS, DNS servers, NTP, test forms, network state.
# Run by tests_device/run.py; each test gets a Ctx (modem, settings).

COMMANDS = (
    "QIOPEN",
    "QICLOSE",
    "QISTATE",
    "QISEND",
    "QIRD",
    "QISENDEX",
    "QISWTMD",
    "QPING",
    "QNTP",
    "QIDNSGIP",
    "QIDNSCFG",
    "QICFG",
    "QIGETERROR",
)


def test_ping(ctx):
    replies, summary = ctx.modem.ping(ctx.s.PING, timeout=4, count=2, size=32)
    result, sent, received, lost, low, high, avg = summary
    assert result == 0 and sent == 2 and received == 2 and lost == 0, summary
    assert len(replies) == 2 and replies[0][0] == 0 and replies[0][2] == 32, replies
    assert low <= avg <= high


def test_dns_servers_and_resolve(ctx):
    m = ctx.modem
    primary, secondary = ctx.s.DNS_SERVERS
    m.set_dns(primary, secondary)
    assert m.dns_servers() == (primary, secondary)
    name, want = ctx.s.NAME
    addresses, ttl = m.resolve(name)
    assert addresses and ttl >= 0, (addresses, ttl)
    if want:
        assert want in addresses, addresses


def test_ntp(ctx):
    host, port = ctx.s.NTP
    year, month, day, hour, minute, second, zone = ctx.modem.ntp(host, port)
    assert 2024 <= year < 2100 and 1 <= month <= 12 and 1 <= day <= 31, (year, month, day)
    assert 0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 61


def test_every_command_has_its_test_form(ctx):
    for name in COMMANDS:
        assert ctx.modem.supports(name), name


def test_network_state(ctx):
    m = ctx.modem
    rssi, ber, dbm = m.signal()
    assert 0 <= rssi <= 31 or rssi == 99
    reg = m.registration()
    assert reg is not None and reg.registered, reg
    assert m.address() == m.ip
