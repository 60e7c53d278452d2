# Classroom example: measure a temperature, send it to a server over NB-IoT every minute, and
# say in plain words what happens at each step.
#
# On a board: install the library and the boards (README), set SERVER to a UDP server that
# answers (an echo server is enough), then
#
#   mpremote run examples/classroom.py
#
# In the unix port against the emulator and a local UDP echo (tools/demo/run_example.py starts them
# on 127.0.0.1, sends two readings and stops them; tests_host/test_examples.py does too):
#
#   make example NAME=classroom
import time

from board import make_modem

import bc26

SERVER = ("192.0.2.10", 7)  # a UDP server that answers each message (set yours)
PERIOD_S = 60  # one reading a minute
ANSWER_MS = 10000  # how long to wait for the server's answer


def read_temperature():
    """Degrees Celsius from the board's own sensor, or a made-up value where there is none."""
    try:
        import esp32  # the ESP32's chip sensor, in Fahrenheit (rough: it measures the chip)

        return (esp32.raw_temperature() - 32) / 1.8
    except (ImportError, AttributeError):
        pass
    try:
        from machine import ADC  # the RP2040's sensor on ADC channel 4

        volts = ADC(4).read_u16() * 3.3 / 65535
        return 27 - (volts - 0.706) / 0.001721
    except (ImportError, AttributeError, ValueError):
        pass
    return 20 + (time.ticks_ms() // 1000 % 50) / 10  # no sensor: pretend


def connect(board):
    print("Hello! Waking up the NB-IoT module...")
    modem = make_modem(board)
    modem.power_on()
    print("The module answers. Looking for the mobile network (this can take a few minutes)...")
    for sock in modem.start():
        sock.close()  # sockets left over from an earlier run
    ip = modem.wait_network(300000)
    print("Connected to the mobile network. The module's address is %s." % ip)
    rssi, _, dbm = modem.signal()
    if dbm is None:
        print("The signal strength is not known yet.")
    else:
        print("Signal strength: %d dBm (-113 is the weakest, -51 the strongest)." % dbm)
    return modem


def main(board=None, server=SERVER, period_s=PERIOD_S, rounds=None):
    """Send a reading every period_s seconds; rounds=None: forever."""
    modem = connect(board)
    sock = modem.open("UDP", server[0], server[1])
    print("Ready to send to %s port %d." % server)
    n = 0
    while rounds is None or n < rounds:
        n += 1
        t = read_temperature()
        print("Measured %.1f degrees C. Sending it..." % t)
        try:
            sock.send("temperature=%.1f" % t)
            answer = sock.recv(128, ANSWER_MS)
            print("The server answered: %s" % answer.decode())
        except bc26.BC26Timeout:
            print("No answer within %d s. UDP messages can get lost; we carry on." % (ANSWER_MS // 1000))
        except bc26.BC26Error as e:
            print("Something went wrong (%s). We will try again next time." % e)
        if rounds is None or n < rounds:
            print("Waiting %s seconds before the next reading." % period_s)
            time.sleep(period_s)
    sock.close()
    print("Done. Goodbye!")


if __name__ == "__main__":
    main()
