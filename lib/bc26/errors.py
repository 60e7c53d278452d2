# Errors raised by bc26. Everything is an OSError so that socket users (umqtt.robust,
# requests, mqtt_as) that catch OSError also catch module failures.

ETIMEDOUT = 110


class BC26Error(OSError):
    """The module answered with an error.

    ``code`` is the module's error code (550..574 from the manual, a +CME ERROR number, or
    None for a bare ERROR); ``name`` is its description; ``errno`` equals ``code``.
    """

    def __init__(self, code=None, name=None):
        if name is None:
            from .errnames import error_name  # loaded with the first error that is named

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
    # SendFailed and DataLost, and error_name (bc26.errnames), loaded with the first of
    # them: a program whose sends and reads never fail does not keep their code.
    if name == "SendFailed" or name == "DataLost":
        return getattr(__import__("bc26.dataerrors", None, None, (name,)), name)
    if name == "error_name":
        from .errnames import error_name

        return error_name
    raise AttributeError(name)
