# A deep-sleep telemetry node. Each wake-up: wake the module (PSM_EINT), take over the UDP
# socket it kept while everything slept (or open one the first time), send one reading, wait
# for the server's reply or a deadline, ask for PSM, let the module sleep at once, and put the
# MCU into machine.deepsleep. The MCU forgets everything; the module keeps its registration
# and, in PSM, its UDP socket (research/hardware.md 2.6: check that on your firmware; if it
# does not, the node opens a new socket and carries on).
#
# On a board: install the library and the boards (README), set SERVER, then copy this file
# as main.py (a deep-sleep wake reboots into main.py):
#
#   mpremote cp examples/telemetry_deepsleep.py :main.py + reset
#
# In the unix port against the emulator, deep sleep is simulated: tools/demo/run_example.py starts
# the emulator, a UDP echo and the pin bridge on 127.0.0.1 and runs three wake-ups
# (tests_host/test_examples.py does too):
#
#   make example NAME=telemetry_deepsleep
import time

from board import make_modem

import bc26

SERVER = ("192.0.2.10", 5684)  # UDP server that answers each reading (set yours)
SLEEP_MS = 15 * 60 * 1000  # the MCU sleeps this long between readings
REPLY_MS = 10000  # how long to wait for the server's answer
PSM_TAU = 4 * 3600  # periodic TAU (T3412): the module checks in with the network this often
PSM_ACTIVE = 2  # active time (T3324): how long it stays reachable after the last data
PSM_WAIT_MS = 5000  # how long to watch for "ENTER PSM" before the MCU sleeps anyway


def read_sensor():
    # Stands in for a real sensor: a temperature that wanders between 20 and 25.
    return 20 + (time.ticks_ms() // 1000 % 50) / 10


def wake_module(modem):
    # After a deep-sleep reset the MCU cannot know what the module is doing: asleep in PSM
    # (a PSM_EINT pulse wakes it), awake, or off (first power-up: PWRKEY).
    try:
        modem.wake()
        return "woke"
    except bc26.BC26Error:
        modem.power_on()
        return "powered on"


def kept_socket(kept, server):
    # The UDP socket the module kept for our server, if any; others are closed.
    found = None
    for sock in kept:
        info = sock.info
        if found is None and info.address == server[0] and info.remote_port == server[1]:
            found = sock
        else:
            sock.close()
    return found


def wake_cycle(board, server, reply_ms):
    """One wake-up. Returns (modem, report) where report says what happened, in words."""
    modem = make_modem(board)
    how = wake_module(modem)
    kept = modem.start(keep=("UDP",))
    sock = kept_socket(kept, server)
    if sock is not None:
        what = "reused socket %d" % sock.id
    else:
        modem.wait_network(180000)
        sock = modem.open("UDP", server[0], server[1])
        what = "opened socket %d" % sock.id
    reading = read_sensor()
    sock.send("t=%.1f" % reading)
    try:
        reply = sock.recv(256, reply_ms)
    except bc26.BC26Timeout:
        reply = None
    # PSM: the timers in seconds (the network may grant others: modem.psm_granted()), sleep
    # allowed (QSCLK=1: PSM_EINT wakes), and no 10 s wait after the last command.
    modem.psm_events()
    modem.set_psm(PSM_TAU, PSM_ACTIVE)
    modem.set_sleep(1)
    modem.release_sleep_lock()
    in_psm = modem.wait_psm(PSM_WAIT_MS)
    report = "module %s, %s, sent %.1f, reply %r, module %s" % (
        how,
        what,
        reading,
        reply,
        "in PSM" if in_psm else "not in PSM yet",
    )
    return modem, report


def deep_sleep(modem, ms):
    try:
        from machine import deepsleep
    except ImportError:
        deepsleep = None
    if deepsleep is not None:
        deepsleep(ms)  # does not return: the board restarts into main.py
    # Simulated (the unix port has no deep sleep): drop the UART and everything in RAM.
    if modem is not None:
        uart = modem.engine.uart
        close = getattr(uart, "deinit", None) or getattr(uart, "close", None)
        if close is not None:
            close()
    time.sleep_ms(ms)


def main(board=None, cycles=1, server=SERVER, sleep_ms=SLEEP_MS, reply_ms=REPLY_MS):
    for n in range(cycles):
        try:
            modem, report = wake_cycle(board, server, reply_ms)
            print("wake %d: %s" % (n + 1, report))
        except Exception as e:  # a node must go back to sleep whatever happened
            print("wake %d failed: %r" % (n + 1, e))
            modem = None
        deep_sleep(modem, sleep_ms)


if __name__ == "__main__":
    main()
