# One helper that builds the UART and the Modem for a board of this folder:
#
#   from board import make_modem
#   modem = make_modem("esp32_devkitc")   # or "rp2_pico", "teb", "unix"; None picks by port
#   modem.power_on()                      # PWRKEY, then AT until OK
#   modem.start()
#
# A board module has NAME, ACTIVE (the GPIO level that pulls the module's pin low), uart() (a
# UART built with timeout=0 and a generous rxbuf) and pins() (pwrkey, reset, psm_eint: released
# outputs, or None where not wired). Copy one and change the numbers for your own wiring.
import sys

_BY_PORT = {"esp32": "esp32_devkitc", "rp2": "rp2_pico", "linux": "unix", "darwin": "unix"}


def load(board=None):
    """The board module: a module, its name, or None for this port's default."""
    if board is None:
        board = _BY_PORT.get(sys.platform)
        if board is None:
            raise ValueError("no default board for port %r: name one" % sys.platform)
    if isinstance(board, str):
        board = __import__(board)
    return board


def make_modem(board=None, **modem_args):
    """A bc26.Modem on the board's UART, with its pins set (modem.set_pins)."""
    import bc26

    b = load(board)
    modem = bc26.Modem(b.uart(), **modem_args)
    pwrkey, reset, psm_eint = b.pins()
    modem.set_pins(pwrkey, reset, psm_eint, b.ACTIVE)
    return modem
