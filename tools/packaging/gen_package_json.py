"""Write package.json (the library, for mip), mpy/package.json (the library compiled, whose
.mpy files tools/packaging/build_mpy.py --publish writes) and boards/package.json (the wiring files) from
the files git tracks in lib/ and boards/, so the lists never drift from the files. The test
suite checks that the committed files equal what this makes: after adding a module, run this
and commit package.json with it.

    python tools/packaging/gen_package_json.py            # write all three
    python tools/packaging/gen_package_json.py --check    # exit 1 if either is out of date
    python tools/packaging/gen_package_json.py --base github:OWNER/REPO    # absolute URLs, for old mip

On a board:  mpremote mip install github:OWNER/REPO            (the library, into /lib/bc26)
             mpremote mip install github:OWNER/REPO/mpy        (the same compiled: .mpy files)
             mpremote mip install github:OWNER/REPO/boards     (board.py and the board files)

URLs are relative to the package.json by default: mpremote >= 1.25 and mip from 2025 on resolve
them, and they keep working in forks. Older mip needs --base.
"""

import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# boards/unix.py and unix_pins.py are the unix port's stand-ins for a UART and pins: no use on a board.
HOST_ONLY_BOARDS = ("unix.py", "unix_pins.py")


def version():
    with open(os.path.join(ROOT, "lib", "bc26", "__init__.py")) as f:
        m = re.search(r'^__version__ = "([^"]+)"', f.read(), re.M)
    if not m:
        raise SystemExit("no __version__ in lib/bc26/__init__.py")
    return m.group(1)


def _tracked(folder, tracked=True):
    """The .py files under folder (repo-relative, sorted): those git tracks in a checkout, so a
    file someone is still writing is not listed before it is committed; all of them otherwise
    (or with tracked=False)."""
    try:
        if not tracked:
            raise OSError
        out = subprocess.run(
            ["git", "-C", ROOT, "ls-files", "--", folder], capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = []
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, folder)):
            dirnames[:] = [d for d in dirnames if not d.startswith((".", "__"))]
            out += [os.path.relpath(os.path.join(dirpath, fn), ROOT) for fn in filenames]
    return sorted(p.replace(os.sep, "/") for p in out if p.endswith(".py"))


def library_files(tracked=True):
    """Paths under lib/ of every module of the package."""
    return [p[len("lib/") :] for p in _tracked("lib", tracked)]


def board_files(tracked=True):
    """The board files under boards/, without the host-only ones."""
    names = [p[len("boards/") :] for p in _tracked("boards", tracked)]
    return [n for n in names if n not in HOST_ONLY_BOARDS]


def mpy_files():
    """Paths under mpy/ of the compiled library (tools/packaging/build_mpy.py --publish writes them)."""
    return [p[:-3] + ".mpy" for p in library_files()]


def packages(base=None):
    """{repo-relative path of the package.json: its content as text}."""
    lib = {
        "urls": [[p, ("%s/lib/%s" % (base, p)) if base else "lib/" + p] for p in library_files()],
        "version": version(),
    }
    boards = {
        "urls": [[p, ("%s/boards/%s" % (base, p)) if base else p] for p in board_files()],
        "version": version(),
    }
    mpy = {
        "urls": [[p, ("%s/mpy/%s" % (base, p)) if base else p] for p in mpy_files()],
        "version": version(),
    }
    return {"package.json": _dump(lib), "boards/package.json": _dump(boards), "mpy/package.json": _dump(mpy)}


def _dump(pkg):
    # As in micropython-lib's docs: one [destination, source] pair per line.
    pairs = ",\n".join("    " + json.dumps(pair) for pair in pkg["urls"])
    return '{\n  "urls": [\n%s\n  ],\n  "version": %s\n}\n' % (pairs, json.dumps(pkg["version"]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare, do not write; exit 1 on a difference")
    ap.add_argument("--base", help="prefix for absolute URLs, e.g. github:OWNER/REPO")
    args = ap.parse_args(argv)
    stale = []
    for rel, text in packages(args.base).items():
        path = os.path.join(ROOT, rel)
        try:
            with open(path) as f:
                old = f.read()
        except FileNotFoundError:
            old = None
        if old == text:
            continue
        if args.check:
            stale.append(rel)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print("wrote", rel)
    if stale:
        print("out of date: %s (run: python tools/packaging/gen_package_json.py)" % ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
