# bc26.netif in the unix port against the emulator: a network that accepts one APN only,
# connect(apn) with the restart it needs, an outage and its end, disconnect/connect and the
# radio off and on. Runs tests_device/e2e_netif.py.
import threading
import time

from e2e_util import run_device, write_settings

from mp import emulator_on_tcp

APN = "iot.bc26.test"
IP = "10.170.235.216"


def test_network_interface_apn_outage_and_attach(tmp_path):
    with emulator_on_tcp(network_apn=APN, cereg=0) as (emu, port):

        def host_side():
            deadline = time.monotonic() + 60
            while "AT+CGSN" not in emu.commands:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.01)
            emu.drop_network()
            time.sleep(1)
            emu.restore_network()

        helper = threading.Thread(target=host_side, daemon=True)
        helper.start()
        write_settings(tmp_path, APN=APN, IP=IP)
        out = run_device("e2e_netif.py", port, tmp_path, timeout=90)
        helper.join(5)
        commands = emu.commands
    assert "E2E NETIF OK" in out
    stored = commands.index('AT+QCGDEFCONT="IP","%s"' % APN)
    assert commands[stored + 1] == "AT+QRST=1"
    assert commands.count("AT+QRST=1") == 1  # the second connect(APN) found it stored
    assert "AT+CGATT=0" in commands and "AT+CGATT=1" in commands
    assert "AT+CFUN=0" in commands and "AT+CFUN=1" in commands
