# Raspberry Pi Pico / Pico W (RP2040) wired to a bare BC26/BC20 module.
#
#   Pico GP0 (UART0 TX, pin 1) -> level translator -> module RXD (BC26 pin 17, BC20 pin 33)
#   Pico GP1 (UART0 RX, pin 2) <- level translator <- module TXD (BC26 pin 18, BC20 pin 34)
#   Pico GP2 (pin 4) -> 4.7k -> NPN base (47k to GND); collector -> PWRKEY  (BC26 7,  BC20 5)
#   Pico GP3 (pin 5) -> the same NPN stage                       -> RESET   (BC26 15, BC20 53)
#   Pico GP4 (pin 6) -> the same NPN stage                       -> PSM_EINT (BC26 19, BC20 37)
#   GND to GND; the module's VBAT from its own 3.3 V LDO (>= 0.5 A, 100 uF), not from 3V3(OUT).
#
# Levels: the module's UART is 1.8 V and the Pico's IOVDD is 3.3 V: translate both lines
# (TXS0108E, A side 1.8 V, B side 3.3 V, or a BSS138 pair). Through the NPN stages a GPIO high
# pulls the module's pin low (ACTIVE = 1); the 47k base pull-downs keep them released while the
# Pico sleeps. The REPL is on USB, so UART0 is free. On the Pico W, GP23-25 and GP29 belong to
# the radio; the pins here do not touch them.

NAME = "Raspberry Pi Pico / Pico W"
UART_ID = 0
TX = 0
RX = 1
BAUD = 115200
RXBUF = 2048
PWRKEY = 2
RESET = 3
PSM_EINT = 4
ACTIVE = 1  # GPIO level that pulls the module's pin low (NPN stage)


def uart():
    from machine import UART, Pin

    return UART(UART_ID, BAUD, tx=Pin(TX), rx=Pin(RX), timeout=0, rxbuf=RXBUF)


def pins():
    """(pwrkey, reset, psm_eint) as released outputs."""
    from machine import Pin

    return tuple(Pin(n, Pin.OUT, value=1 - ACTIVE) for n in (PWRKEY, RESET, PSM_EINT))
