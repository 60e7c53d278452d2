# Errors raised by bc26. Everything is an OSError so that socket users (umqtt.robust,
# requests, mqtt_as) that catch OSError also catch module failures.

ETIMEDOUT = 110


def error_name(code):
    """The manual's description of a TCP/IP error code, or None if the code is not in its table."""
    if code == 0:
        return "Operation successful"
    if code is not None and 550 <= code <= 574:
        from .errnames import NAMES  # loaded with the first error, not at import

        return NAMES[code - 550]
    return None


class BC26Error(OSError):
    """The module answered with an error.

    ``code`` is the module's error code (550..574 from the manual, a +CME ERROR number, or
    None for a bare ERROR); ``name`` is its description; ``errno`` equals ``code``.
    """

    def __init__(self, code=None, name=None):
        if name is None:
            name = error_name(code) or ("ERROR" if code is None else "error")
        super().__init__(code, name)
        self.code = code
        self.name = name

    def __str__(self):
        if self.code is None:
            return self.name
        return "%d %s" % (self.code, self.name)


class BC26Timeout(BC26Error):
    """A deadline passed: the module said nothing, or not what was awaited, in time. errno 110."""

    def __init__(self, what="timeout"):
        super().__init__(ETIMEDOUT, what)


def __getattr__(name):
    # SendFailed and DataLost, loaded with the first of them: a program whose sends and
    # reads never fail does not keep their classes.
    if name == "SendFailed" or name == "DataLost":
        return getattr(__import__("bc26.dataerrors", None, None, (name,)), name)
    raise AttributeError(name)
