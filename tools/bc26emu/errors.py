"""The TCP/IP error table of the manual (section 3), as AT+QIGETERROR reports it."""

OK = 0
UNKNOWN = 550
BLOCKED = 551
INVALID_PARAM = 552
NO_MEMORY = 553
CREATE_FAILED = 554
NOT_SUPPORTED = 555
BIND_FAILED = 556
WRITE_FAILED = 558
READ_FAILED = 559
PDP_OPEN_FAILED = 561
SOCKET_ID_USED = 563
DNS_BUSY = 564
DNS_FAILED = 565
CONNECT_FAILED = 566
SOCKET_CLOSED = 567
BUSY = 568
TIMEOUT = 569
PDP_BROKEN = 570
CANCEL_SEND = 571
NOT_ALLOWED = 572
PORT_BUSY = 574

# Word for word the "错误码描述" column; the case matters to drivers that match on it.
DESCRIPTIONS = {
    0: "Operation successful",
    550: "Unknown error",
    551: "Operation blocked",
    552: "Invalid parameters",
    553: "Memory not enough",
    554: "Create socket failed",
    555: "Operation not supported",
    556: "Socket bind failed",
    557: "Socket listen failed",
    558: "Socket write failed",
    559: "Socket read failed",
    560: "Socket accept failed",
    561: "Open PDP context failed",
    562: "Close PDP context failed",
    563: "Socket identity has been used",
    564: "DNS busy",
    565: "DNS parse failed",
    566: "Socket connection failed",
    567: "Socket has been closed",
    568: "Operation busy",
    569: "Operation timeout",
    570: "PDP context broken down",
    571: "Cancel send",
    572: "Operation not allowed",
    573: "APN not configured",
    574: "Port busy",
}


def describe(code, lowercase=False):
    text = DESCRIPTIONS.get(code, DESCRIPTIONS[UNKNOWN])
    # Example 4.6 of the manual and a capture from a real module print the text in lower case.
    return text.lower() if lowercase else text


class CommandError(Exception):
    """Raised by a command handler: the module answers ERROR and remembers `code`."""

    cme = None

    def __init__(self, code=INVALID_PARAM):
        super().__init__(code)
        self.code = code


# 3GPP TS 27.007 equipment errors that the general commands report (+CME ERROR: <n>, AT+CMEE=1).
SIM_NOT_INSERTED = 10


class CmeError(CommandError):
    """A general command's error: "+CME ERROR: <cme>" with AT+CMEE=1, a bare ERROR with 0."""

    def __init__(self, cme):
        super().__init__(UNKNOWN)
        self.cme = cme
