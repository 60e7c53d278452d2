"""Install the library as users do, with the unix port's own mip from this repository served
on 127.0.0.1, once from package.json (.py) and once from mpy/package.json (.mpy), and measure
what each costs: bytes fetched, and the heap that `import bc26` needs and keeps.

    make mip-figures          # or, in .venv: python tools/packaging/mip_figures.py

tests_host/test_mip_install.py installs both the same way and runs them against the emulator.
"""

import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tools.servers import serve_folder  # noqa: E402
from tools.venvbin import venv_tool  # noqa: E402

PACKAGES = (("package.json", ".py"), ("mpy/package.json", ".mpy"))


def micropython():
    return venv_tool("micropython")


def mip_install(url, target):
    """`micropython -m mip install --target target url`; its output (SystemExit on failure)."""
    proc = subprocess.run(
        [micropython(), "-m", "mip", "install", "--target", str(target), url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=os.path.dirname(str(target)),
    )
    out = proc.stdout + proc.stderr
    if proc.returncode or "Done" not in out:
        raise SystemExit("mip install %s failed:\n%s" % (url, out))
    return out


_PROBE = (
    "import gc, micropython\n"
    "gc.collect()\n"
    "%s\n"
    "gc.collect()\n"
    "print('used', gc.mem_alloc())\n"
    "micropython.mem_info()\n"
)


def _run(target, code, heapsize="2m"):
    env = dict(os.environ, MICROPYPATH=".frozen:%s" % target)
    return subprocess.run(
        [micropython(), "-X", "heapsize=" + heapsize, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def import_cost(target):
    """(bytes kept after `import bc26` and a collection, peak bytes allocated while importing),
    both beyond the interpreter's own start."""
    figures = []
    for stmt in ("pass", "import bc26"):
        out = _run(target, _PROBE % stmt).stdout
        used = int(re.search(r"used (\d+)", out).group(1))
        peak = int(re.search(r"peak=(\d+)", out).group(1))
        figures.append((used, peak))
    (used0, peak0), (used1, peak1) = figures
    return used1 - used0, peak1 - peak0


def smallest_heap(target, lo=8, hi=512):
    """The smallest -X heapsize (KB) in which `import bc26` succeeds."""
    while lo < hi:
        mid = (lo + hi) // 2
        if _run(target, "import bc26", "%dk" % mid).returncode == 0:
            hi = mid
        else:
            lo = mid + 1
    return lo


def measure():
    rows = []
    with serve_folder(ROOT) as base, tempfile.TemporaryDirectory() as tmp:
        for package, ext in PACKAGES:
            target = os.path.join(tmp, ext.strip("."), "lib")
            os.makedirs(target)
            mip_install("%s/%s" % (base, package), target)
            files = [
                os.path.join(target, "bc26", n) for n in sorted(os.listdir(os.path.join(target, "bc26")))
            ]
            size = sum(os.path.getsize(f) for f in files)
            kept, peak = import_cost(target)
            rows.append((package, ext, len(files), size, kept, peak, smallest_heap(target)))
    return rows


def main():
    print("mip install from a local copy of this repository, MicroPython unix port (64-bit)")
    print(
        "%-18s %5s %9s %14s %16s %14s"
        % ("package", "files", "bytes", "import keeps", "import peak", "smallest heap")
    )
    for package, _, n, size, kept, peak, heap in measure():
        print(
            "%-18s %5d %9s %14s %16s %11d KB"
            % (package, n, "{:,}".format(size), "{:,} B".format(kept), "{:,} B".format(peak), heap)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
