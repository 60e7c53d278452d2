"""The benchmark: one run, one table (make bench).

    python3 tools/bench/run.py [--no-ir]     (make bench; make bench ARGS=--no-ir)

Every row is measured in this run, in the MicroPython unix port (the programs beside this
file), each as a figure and as a ratio to its reference:
- RAM: heap of the driver from .py and from .mpy, and from .mpy with -X heapsize=64k; per socket;
  and from .mpy on a 32-bit MicroPython (the webassembly port from npm, under Node.js), as on
  an ESP32 or RP2040.
- Allocation and CPU per URC, per 512-byte read, per 1 KB send, against a bare readinto/write
  loop (the floor) and a naive readline-and-split driver (bench_receive.py); instructions per
  operation with callgrind (bench_ir.sh), unless --no-ir.
- Wire: UART bytes per payload byte against the best framing the manual allows.
- Latency the driver adds: open, 20 sends and replies, close against the emulator with fixed
  module latencies; wall time minus those latencies, per command (bench_session.py).
- RAM from a ROMFS image (mpremote romfs build, mounted with vfs.VfsRom): bytecode in place.
- A TCP program (bench_tcp.py): import, Modem(), start(), open, send, read, close against the
  emulator; the heap it holds then, from .mpy and from ROMFS.
- A telemetry wake as examples/telemetry_deepsleep.py does it (bench_wake.py): heap held
  and time from a blank MicroPython to the datagram sent, from .mpy and from ROMFS.
- A telemetry cycle: commands and UART bytes from wake to the module back asleep, for the UDP
  socket the module kept.
- The AT trace (bc26.trace): its heap, and the reads and sends above through it (bench_trace.py).
- TLS over the module (the unix port's ssl, verifying): heap held by a session, AT commands and
  UART bytes of a handshake (bench_tls.py against tools.servers.tlscerts.TlsEchoServer).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "tools", "bench")
sys.path.insert(0, ROOT)

from tools.bc26emu.emulator import Emulator  # noqa: E402
from tools.packaging.build_mpy import build, compile_one  # noqa: E402
from tools.servers import TcpEchoServer, UdpEchoServer  # noqa: E402
from tools.venvbin import venv_tool  # noqa: E402

MP = venv_tool("micropython", "run `make bench`, which installs it")
# The same MicroPython release as the unix port and mpy-cross, built for WebAssembly (32-bit).
WASM_PACKAGE = "@micropython/micropython-webassembly-pyscript@1.29.0-6"
# The module's own latencies in the session (seconds): subtracted from the wall time.
OPEN_S, SEND_S, CLOSE_S = 0.050, 0.010, 0.020
FEWEST_CYCLE = 3  # AT (wake and auto-baud), AT+QISEND, AT+QRELLOCK: see README


def micropython(args, heap, path, env=None, timeout=600):
    full = dict(os.environ, MICROPYPATH=".frozen:" + ":".join(path), **(env or {}))
    return subprocess.run(
        [MP, "-X", "heapsize=" + heap] + args,
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def parse_rows(out, tag):
    rows = []
    for line in out.splitlines():
        if line.startswith("ROW|"):
            _, section, name, value, unit, ref, refname = line.split("|")
            rows.append(
                (section, name + tag, float(value), unit, None if ref == "None" else float(ref), refname)
            )
    return rows


def build_mpy(dest):
    build(dest, opt=3)
    for name in ("bench_ram", "bench_wake", "bench_tcp"):
        src = os.path.join(BENCH, name + ".py")
        compile_one(src, os.path.join(dest, name + ".mpy"), name + ".py", 3)


def build_romfs(work):
    """A ROMFS image of the .mpy library in work (mpremote romfs build), as a board keeps it in
    flash: imported from it, bytecode and constant data stay in the image instead of the heap."""
    src = os.path.join(work, "romsrc")
    shutil.copytree(os.path.join(work, "bc26"), os.path.join(src, "bc26"))
    img = os.path.join(work, "bc26.romfs")
    mpremote = os.path.join(os.path.dirname(sys.executable), "mpremote")
    subprocess.run([mpremote, "romfs", "--no-mpy", "-o", img, "build", src], check=True, capture_output=True)
    return img


def from_rom(img, code):
    # MicroPython code that mounts img at /rom (vfs.VfsRom: the unix port reads the image into
    # the heap first, where a board maps its flash; that happens before any figure is taken),
    # puts /rom first on the path, then runs code; bc26 must come from there.
    return (
        "import vfs, sys\n"
        "vfs.mount(vfs.VfsRom(open(%r, 'rb').read()), '/rom')\n"
        "sys.path.insert(0, '/rom')\n"
        "%s\n"
        "import bc26\n"
        "assert bc26.__file__.startswith('/rom/'), bc26.__file__\n" % (img, code)
    )


def session():
    tcp, udp = TcpEchoServer(), UdpEchoServer()
    emu = Emulator(reg_delay=0, open_latency=OPEN_S, send_latency=SEND_S, close_latency=CLOSE_S)
    try:
        port = emu.serve_tcp("127.0.0.1", 0).port
        proc = micropython(
            [os.path.join(BENCH, "bench_session.py"), "127.0.0.1", str(tcp.port), str(udp.port)],
            "512k",
            [os.path.join(ROOT, d) for d in ("lib", "boards")],
            {"BC26_EMU_PORT": str(port)},
        )
        entries = list(emu.transcript.entries)
    finally:
        emu.close()
        tcp.close()
        udp.close()
    if proc.returncode:
        raise SystemExit("session failed:\n" + proc.stdout + proc.stderr)
    wall_us = int(proc.stdout.split("SESSION_US")[1].split()[0])
    marks = [i for i, e in enumerate(entries) if e[1] == "cmd" and e[2] == "ATI"]

    def part(a, b):
        cmds = [e[2] for e in entries[a + 1 : b] if e[1] == "cmd"]
        to_module = sum(len(e[2]) for e in entries[a + 1 : b] if e[1] == "in")
        from_module = sum(len(e[2]) for e in entries[a + 1 : b] if e[1] == "out")
        return cmds, to_module, from_module

    s_cmds, _, _ = part(marks[0], marks[1])
    c_cmds, c_in, c_out = part(marks[2], marks[3])
    module_s = OPEN_S + 20 * SEND_S + CLOSE_S
    per_cmd_ms = (wall_us / 1e6 - module_s) * 1000 / len(s_cmds)
    return [
        (
            "latency",
            "session: open, 20 sends and replies, close (%d commands)" % len(s_cmds),
            wall_us / 1000,
            "ms",
            module_s * 1000,
            "module's own latencies",
        ),
        ("latency", "driver + emulator + loopback time per command", per_cmd_ms, "ms", 1.0, "target 1 ms"),
        (
            "cycle",
            "telemetry cycle, commands: " + " ".join(c.split("=")[0] for c in c_cmds),
            len(c_cmds),
            "",
            FEWEST_CYCLE,
            "fewest the manual allows",
        ),
        (
            "cycle",
            "telemetry cycle, UART bytes to / from the module",
            c_in + c_out,
            "B",
            None,
            "%d to, %d from" % (c_in, c_out),
        ),
    ]


def tls_rows():
    """TLS over the module with the unix port's ssl: heap of a session, UART cost of a handshake."""
    from tools.servers import tlscerts

    with tempfile.TemporaryDirectory(prefix="bc26-tls-") as folder:
        try:
            certs = tlscerts.make(folder)
        except RuntimeError as err:
            return [("tls", "TLS rows: skipped, %s" % err, 0, "", None, "")]
        server = tlscerts.TlsEchoServer(certs)
        emu = Emulator(reg_delay=0)
        args = [os.path.join(BENCH, "bench_tls.py"), "127.0.0.1", str(server.port), certs["ca_der"]]
        path = [os.path.join(ROOT, d) for d in ("lib", "boards")]
        try:
            port = emu.serve_tcp("127.0.0.1", 0).port
            env = {"BC26_EMU_PORT": str(port)}
            proc = micropython(args, "512k", path, env)
            entries = list(emu.transcript.entries)
            c_heap = tls_c_heap(args, path, env, folder)
        finally:
            emu.close()
            server.close()
    if proc.returncode:
        raise SystemExit("TLS session failed:\n" + proc.stdout + proc.stderr)
    marks = [i for i, e in enumerate(entries) if e[1] == "cmd" and e[2] == "ATI"]
    part = entries[marks[0] + 1 : marks[1]]
    cmds = [e[2] for e in part if e[1] == "cmd"]
    to_module = sum(len(e[2]) for e in part if e[1] == "in")
    from_module = sum(len(e[2]) for e in part if e[1] == "out")
    kinds = {}
    for c in cmds:
        kinds[c.split("=")[0]] = kinds.get(c.split("=")[0], 0) + 1
    return (
        parse_rows(proc.stdout, "")
        + c_heap
        + [
            (
                "tls",
                "TLS handshake + 4-byte echo: AT commands, %s"
                % " ".join("%s %d" % (k[3:], n) for k, n in kinds.items()),
                len(cmds),
                "",
                None,
                "",
            ),
            (
                "tls",
                "the same: UART bytes to / from the module",
                to_module + from_module,
                "B",
                None,
                "%d to, %d from" % (to_module, from_module),
            ),
            ("tls", "32-bit heap rows: none, the webassembly port has no ssl/tls module", 0, "", None, ""),
        ]
    )


def tls_c_heap(args, path, env, folder):
    """Peak C heap of a TLS session: the unix port's mbedTLS allocates with malloc, which the
    GC never sees. valgrind's massif gives the process's peak with a session and without one
    (the same program, stopped before it); the difference is the session's.

    (The unix port here is a CPython extension: the process is CPython running MicroPython,
    and both runs carry CPython's own share alike.)
    """
    if not shutil.which("valgrind"):  # tools/bench/bench_ir.sh installs it
        return [("tls", "C heap of a TLS session: skipped, no valgrind here", 0, "", None, "")]
    peaks = []
    for extra in ([], ["idle"]):
        out = os.path.join(folder, "massif.out")
        cmd = ["valgrind", "--tool=massif", "--soname-synonyms=somalloc=NONE", "--massif-out-file=" + out]
        full = dict(os.environ, MICROPYPATH=".frozen:" + ":".join(path), **env)
        proc = subprocess.run(
            cmd + [MP, "-X", "heapsize=512k"] + args + extra,
            cwd=ROOT, env=full, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if proc.returncode:
            raise SystemExit("TLS session under massif failed:\n" + proc.stdout + proc.stderr)
        with open(out) as f:
            peaks.append(max(int(line.split("=")[1]) for line in f if line.startswith("mem_heap_B=")))
    what = "peak C heap of a TLS session (mbedTLS: malloc in the unix port), massif"
    return [("tls", what, peaks[0] - peaks[1], "B", None, "")]


def instructions():
    out = subprocess.run(
        ["bash", os.path.join(BENCH, "bench_ir.sh")], capture_output=True, text=True, check=True
    ).stdout
    got = dict(line.split(": ")[0:2] for line in out.splitlines() if ": " in line)
    n = {k: float(v.split()[0]) for k, v in got.items()}
    return [
        ("cpu", "instructions per URC (callgrind)", n["bc26-urc"], "", n["naive-urc"], "naive"),
        ("cpu", "instructions per 512-byte read (callgrind)", n["bc26-read"], "", n["naive-read"], "naive"),
        (
            "cpu",
            "instructions per 512-byte read, through bc26.trace",
            n["traced-read"],
            "",
            n["bc26-read"],
            "no trace",
        ),
    ]


def ram_rows(work):
    """Heap rows from tools/bench/bench_ram.py: from .py, from .mpy, and from .mpy in a 64 KB heap."""
    lib = os.path.join(ROOT, "lib")
    rows = parse_rows(micropython([os.path.join(BENCH, "bench_ram.py")], "2m", [lib]).stdout, " (.py)")
    code = ["-c", "import bench_ram"]
    rows += parse_rows(micropython(code, "2m", [work]).stdout, " (.mpy)")
    trace = micropython([os.path.join(BENCH, "bench_trace.py"), "--ram"], "2m", [work])
    rows += parse_rows(trace.stdout, " (.mpy)")
    proc = micropython(code, "64k", [work])
    small = parse_rows(proc.stdout, " (.mpy, -X heapsize=64k)")
    if small:
        rows += small[-1:]
    else:
        err = ((proc.stdout + proc.stderr).strip().splitlines() or ["?"])[-1]
        rows += [("ram", "import + Modem() with -X heapsize=64k (.mpy): " + err, 0, "", None, "does not fit")]
    return rows + romfs_rows(work, rows)


# Issue 14's targets (64-bit unless said), as the reference of their rows, with the figure the
# issue started from where it gave one.
TARGETS = {
    "heap: import bc26 (.mpy)": (13 * 1024, "target 13 KB, was 39.1 KB"),
    "heap: import bc26 (.mpy, 32-bit)": (11 * 1024, "target 11 KB, was 32.5 KB"),
    "heap: driver + one socket, beyond the rx buffer (.mpy)": (17 * 1024, "target 17 KB, was 43.9 KB"),
    "heap: import bc26 (ROMFS, mpremote romfs build)": (6 * 1024, "target 6 KB, was 20.6 KB"),
    "TCP program: heap held beyond the rx buffer (.mpy)": (17 * 1024, "target 17 KB"),
}


def with_targets(rows):
    out = []
    for section, name, value, unit, ref, refname in rows:
        if name in TARGETS:
            ref, refname = TARGETS[name]
        out.append((section, name, value, unit, ref, refname))
    return out


def tcp_rows(work):
    """A program that opens a TCP socket, sends, reads and closes (bench_tcp.py), against the
    emulator and a local TCP echo: the heap it holds then, from .mpy files and from ROMFS."""
    img = os.path.join(work, "bc26.romfs")
    echo = TcpEchoServer()
    rows = []
    try:
        code = "import sys\nsys.argv[1:] = ['127.0.0.1', %r]\nimport bench_tcp" % str(echo.port)
        for rom, tag in ((False, ".mpy"), (True, "ROMFS")):
            # A module that boots with the program each time: its banner comes first (bench_tcp).
            emu = Emulator(reg_delay=0)
            env = {"BC26_EMU_PORT": str(emu.serve_tcp("127.0.0.1", 0).port)}
            args = ["-c", from_rom(img, code) if rom else code]
            try:
                proc = micropython(args, "512k", [work, os.path.join(ROOT, "boards")], env)
            finally:
                emu.close()
            lines = [x for x in proc.stdout.splitlines() if x.startswith("TCP|")]
            if proc.returncode or not lines:
                raise SystemExit("bench_tcp failed:\n%s%s" % (proc.stdout, proc.stderr))
            _, held_import, held, n, loaded = lines[0].split("|")
            if int(n) != 64:
                raise SystemExit("bench_tcp read %s bytes, not 64" % n)
            name = "TCP program: heap held beyond the rx buffer (%s)" % tag
            rows.append(("ram", name, int(held), "B", int(held_import), "of which import bc26"))
            if not rom:
                names = dict(
                    (x.split("|")[1], int(x.split("n_qstr=")[1].split(",")[0]))
                    for x in proc.stdout.splitlines()
                    if x.startswith("NAMES|")
                )
                for when in ("import", "end"):
                    name = "names interned: TCP program, after %s" % (
                        "import bc26" if when == "import" else "close"
                    )
                    rows.append(("ram", name, names[when], "", 300, "5th table (+3.7 KB) at ~300"))
        rows.append(("ram", "the same: bc26 modules loaded", len(loaded.split()), "", None, loaded))
    finally:
        echo.close()
    return rows


def romfs_rows(work, mpy_rows):
    """import bc26 and the driver with one socket again, the library from a ROMFS image."""
    img = build_romfs(work)
    proc = micropython(["-c", from_rom(img, "import bench_ram")], "2m", [work])
    got = {r[1]: r for r in parse_rows(proc.stdout, "")}
    if proc.returncode or not got:
        raise SystemExit("the ROMFS run failed:\n" + proc.stdout + proc.stderr)
    mpy = {r[1]: r[2] for r in mpy_rows}
    out = []
    for name in ("heap: import bc26", "heap: driver + one socket, beyond the rx buffer"):
        out.append(
            (
                "ram",
                name + " (ROMFS, mpremote romfs build)",
                got[name][2],
                "B",
                mpy[name + " (.mpy)"],
                "from .mpy files",
            )
        )
    return out


STEPS = {
    "import": "import bc26",
    "Modem": "Modem(), its 1536-byte rx buffer included",
    "set_pins": "set_pins(): power.py",
    "wake": "wake(): AT until OK",
    "start": "start(keep=UDP): bringup resync sockcfg sockstate + socket",
    "send": "one send",
}


def wake_rows(work):
    """One wake of examples/telemetry_deepsleep.py to the datagram sent (tools/bench/bench_wake.py),
    against the emulator: heap held and time, from .mpy files and from a ROMFS image."""
    img = os.path.join(work, "bc26.romfs")
    udp = UdpEchoServer()
    emu = Emulator(reg_delay=0)
    rows = []
    try:
        port = emu.serve_tcp("127.0.0.1", 0).port
        env = {"BC26_EMU_PORT": str(port)}
        path = [work, os.path.join(ROOT, "boards")]

        def run(what, rom):
            code = "import sys\nsys.argv[1:] = [%r, '127.0.0.1', %r]\nimport bench_wake" % (
                what,
                str(udp.port),
            )
            proc = micropython(["-c", from_rom(img, code) if rom else code], "512k", path, env)
            if proc.returncode:
                raise SystemExit("bench_wake %s failed:\n%s%s" % (what, proc.stdout, proc.stderr))
            return proc.stdout

        run("boot", False)
        for rom, tag in ((False, ".mpy"), (True, "ROMFS")):
            start = len(emu.transcript.entries)
            line = [x for x in run("wake", rom).splitlines() if x.startswith("WAKE|")][0]
            _, heap, us, loaded, marks = line.split("|")
            cmds = [e[2].split("=")[0] for e in list(emu.transcript.entries)[start:] if e[1] == "cmd"]
            name = "telemetry wake to datagram sent, heap held (%s)" % tag
            rows.append(("wake", name, int(heap), "B", None, ""))
            name = "the same, time: %d commands (%s)" % (len(cmds), tag)
            rows.append(("wake", name, int(us) / 1000, "ms", None, ""))
            # What each step adds to the heap: the steps of the example's wake_cycle.
            before = 0
            for step in marks.split() + ["send=" + heap]:
                what, held = step.split("=")
                name = "  of which %s (%s)" % (STEPS[what], tag)
                rows.append(("wake", name, int(held) - before, "B", None, ""))
                before = int(held)
        rows.append(("wake", "the same: bc26 modules loaded", len(loaded.split()), "", None, loaded))
    finally:
        emu.close()
        udp.close()
    return rows


def wasm_rows(work):
    """The .mpy heap rows again on a 32-bit MicroPython: the webassembly port, under Node.js.

    Pointers, and the GC's 16-byte blocks, are half those of the 64-bit unix port, as on a
    board; bytecode is the same. Its heap grows on demand, so it measures and limits nothing.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return [("ram", "32-bit rows: skipped, no Node.js and npm here", 0, "", None, "")]
    prefix = os.path.join(ROOT, "build", "wasm")
    mjs = os.path.join(prefix, "node_modules", WASM_PACKAGE.rsplit("@", 1)[0], "micropython.mjs")
    if not os.path.exists(mjs):
        install = [npm, "install", "--prefix", prefix, "--no-audit", "--no-fund", WASM_PACKAGE]
        subprocess.run(install, check=True, capture_output=True)
    proc = subprocess.run(
        [node, os.path.join(BENCH, "mp_wasm.mjs"), work, "import bench_ram"],
        env=dict(os.environ, MP_WASM=mjs),
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = parse_rows(proc.stdout, " (.mpy, 32-bit)")
    if not rows:
        raise SystemExit("the webassembly port failed:\n" + proc.stdout + proc.stderr)
    return rows


def soak_rows():
    """The smallest heap, in whole KB, that the stream soak (tools/checks/soak.py, 50 messages
    in each access mode and data format) passes in: from .mpy files, and from a ROMFS image
    (the heap beside the image). A bisection between 32 and 96 KB; near the edge a run may
    pass or fail by the way reads happen to split, so the figure moves by a KB or so."""
    sys.path.insert(0, os.path.join(ROOT, "tools", "checks"))
    import soak

    rows = []
    for romfs, what in ((False, ".mpy"), (True, "ROMFS, beside the image")):

        def passes(kb, romfs=romfs):
            return soak.stream(50, 1460, "%dk" % kb, romfs)[0].returncode == 0

        lo, hi = 32, 96
        if not passes(hi):
            raise SystemExit("the stream soak fails at %d KB (%s)" % (hi, what))
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if passes(mid):
                hi = mid
            else:
                lo = mid
        name = "smallest heap the stream soak passes in (%s)" % what
        rows.append(("soak", name, hi, "KB", 48, "target 48 KB" if romfs else "target 48 KB, was 62-64"))
    return rows


def main(argv):
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bc26-bench-") as work:
        build_mpy(work)
        table = ram_rows(work) + wasm_rows(work) + tcp_rows(work) + wake_rows(work)
        table = with_targets(table)
    path = [os.path.join(ROOT, "lib"), BENCH]
    proc = micropython([os.path.join(BENCH, "bench_receive.py"), "--rows"], "2m", path)
    if proc.returncode:
        raise SystemExit(proc.stdout + proc.stderr)
    table += parse_rows(proc.stdout, "")
    proc = micropython([os.path.join(BENCH, "bench_trace.py")], "2m", path)
    if proc.returncode:
        raise SystemExit(proc.stdout + proc.stderr)
    table += parse_rows(proc.stdout, "")
    calls = os.path.join(BENCH, "bench_calls.py")
    proc = subprocess.run([sys.executable, calls], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stdout + proc.stderr)
    table += parse_rows(proc.stdout, "")
    table += soak_rows()
    if "--no-ir" not in argv:
        table += instructions()
    table += session()
    table += tls_rows()
    print("bc26 benchmark (MicroPython unix port, x86-64; `make bench`), %.0f s" % (time.monotonic() - t0))
    print("%-9s %-72s %12s %-4s %12s  %-26s %s" % ("", "what", "bc26", "", "reference", "", "ratio"))
    for section, name, value, unit, ref, refname in table:
        ratio = "%.3f" % (value / ref) if ref else ""
        refs = "" if ref is None else ("%.3f" % ref if ref < 100 else "%.0f" % ref)
        vals = "%.3f" % value if value < 100 else "%.0f" % value
        print("%-9s %-72s %12s %-4s %12s  %-26s %s" % (section, name[:72], vals, unit, refs, refname, ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
