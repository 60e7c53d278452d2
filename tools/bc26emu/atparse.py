"""Command lines as the module splits them: chaining with ';', the four command forms, parameters."""

import binascii

from .errors import INVALID_PARAM, CommandError

_MISSING = object()


class Prompt:
    """A handler's answer: the '>' prompt is out and the module now reads data, so no final result yet."""


class NoAnswer:
    """A handler's answer: print no final result at all (the module rebooted)."""


class Command:
    """One command of a (possibly chained) line: name such as '+QIOPEN', 'E' or '' for plain AT."""

    __slots__ = ("name", "form", "args", "text")

    def __init__(self, name, form, args, text):
        self.name = name
        self.form = form  # "test" (=?), "read" (?), "set" (=...), "exec" (bare)
        self.args = args
        self.text = text

    def params(self):
        return Params(self.args)


def strip_to_at(line):
    """The command body after 'AT', or None when the line holds no AT prefix (noise is ignored)."""
    upper = line.upper()
    start = upper.find("AT")
    if start < 0:
        return None
    return line[start + 2 :]


def split_chain(body):
    """Split 'AT+A;+B?' at semicolons outside quotes, the way the module does (data may not hold ';')."""
    parts, current, quoted = [], [], False
    for ch in body:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    # A trailing ';' (AT+CSQ;) leaves an empty last part that is no command.
    if len(parts) > 1 and not parts[-1].strip():
        parts.pop()
    return [p.strip() for p in parts]


def parse_command(part):
    text = "AT" + part
    if not part:
        return Command("", "exec", "", text)
    if part[0] in "+&" or part[0] == "^":
        i = 1
        while i < len(part) and (part[i].isalnum() or part[i] in "_"):
            i += 1
        name, rest = part[:i].upper(), part[i:]
    else:
        # Basic commands are one letter with an optional number: E0, I, Z, V1.
        name, rest = part[0].upper(), part[1:]
        return Command(name, "set" if rest else "exec", rest, text)
    if rest == "=?":
        return Command(name, "test", "", text)
    if rest == "?":
        return Command(name, "read", "", text)
    if rest.startswith("="):
        return Command(name, "set", rest[1:], text)
    if rest == "":
        return Command(name, "exec", "", text)
    return Command(name, "bad", rest, text)


def _split_params(text):
    items, current, quoted, was_quoted = [], [], False, False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            was_quoted = True
            current.append(ch)
        elif ch == "," and not quoted:
            items.append(("".join(current), was_quoted))
            current, was_quoted = [], False
        else:
            current.append(ch)
    items.append(("".join(current), was_quoted))
    return items


class Params:
    """Comma separated parameters; every accessor raises CommandError(552) on a bad value."""

    def __init__(self, text):
        self.text = text
        self._items = _split_params(text) if text != "" else []

    def __len__(self):
        return len(self._items)

    def present(self, i):
        return i < len(self._items) and self._items[i][0].strip() != ""

    def int(self, i, lo, hi, default=_MISSING):
        if not self.present(i):
            if default is _MISSING:
                raise CommandError(INVALID_PARAM)
            return default
        raw = self._items[i][0].strip()
        if not raw.isdigit():
            raise CommandError(INVALID_PARAM)
        value = int(raw)
        if not lo <= value <= hi:
            raise CommandError(INVALID_PARAM)
        return value

    def str(self, i, maxlen, default=_MISSING, need_quotes=False):
        if not self.present(i):
            if default is _MISSING:
                raise CommandError(INVALID_PARAM)
            return default
        raw, was_quoted = self._items[i]
        raw = raw.strip()
        if was_quoted:
            if len(raw) < 2 or raw[0] != '"' or raw[-1] != '"' or '"' in raw[1:-1]:
                raise CommandError(INVALID_PARAM)
            raw = raw[1:-1]
        elif need_quotes:
            raise CommandError(INVALID_PARAM)
        if len(raw) > maxlen or not raw:
            raise CommandError(INVALID_PARAM)
        return raw

    def rest_after(self, commas):
        """Everything after the n-th top-level comma, verbatim: inline send data may hold commas."""
        seen, quoted = 0, False
        for pos, ch in enumerate(self.text):
            if ch == '"':
                quoted = not quoted
            elif ch == "," and not quoted:
                seen += 1
                if seen == commas:
                    return self.text[pos + 1 :]
        return None


def decode_hex(text):
    if len(text) % 2:
        raise CommandError(INVALID_PARAM)
    try:
        return binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        raise CommandError(INVALID_PARAM) from None


def encode_hex(data):
    return binascii.hexlify(data).upper()


def unquote_data(raw, length):
    """Inline QISEND data: the manual allows it quoted ("JSON must be quoted"); the length decides."""
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"' and len(raw) - 2 == length:
        return raw[1:-1]
    return raw
