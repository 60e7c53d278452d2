# The manual's limits (section 2's parameter tables), in one place: every length, count and
# timeout from the user or from the wire is checked against these, where it enters. (The
# checks of what the user hands over are in checks.py, loaded by the first module that takes
# such input: opening a socket, a service, a raw command.)

from ._compat import const

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
