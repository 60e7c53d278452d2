"""python -m tools.bc26emu: run the emulator behind a TCP port or a pty until interrupted.

The first line on stdout says where it listens, e.g. "bc26emu listening tcp 127.0.0.1:40123" or
"bc26emu listening pty /dev/pts/5". Every knob of knobs.Knobs is a flag (reg_delay -> --reg-delay).
--profile realistic (or BC26EMU_PROFILE=realistic, and BC26EMU_SEED for --seed, in the
environment) makes it behave like a module on a real UART; flags given beside it win.
"""

import argparse
import dataclasses
import signal
import sys
import threading

from .emulator import Emulator
from .knobs import Knobs, profile_from_env


def _pairs(values, what):
    out = {}
    for item in values or ():
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit("%s wants KEY=VALUE, got %r" % (what, item))
        out[key] = value
    return out


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m tools.bc26emu",
        description="Quectel BC26/BC20 emulator backed by real networking.",
        epilog="Knob meanings: tools/bc26emu/knobs.py.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--tcp", metavar="HOST:PORT", default=None, help="serve the UART on TCP (default 127.0.0.1:0)"
    )
    where.add_argument("--pty", action="store_true", help="serve the UART on a new pseudo-terminal")
    parser.add_argument("--host", action="append", metavar="NAME=IP", help="resolve NAME to IP (repeatable)")
    parser.add_argument(
        "--redirect",
        action="append",
        metavar="IP:PORT=HOST:PORT",
        help="QIOPEN to IP:PORT really dials HOST:PORT",
    )
    parser.add_argument("--csq", metavar="RSSI,BER", default=None)
    special = {"hosts", "redirect", "csq", "fail_next"}  # fail_next: for tests, not the CLI
    for field in dataclasses.fields(Knobs):
        if field.name in special:
            continue
        flag = "--" + field.name.replace("_", "-")
        if field.type is bool or isinstance(field.default, bool):
            parser.add_argument(
                flag, action=argparse.BooleanOptionalAction, default=None, help="default: %s" % field.default
            )
            continue
        kind = {"float": float, "int": int, "str": str}.get(
            getattr(field.type, "__name__", str(field.type)), str
        )
        parser.add_argument(
            flag, type=kind, default=None, metavar=field.name.upper(), help="default: %s" % field.default
        )
    return parser


def knobs_from_args(args, environ=None):
    knobs = profile_from_env(environ)  # flags override the environment
    for field in dataclasses.fields(Knobs):
        value = getattr(args, field.name, None)
        if value is not None and field.name not in ("hosts", "redirect", "csq", "fail_next"):
            knobs[field.name] = value
    if args.host:
        knobs["hosts"] = _pairs(args.host, "--host")
    if args.redirect:
        knobs["redirect"] = _pairs(args.redirect, "--redirect")
    if args.csq:
        rssi, _, ber = args.csq.partition(",")
        knobs["csq"] = (int(rssi), int(ber or 99))
    return knobs


def main(argv=None):
    args = build_parser().parse_args(argv)
    emu = Emulator(**knobs_from_args(args))
    if args.pty:
        pty = emu.open_pty()
        print("bc26emu listening pty %s" % pty.path, flush=True)
    else:
        host, _, port = (args.tcp or "127.0.0.1:0").rpartition(":")
        server = emu.serve_tcp(host or "127.0.0.1", int(port or 0))
        print("bc26emu listening tcp %s" % server.address, flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    finally:
        emu.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
