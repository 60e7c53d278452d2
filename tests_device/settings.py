# Where the device tests find their servers. The host runner (tests_host/test_device.py) writes
# a device_settings.py with the addresses of the servers it starts on 127.0.0.1; on a real
# board, copy this file as device_settings.py and point it at servers the module can reach.
BOARD = "unix"  # the module of boards/ whose uart() the tests use
TCP_ECHO = ("tcpbin.com", 4242)  # echoes; closes the connection after a line "QUIT"
UDP_ECHO = ("udpbin.com", 7)  # echoes each datagram
NTP = ("pool.ntp.org", 123)
DNS_SERVERS = ("8.8.8.8", "1.1.1.1")  # set with AT+QIDNSCFG
NAME = ("example.com", None)  # a name to resolve, and the address it must give (None: any)
PING = "8.8.8.8"
REFUSED = ("127.0.0.1", 9)  # a port where nobody listens
TRACE = 40  # keep the last 40 lines of AT traffic (bc26.trace): a failing step shows the module's words
FACTS = True  # end with the facts a first hardware run should bring back (README, On a board)
