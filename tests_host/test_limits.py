# The manual's limits are stated in one place (bc26.limits). A module that checks against one
# keeps it as a private const (`_READ_MAX = const(512)`): folded into its code, it costs no
# name and no module at run time. Here: limits.py holds the manual's values (section 2's
# parameter tables and note 4 of 2.4), and every copy is limits.py's value under its name.
import os
import re

import bc26.limits as limits
from mp import ROOT

MANUAL = {
    "INLINE_TEXT_MAX": 1024,  # AT+QISEND=<id>,<len>,<data>, text
    "INLINE_HEX_MAX": 512,  # the same, hex
    "DATA_TEXT_MAX": 1460,  # the data mode, text
    "DATA_HEX_MAX": 730,  # the data mode, hex
    "QISENDEX_MAX": 512,  # AT+QISENDEX
    "READ_MAX": 512,  # AT+QIRD <read_length>
    "URC_MAX": 1400,  # the longest URC
}


def test_limits_are_the_manual_s():
    for name, value in MANUAL.items():
        assert getattr(limits, name) == value, name
    assert limits.WAIT_MAX < 2**29  # within half the period of a board's ticks_ms()


def test_every_module_s_copy_of_a_limit_is_limits_value():
    lib = os.path.join(ROOT, "lib", "bc26")
    copies = 0
    for name in sorted(os.listdir(lib)):
        if not name.endswith(".py") or name == "limits.py":
            continue
        with open(os.path.join(lib, name)) as f:
            text = f.read()
        for limit in list(MANUAL) + ["WAIT_MAX"]:
            for line in re.findall(r"^_?%s\s*=.*$" % limit, text, re.M):
                # Only as a private const of limits.py's value.
                assert line == "_%s = const(%d)" % (limit, getattr(limits, limit)), (name, line)
                copies += 1
        # The longest wait is never written as a bare number.
        assert text.count("86400000") == text.count("_WAIT_MAX = const(86400000)"), name
    assert copies >= 10  # engine.py, sockets.py and the others that check a limit


def consts(name):
    with open(os.path.join(ROOT, "lib", "bc26", name + ".py")) as f:
        return dict(re.findall(r"^(_[A-Z_]+) = const\((\d+)\)", f.read(), re.M))


def test_a_class_s_rare_half_uses_the_numbers_of_its_module():
    # engine_rare.py and resync.py hold Engine methods loaded on first use; a private const is folded into
    # each module's code, so the rare half repeats the states it needs: the same values. (And bringup.py
    # knows the command tag resync.py gives its ATE0.)
    for main, rare, must in (
        ("engine", "engine_rare", "_SPACE"),
        ("engine", "resync", "_QUIET"),
        ("resync", "bringup", "_ECHO_OFF"),
    ):
        ours, theirs = consts(main), consts(rare)
        shared = set(ours) & set(theirs)
        assert must in shared, rare
        for name in shared:
            assert ours[name] == theirs[name], (rare, name, theirs[name], ours[name])
