# The errors of data that went wrong, loaded with the first of them (bc26.errors, bc26 and
# the modules that raise them import them when they do).

from .errors import BC26Error


class SendFailed(BC26Error):
    """The module answered SEND FAIL. ``sent`` is how many bytes went out before it."""

    def __init__(self, sent=0):
        super().__init__(None, "SEND FAIL")
        self.sent = sent


class DataLost(BC26Error):
    """Received data was dropped: the module's buffer was full ("buff full") or a
    direct-push socket's buffer overflowed. Raised once, after the data still held."""

    def __init__(self, what):
        super().__init__(None, "data lost: " + what)
