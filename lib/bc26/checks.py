# Checks on what the user hands over, before anything reaches the UART, and the limits that
# what comes from the wire is held to.

from ._compat import const

# The manual's limits (section 2's parameter tables), in one place: every length, count and
# timeout from the user or from the wire is checked against these, where it enters.
INLINE_TEXT_MAX = const(1024)  # AT+QISEND=<id>,<len>,<data> (2.3.7): text
INLINE_HEX_MAX = const(512)  # the same in hex send format
DATA_TEXT_MAX = const(1460)  # AT+QISEND=<id>[,<len>], the data after '>'
DATA_HEX_MAX = const(730)  # the same in hex send format
QISENDEX_MAX = const(512)  # AT+QISENDEX (2.3.8)
READ_MAX = const(512)  # AT+QIRD <read_length> 1-512 (2.3.9); its answer is never longer
URC_MAX = const(1400)  # the longest URC (2.4, note 4): pushed data is shorter still
# Not the manual's: the longest wait a deadline may name. Boards' ticks_ms() wraps at 2**30 ms
# and ticks_diff is right only within half of that; one day is far inside it.
WAIT_MAX = const(86400000)


def check_text(s, what, limit, quotes=False):
    """s as bytes, refused if it could end the command line or is too long.

    CR and LF would end the line and start a new command, a quote would end the string
    (allowed only with quotes=True, for raw commands), Ctrl+Z and Esc act in data mode,
    and other control or non-ASCII bytes have no meaning to the module.
    """
    if isinstance(s, str):
        s = s.encode()
    if not isinstance(s, (bytes, bytearray)):
        raise TypeError(what + " must be str or bytes")
    if not s:
        raise ValueError(what + " is empty")
    if len(s) > limit:
        raise ValueError("%s longer than %d bytes" % (what, limit))
    for c in s:
        if c < 32 or c > 126 or (c == 34 and not quotes):
            raise ValueError("%s holds a byte the module would misread: %r" % (what, chr(c)))
    return s


def check_range(value, lo, hi, what):
    """value as an int within lo..hi, or a ValueError that names it."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(what + " must be an int")
    if value < lo or value > hi:
        raise ValueError("%s must be %d..%d, not %d" % (what, lo, hi, value))
    return value


def check_host(s, what="host", limit=150):
    """A domain name or an IPv4/IPv6 address as bytes: letters, digits and . - _ : only.

    Nothing else belongs in a host name, so nothing else can reach the command line.
    """
    s = check_text(s, what, limit)
    for c in s:
        if not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 or c == 46 or c == 45 or c == 95 or c == 58):
            raise ValueError("%s holds %r, which no host name has" % (what, chr(c)))
    return s
