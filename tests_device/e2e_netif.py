# End to end: bc26.netif in the unix port against the emulator, whose network accepts only
# one APN (the host runner, tests_host/test_e2e_netif.py, sets network_apn): the module
# starts with another, so the network refuses it; connect(apn) stores the right one
# (AT+QCGDEFCONT), restarts the module and brings it up; then the host takes the network
# away and gives it back, and the interface follows.
import sys

from e2e_common import Timer, check, settings

import bc26  # noqa: E402
import bc26.netif  # noqa: E402

board = __import__(settings.BOARD)
modem = bc26.Modem(board.uart())
modem.start()
nic = bc26.netif.install(modem)
import network  # noqa: E402  (this module, after install())

sta = network.WLAN(network.STA_IF)
check(sta is nic, "network.WLAN is not the NIC")


def wait(cond, ms, what):
    t = Timer()
    while not cond():
        if t.ms() > ms:
            raise AssertionError("%s: not within %d ms (status %d)" % (what, ms, sta.status()))
        modem.engine.idle(20)
    return t.ms()


wait(lambda: sta.status() == network.STAT_CONNECT_FAIL, 5000, "refused with the wrong APN")
print("APN stored:", sta.config("apn"), "status", sta.status())
t = Timer()
sta.connect(settings.APN)  # stores it, restarts the module, starts it again
print("APN set and module restarted in %d ms" % t.ms())
check(sta.config("apn") == settings.APN, sta.config("apn"))
ms = wait(sta.isconnected, 10000, "connected with the right APN")
print("connected %d ms later:" % ms, sta.ipconfig("addr4"), sta.ifconfig(), "rssi", sta.status("rssi"))
check(sta.ipconfig("addr4")[0] == settings.IP, sta.ipconfig("addr4"))
check(sta.connect(settings.APN) is None and sta.isconnected(), "connect again restarted")

modem.at("AT+CGSN")  # marker: the host now drops the network
wait(lambda: not sta.isconnected(), 10000, "the outage seen")
print("lost:", sta.status(), sta.ipconfig("addr4"), "times", sta.lost)
check(sta.status() == network.STAT_CONNECTING, sta.status())
wait(sta.isconnected, 15000, "back after the outage")
print("back:", sta.ipconfig("addr4"))

sta.disconnect()
check(not sta.isconnected() and sta.status() == network.STAT_IDLE, "disconnect")
sta.connect()
wait(sta.isconnected, 10000, "attached again")
sta.active(False)
check(not sta.active() and not sta.isconnected(), "radio off")
sta.active(True)
wait(sta.isconnected, 10000, "radio on again")
print("E2E NETIF OK")
sys.exit(0)
