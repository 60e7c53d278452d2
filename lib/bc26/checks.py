# Checks on what the user hands over, before anything reaches the UART (the manual's limits
# are in limits.py).


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


def as_bytes(data):
    """data as the bytes that go out: a str encoded (one character may be several bytes, and
    "\x1a" only equals Ctrl+Z once encoded); a buffer of items wider than a byte (an array
    of 16-bit samples) copied into bytes, since the library counts, slices and limits bytes,
    and its item count would send half of it; TypeError for what is no buffer."""
    if isinstance(data, str):
        return data.encode()
    if isinstance(data, (bytes, bytearray)):
        return data
    mv = data
    if type(data) is not memoryview:  # (a memoryview, the usual slice of a buffer, as it is)
        try:
            mv = memoryview(data)
        except TypeError:
            raise TypeError("data must be bytes-like or str") from None
    if len(mv) and len(bytes(mv[:1])) != 1:
        return bytes(mv)
    return data
