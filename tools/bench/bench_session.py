# Sessions against the emulator for tools/bench/run.py (MicroPython unix port):
#
#   micropython tools/bench/bench_session.py HOST TCP_ECHO_PORT UDP_ECHO_PORT
#
# 1. Latency the driver adds: open, 20 sends and replies, close, timed; the emulator adds known
#    latencies, which tools/bench/run.py subtracts.
# 2. A telemetry cycle: the MCU wakes with a blank driver, finds the UDP socket the module kept,
#    sends a reading, takes the reply, lets the module sleep. `ATI` marks where each part starts
#    and ends in the emulator's transcript.
import sys
import time

import bc26
import unix

host, tcp_port, udp_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
uart = unix.uart()
modem = bc26.Modem(uart)
modem.start()
modem.wait_network(10000)

modem.at("ATI")  # marker: the session starts
t0 = time.ticks_us()
s = modem.open("TCP", host, tcp_port)
for i in range(20):
    reading = b"node=7 seq=%02d t=21.5" % i
    s.send(reading)
    reply = b""
    while len(reply) < len(reading):  # TCP is a stream: a reply may come in pieces
        part = s.recv(len(reading) - len(reply), 5000)
        if not part:
            break
        reply += part
    if reply != reading:
        raise SystemExit("wrong reply")
s.close()
print("SESSION_US", time.ticks_diff(time.ticks_us(), t0))
modem.at("ATI")  # marker: the session ended

# First boot of a telemetry node: a UDP socket in push mode that the module keeps across sleep.
u = modem.open("UDP", host, udp_port, mode=bc26.PUSH)
u.send(b"boot")
u.recv(16, 5000)
modem.at("ATI")  # marker: the MCU sleeps; the cycle starts at its wake

# Wake: the MCU kept nothing but what it saved (the AT+QICFG values, in RTC memory); here the
# first boot's modem object stands in for that memory.
woke = bc26.Modem(uart)
for name in ("send_hex", "recv_hex", "viewmode", "showlength", "echomode"):
    setattr(woke.sockets, name, getattr(modem.sockets, name))
woke.sockets.known = True
woke.sync()  # AT until OK: the module auto-bauds, and the first byte after wake may be lost
kept = woke.reattach()  # AT+QISTATE?: the socket the module kept
sock = kept[0]
sock.send(b"t=21.5")
reply = sock.recv(16, 5000)
woke.release_sleep_lock()  # AT+QRELLOCK: sleep now rather than 10 s after the last command
woke.at("ATI")  # marker: the cycle ended
print("CYCLE_REPLY", reply)
