# Splits the arguments of a record in place, inside the receive buffer.
#
# Parsers must not allocate on the URC path, so nothing here returns a tuple, a slice or a
# new bytes object: numbers come back as small ints, and a string field is reported as the
# span buf[a:b] through the attributes ``a`` and ``b``. Whether a field is left is
# ``f.pos < f.end`` (no method: each costs heap whether it is called or not).

from ._compat import const

_SPACE = const(32)
_QUOTE = const(34)
_COMMA = const(44)
_MINUS = const(45)
_PLUS = const(43)


def as_text(data):
    """bytes as str; bytes that are not UTF-8 (line noise) become '?' instead of an error."""
    try:
        return bytes(data).decode()
    except UnicodeError:
        return "".join(chr(c) if c < 128 else "?" for c in data)


class Fields:
    def __init__(self, buf):
        self.buf = buf
        self.pos = 0
        self.end = 0
        self.a = 0
        self.b = 0

    def start(self, pos, end):
        """Parse the fields of buf[pos:end]; leading spaces (after a ':') are skipped."""
        buf = self.buf
        while pos < end and buf[pos] == _SPACE:
            pos += 1
        self.pos = pos
        self.end = end

    def int(self, default=None):
        """The next field as an int (optionally signed, optionally quoted), or default if empty."""
        # Fast path, the usual case: plain digits followed by a comma or the end.
        buf = self.buf
        p = self.pos
        end = self.end
        v = 0
        q = p
        while q < end:
            c = buf[q] - 48
            if c < 0 or c > 9:
                break
            v = v * 10 + c
            q += 1
        if q > p:
            if q == end:
                self.pos = q
                return v
            if buf[q] == _COMMA and (q + 1 == end or buf[q + 1] != _SPACE):
                self.pos = q + 1
                return v
        return self._int(default)

    def _int(self, default):
        buf = self.buf
        p = self.pos
        end = self.end
        quoted = p < end and buf[p] == _QUOTE
        if quoted:
            p += 1
        neg = False
        if p < end and (buf[p] == _MINUS or buf[p] == _PLUS):
            neg = buf[p] == _MINUS
            p += 1
        v = 0
        digits = 0
        while p < end:
            c = buf[p] - 48
            if c < 0 or c > 9:
                break
            v = v * 10 + c
            digits += 1
            p += 1
        if quoted and p < end and buf[p] == _QUOTE:
            p += 1
        # Anything else up to the comma makes the field not a number.
        while p < end and buf[p] != _COMMA:
            if buf[p] != _SPACE:
                digits = 0
            p += 1
        if p < end:  # past the comma and the spaces after it
            p += 1
            while p < end and buf[p] == _SPACE:
                p += 1
        self.pos = p
        if not digits:
            return default
        return -v if neg else v

    def str(self):
        """The next field as the span buf[a:b] (quotes removed); returns its length."""
        buf = self.buf
        p = self.pos
        end = self.end
        if p < end and buf[p] == _QUOTE:
            self.a = p + 1
            b = buf.find(b'"', p + 1, end)
            if b < 0:
                b = end
            self.b = b
            p = b + 1 if b < end else end
            while p < end and buf[p] == _SPACE:
                p += 1
        else:
            p = buf.find(b",", p, end)
            if p < 0:
                p = end
            b = p
            while b > self.pos and buf[b - 1] == _SPACE:
                b -= 1
            self.a = self.pos
            self.b = b
        # Past one comma and the spaces after it (not past anything else).
        if p < end and buf[p] == _COMMA:
            p += 1
            while p < end and buf[p] == _SPACE:
                p += 1
        self.pos = p
        return self.b - self.a

    def text(self):
        """The last string span as a str (allocates; for results handed to the user)."""
        return as_text(self.buf[self.a : self.b])
