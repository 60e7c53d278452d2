# Espressif ESP32-DevKitC (ESP32-WROOM-32) wired to a bare BC26/BC20 module.
#
#   ESP32 GPIO17 (UART2 TX) -> level translator -> module RXD (BC26 pin 17, BC20 pin 33)
#   ESP32 GPIO16 (UART2 RX) <- level translator <- module TXD (BC26 pin 18, BC20 pin 34)
#   ESP32 GPIO25 -> 4.7k -> NPN base (47k to GND); collector -> PWRKEY  (BC26 7,  BC20 5)
#   ESP32 GPIO26 -> the same NPN stage                       -> RESET   (BC26 15, BC20 53)
#   ESP32 GPIO27 -> the same NPN stage                       -> PSM_EINT (BC26 19, BC20 37)
#   GND to GND; the module's VBAT from its own 3.3 V LDO (>= 0.5 A, 100 uF), not from the 3V3 pin.
#
# Levels: the module's UART is 1.8 V. The ESP32 reads high only above ~2.5 V and drives 3.3 V,
# more than the module's RXD takes: translate both lines (TXS0108E, A side 1.8 V, B side 3.3 V,
# or a BSS138 pair). Through the NPN stages a GPIO high pulls the module's pin low (ACTIVE = 1).
# The 47k base pull-downs keep the pins released while the ESP32 deep-sleeps (its outputs float
# then): a PWRKEY held low would keep the module out of PSM.
# GPIO16/17 belong to the PSRAM on WROVER modules: there use e.g. TX=4, RX=13.
# The pins avoid the strapping pins (0, 2, 5, 12, 15) and the input-only ones (34-39).

NAME = "ESP32-DevKitC"
UART_ID = 2
TX = 17
RX = 16
BAUD = 115200
RXBUF = 2048
PWRKEY = 25
RESET = 26
PSM_EINT = 27
ACTIVE = 1  # GPIO level that pulls the module's pin low (NPN stage)


def uart():
    from machine import UART

    return UART(UART_ID, BAUD, tx=TX, rx=RX, timeout=0, rxbuf=RXBUF)


def pins():
    """(pwrkey, reset, psm_eint) as released outputs."""
    from machine import Pin

    return tuple(Pin(n, Pin.OUT, value=1 - ACTIVE) for n in (PWRKEY, RESET, PSM_EINT))
