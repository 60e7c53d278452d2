# Quectel BC26-TE-B / BC20-TE-B evaluation board, driven through its Arduino header.
#
# The TE-B's header is laid out for an STM32 Nucleo-64 (3.3 V IOREF); switch J302 to
# "MAIN UART TO MCU" so the main UART reaches the header instead of the USB bridge. Its signals
# (TE-B user guide, Table 3):
#
#   D0  UART_MCU_RX  the module's main TXD, for the MCU's RX
#   D1  UART_MCU_TX  for the module's main RXD, from the MCU's TX
#   D11 PSM_EINT_N   MCU high = PSM_EINT low (wake)       [polarity assumed like the others]
#   D12 PWRKEY_N     MCU high = PWRKEY pressed
#   D13 RESET_N      MCU high = RESET held
#   A0  RI           ring indicator (unused here)
#
# The board carries its own inverting stages, so the three control lines are active-high from
# the MCU (ACTIVE = 1), and it is meant for 3.3 V logic on the header; whether its translators
# take their host side from IOREF was not checked against the schematic, so tie IOREF to the
# host's 3.3 V and power the TE-B from its own USB port.
#
# Host here: a Raspberry Pi Pico with jumper wires (a Nucleo-64 plugged in would have D0/D1 on
# USART2, which is the ST-LINK virtual COM port and MicroPython's REPL on those boards):
#
#   Pico GP4 (UART1 TX) -> D1      Pico GP6 -> D12 PWRKEY_N     Pico 3V3(OUT) -> IOREF
#   Pico GP5 (UART1 RX) <- D0      Pico GP7 -> D13 RESET_N      Pico GND      -> GND
#                                  Pico GP8 -> D11 PSM_EINT_N

NAME = "Quectel TE-B (Arduino header) + Raspberry Pi Pico"
UART_ID = 1
TX = 4  # -> D1
RX = 5  # <- D0
BAUD = 115200
RXBUF = 2048
PWRKEY = 6  # -> D12
RESET = 7  # -> D13
PSM_EINT = 8  # -> D11
ACTIVE = 1  # the TE-B inverts: MCU high pulls the module's pin low


def uart():
    from machine import UART, Pin

    return UART(UART_ID, BAUD, tx=Pin(TX), rx=Pin(RX), timeout=0, rxbuf=RXBUF)


def pins():
    """(pwrkey, reset, psm_eint) as released outputs."""
    from machine import Pin

    return tuple(Pin(n, Pin.OUT, value=1 - ACTIVE) for n in (PWRKEY, RESET, PSM_EINT))
