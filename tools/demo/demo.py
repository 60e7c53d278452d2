"""The demo: bc26 in the real MicroPython unix port, driving the BC26 emulator.

    python3 tools/demo/demo.py            (or: make demo, which sets up .venv first)
    python3 tools/demo/demo.py --profile realistic [--seed N]   (or BC26EMU_PROFILE=realistic make demo)

The realistic profile makes the emulator behave like a module on a real UART: output in pieces,
answers after up to 300 ms, URCs in between, a boot that ignores AT (tools/bc26emu/knobs.py).

Starts on 127.0.0.1 a TCP echo, a UDP echo, an NTP and a DNS server, and the emulator behind a
TCP port; runs tools/demo/demo_app.py in MicroPython; then prints the AT transcript the emulator saw
and a summary. Exits non-zero if any step failed.
"""

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tools.bc26emu.emulator import Emulator  # noqa: E402
from tools.bc26emu.knobs import PROFILES, profile_from_env  # noqa: E402
from tools.servers import DnsServer, NtpServer, TcpEchoServer, UdpEchoServer  # noqa: E402
from tools.venvbin import venv_tool  # noqa: E402

NAME = "sensor.bc26.test"


def micropython():
    return venv_tool("micropython", "run `make demo`, which installs it")


def short(data, width=70):
    text = data.decode("latin-1")
    if any(ord(c) < 32 or ord(c) > 126 for c in text):
        return "<%d bytes of data>" % len(data)
    return text if len(text) <= width else text[: width - 3] + "..."


def transcript(entries):
    """One line per command with what the module answered, data shown by its size."""
    out = []
    answer = None

    def flush():
        if answer:
            # Echo of the next command (echo is on until ATE0) is not part of the answer.
            lines = [x for x in answer.replace(b"\r", b"\n").split(b"\n") if x.strip() and x[:2] != b"AT"]
            more = "  ..." if len(lines) > 4 else ""
            out.append("  <   " + "  |  ".join(short(x, 60) for x in lines[:4]) + more)

    for _, kind, payload in entries:
        if kind == "cmd":
            flush()
            out.append("  > " + short(payload.encode() if isinstance(payload, str) else payload, 90))
            answer = bytearray()
        elif kind == "out" and answer is not None:
            answer += payload
    flush()
    return out


def main(argv=None):
    env = profile_from_env()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", choices=sorted(PROFILES), default=env.get("profile", "tidy"))
    ap.add_argument("--seed", type=int, default=env.get("seed", 0), help="the emulator's random draws")
    args = ap.parse_args(argv)
    servers = [TcpEchoServer(), UdpEchoServer(), NtpServer(), DnsServer({NAME: "127.0.0.1"})]
    tcp, udp, ntp, dns = servers
    emu = Emulator(reg_delay=0.3, dns_port=dns.port, profile=args.profile, seed=args.seed)
    try:
        listener = emu.serve_tcp("127.0.0.1", 0)
        print(
            "bc26 demo: emulator on 127.0.0.1:%d (%s profile, seed %d), echo servers tcp %d / udp %d, "
            "ntp %d, dns %d"
            % (listener.port, args.profile, args.seed, tcp.port, udp.port, ntp.port, dns.port)
        )
        print("running tools/demo/demo_app.py in %s\n" % micropython())
        env = dict(os.environ)
        env["BC26_EMU_PORT"] = str(listener.port)
        env["MICROPYPATH"] = ".frozen:" + ":".join(os.path.join(ROOT, d) for d in ("lib", "boards"))
        t0 = time.monotonic()
        proc = subprocess.run(
            [
                micropython(),
                "-X",
                "heapsize=512k",
                os.path.join(ROOT, "tools", "demo", "demo_app.py"),
                str(tcp.port),
                str(udp.port),
                str(ntp.port),
                NAME,
            ],
            cwd=ROOT,
            env=env,
            timeout=300,
        )
        elapsed = time.monotonic() - t0
        entries = list(emu.transcript.entries)
    finally:
        emu.close()
        for server in servers:
            server.close()
    commands = [e for e in entries if e[1] == "cmd"]
    print("\nAT transcript as the emulator saw it (%d commands):" % len(commands))
    for line in transcript(entries):
        print(line)
    to_module = sum(len(p) for _, k, p in entries if k == "in")
    from_module = sum(len(p) for _, k, p in entries if k == "out")
    print(
        "\nsummary: %s in %.1f s; %d commands, %d bytes to the module, %d bytes from it"
        % (
            "all steps passed" if proc.returncode == 0 else "SOME STEPS FAILED",
            elapsed,
            len(commands),
            to_module,
            from_module,
        )
    )
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
