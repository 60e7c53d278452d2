# End to end: micropython-lib's ntptime 0.2.0 (../shared/clients), unmodified, over the BC26
# through bc26.usocket: a UDP socket on the module to port 123 of a name the module resolves.
# The host runner (tests_host/test_e2e_ntptime.py) answers with tools.servers.NtpServer,
# an hour ahead of the real time, so the answer cannot be taken from the local clock.
import sys
import time

from e2e_common import Timer, bring_up, check, settings, unmodified

import bc26.usocket  # noqa: E402

modem = bring_up()
bc26.usocket.install(modem)
import ntptime  # noqa: E402

unmodified(ntptime)
ntptime.host = settings.NTP_HOST
ntptime.timeout = 5
t = Timer()
got = ntptime.time()
ms = t.ms()
ahead = got - time.time()
print("ntptime.time() = %d in %d ms, %d s ahead of the local clock" % (got, ms, ahead))
check(abs(ahead - settings.OFFSET) <= 2, ahead)
check(not [i for i in range(5) if modem.sockets.table[i] is not None], "socket left open")
print("E2E NTPTIME OK")
sys.exit(0)
