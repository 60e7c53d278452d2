"""The soak: long runs that do not belong in the default test command (make soak).

    python3 tools/checks/soak.py [--messages N] [--max-size B] [--fuzz-seeds N] [--heap 74k] [--romfs]
                          [--profile realistic [--seed N]]   (or BC26EMU_PROFILE=realistic make soak)

1. No data lost: tests_device/soak_stream.py in the MicroPython unix port, compiled to .mpy and
   run with a small heap, sends checksummed messages through the emulator to a TCP echo in both
   access modes and both data formats, and checks the heap does not grow.
2. Fuzz: tests_host/fuzzcore.py with many seeds in the unix port.
3. The model-based test (tests_host/modelcore.py, issue 13): 500 sequences of 200 steps for
   the blocking API and as many for the usocket layer, and 20 asyncio sequences, in the unix port.
Prints the figures; exits non-zero if anything failed.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tools.bc26emu.emulator import Emulator  # noqa: E402
from tools.bc26emu.knobs import PROFILES, profile_from_env  # noqa: E402
from tools.packaging.build_mpy import build, compile_one  # noqa: E402
from tools.servers import TcpEchoServer  # noqa: E402
from tools.venvbin import venv_tool  # noqa: E402


def tool(name):
    return venv_tool(name, "run `make soak`, which installs it")


def compile_mpy(dest):
    """lib/bc26, boards/unix.py and the soak script as .mpy (-O3, as for a board short of RAM:
    no line numbers): a small heap cannot compile .py."""
    build(dest, opt=3)
    for rel in ("boards/unix.py", "tests_device/soak_stream.py"):
        name = os.path.basename(rel)
        compile_one(os.path.join(ROOT, rel), os.path.join(dest, name[:-3] + ".mpy"), name, 3)


def romfs_image(src, img):
    """A ROMFS image of the .mpy files in src (mpremote romfs build), as a board keeps it in
    flash; its size."""
    mpremote = venv_tool("mpremote", "run `make soak`, which installs it")
    subprocess.run([mpremote, "romfs", "--no-mpy", "-o", img, "build", src], check=True, capture_output=True)
    return os.path.getsize(img)


def stream(messages, max_size, heap, romfs=False, **knobs):
    """knobs: for the emulator (profile="realistic", seed=...). romfs: import the .mpy files
    from a ROMFS image mounted at /rom, their bytecode left in place as in a board's flash.
    The unix port reads the image into its heap first, so the run gets heap + the image's
    size, and heap is what the program has beside it."""
    echo = TcpEchoServer()
    emu = Emulator(reg_delay=0, **knobs)
    work = tempfile.mkdtemp(prefix="bc26-soak-")
    try:
        src = os.path.join(work, "rom") if romfs else work
        os.makedirs(src, exist_ok=True)
        compile_mpy(src)
        code = "import sys, soak_stream; sys.exit(1 if soak_stream.main(%r, %d, %d, %d, 'unix') > 0 else 0)"
        code %= ("127.0.0.1", echo.port, messages, max_size)
        if romfs:
            img = os.path.join(work, "soak.romfs")
            size = romfs_image(src, img)
            # The image is read before anything else, so it lies in one block at the heap's
            # start: what is left is one heap of the given size, as on a board.
            code = (
                "import vfs, sys\n"
                "vfs.mount(vfs.VfsRom(open(%r, 'rb').read()), '/rom')\n"
                "sys.path.insert(0, '/rom')\n"
                "import bc26\n"
                "assert bc26.__file__.startswith('/rom/'), bc26.__file__\n%s" % (img, code)
            )
            heap = str(_kib(heap) + size)
            shutil.rmtree(src)  # nothing left to import from the filesystem
        port = emu.serve_tcp("127.0.0.1", 0).port
        return micropython(code, heap, work, work, {"BC26_EMU_PORT": str(port)})
    finally:
        emu.close()
        echo.close()
        shutil.rmtree(work, ignore_errors=True)


def _kib(heap):
    # "48k" (or a count of bytes) in bytes.
    return int(heap[:-1]) * 1024 if heap[-1] in "kK" else int(heap)


def micropython(code, heap, path=None, cwd=ROOT, env=None):
    """Run code in the MicroPython unix port with heap (e.g. "74k") and path on MICROPYPATH
    (default lib/ and tests_host/), in cwd, with env added to the environment: the finished
    process (output captured) and the seconds it ran."""
    path = path or "%s/lib:%s/tests_host" % (ROOT, ROOT)
    full = dict(os.environ, MICROPYPATH=".frozen:" + path, **(env or {}))
    t0 = time.monotonic()
    proc = subprocess.run(
        [tool("micropython"), "-X", "heapsize=" + heap, "-c", code],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    return proc, time.monotonic() - t0


def fuzz(seeds):
    code = "import fuzzcore\nfor s in range(%d): fuzzcore.run(1000 + s, 20)\n" % seeds
    code += "print('fuzz: %d rounds, every one passed')\n" % (seeds * 20)
    return micropython(code, "512k")


def model(seeds, steps, aio_seeds):
    """The model-based test (tests_host/modelcore.py) with many seeds in the unix port: the
    blocking API and the usocket layer on a virtual clock, the asyncio layer in real time."""
    code = (
        "import modelcore\n"
        "found = modelcore.run_many(5000, %d, %d, ('sock', 'usocket'))\n"
        "aio = 0\n"
        "for s in range(5000, %d):\n"
        "    try:\n"
        "        modelcore.run_aio(s, 40)\n"
        "    except modelcore.Finding as f:\n"
        "        aio += 1\n"
        "        print('FINDING aio seed=%%d: %%s' %% (s, f))\n"
        "print('model: %%d sequences of %d steps, %%d finding classes; %%d asyncio sequences, %%d failed'"
        " %% (%d, len(found), %d, aio))\n"
        "for k in found:\n"
        "    print('class %%s x%%d, first seed %%d' %% (k, found[k][0], found[k][1]))\n"
        "raise SystemExit(1 if found or aio else 0)\n"
    ) % (seeds, steps, 5000 + aio_seeds, steps, 2 * seeds, aio_seeds)
    return micropython(code, "4m")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=3500, help="per combination; 4 combinations")
    ap.add_argument("--max-size", type=int, default=1460)
    ap.add_argument("--heap", default="74k", help="74k passes every time here; 72k half the runs")
    ap.add_argument(
        "--romfs",
        action="store_true",
        help="import the library from a ROMFS image (bytecode in place, as frozen or ROMFS code on a board)",
    )
    ap.add_argument("--fuzz-seeds", type=int, default=1000)
    env = profile_from_env()
    ap.add_argument("--profile", choices=sorted(PROFILES), default=env.get("profile", "tidy"))
    ap.add_argument("--seed", type=int, default=env.get("seed", 0), help="the emulator's random draws")
    ap.add_argument("--model-seeds", type=int, default=500, help="model-based sequences per layer")
    ap.add_argument("--model-steps", type=int, default=200)
    ap.add_argument("--model-aio-seeds", type=int, default=20)
    args = ap.parse_args(argv)
    failed = False
    proc, took = stream(
        args.messages, args.max_size, args.heap, args.romfs, profile=args.profile, seed=args.seed
    )
    print(proc.stdout + proc.stderr, end="")
    print(
        "stream soak: %s in %.0f s (MicroPython unix port, -X heapsize=%s%s, %s emulator, seed %d)"
        % (
            "passed" if proc.returncode == 0 else "FAILED",
            took,
            args.heap,
            " beyond the image, from ROMFS" if args.romfs else ", from .mpy",
            args.profile,
            args.seed,
        )
    )
    failed |= proc.returncode != 0
    if args.fuzz_seeds:
        proc, took = fuzz(args.fuzz_seeds)
        print(proc.stdout + proc.stderr, end="")
        print("fuzz soak: %s in %.0f s" % ("passed" if proc.returncode == 0 else "FAILED", took))
        failed |= proc.returncode != 0
    if args.model_seeds:
        proc, took = model(args.model_seeds, args.model_steps, args.model_aio_seeds)
        print(proc.stdout + proc.stderr, end="")
        print("model soak: %s in %.0f s" % ("passed" if proc.returncode == 0 else "FAILED", took))
        failed |= proc.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
