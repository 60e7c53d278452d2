# CPython only: under MicroPython private constants are folded into the code and are not
# attributes of their module.
import bc26.sockets as sockets
import bc26.sockextra as sockextra


def test_send_limits_agree_with_the_manual():
    # sockets.py chooses the send form by these limits and sockextra.py checks the explicit
    # forms against its own copies: the manual's values, in both places.
    manual = {"_INLINE_TEXT_MAX": 1024, "_INLINE_HEX_MAX": 512, "_DATA_TEXT_MAX": 1460, "_DATA_HEX_MAX": 730}
    for name, value in manual.items():
        assert getattr(sockets, name) == value, name
        assert getattr(sockextra, name) == value, name
    assert sockextra._QISENDEX_MAX == 512
    assert sockets._READ_MAX == 512
