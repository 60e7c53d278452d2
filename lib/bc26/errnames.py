# Section 3 of the TCP/IP manual: the names of codes 550..574, in order, and error_name().
# Imported when an error is first named, so a driver that never fails pays nothing.
NAMES = (
    "Unknown error",
    "Operation blocked",
    "Invalid parameters",
    "Memory not enough",
    "Create socket failed",
    "Operation not supported",
    "Socket bind failed",
    "Socket listen failed",
    "Socket write failed",
    "Socket read failed",
    "Socket accept failed",
    "Open PDP context failed",
    "Close PDP context failed",
    "Socket identity has been used",
    "DNS busy",
    "DNS parse failed",
    "Socket connection failed",
    "Socket has been closed",
    "Operation busy",
    "Operation timeout",
    "PDP context broken down",
    "Cancel send",
    "Operation not allowed",
    "APN not configured",
    "Port busy",
)


def error_name(code):
    """The manual's description of a TCP/IP error code, or None if the code is not in its table."""
    if code == 0:
        return "Operation successful"
    if code is not None and 550 <= code <= 574:
        return NAMES[code - 550]
    return None
