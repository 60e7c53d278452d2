"""Fetch micropython-lib packages from PyPI by name and unpack their .py files, as upip did.

micropython-lib's packages on PyPI (micropython-umqtt.simple, ...) are old upip sdists that
pip refuses, so the e2e tests take them this way: the registry's JSON API gives the sdist of a
pinned version and its sha256, the archive is checked and its .py files are unpacked under
build/mp-packages/ (gitignored), which goes on MicroPython's path. A package already unpacked
there is not fetched again, so repeated runs need no network.

    python tools/fetch_mip_packages.py                  # the pinned set below
    python tools/fetch_mip_packages.py NAME==VERSION ...
"""

import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEST = os.path.join(ROOT, "build", "mp-packages")
INDEX = "https://pypi.org/pypi/%s/json"

# The client libraries the e2e tests run unmodified.
PINNED = (
    "micropython-umqtt.simple==1.3.4",
    "micropython-umqtt.robust==1.0",
)


def _stamp(dest, name, version):
    return os.path.join(dest, ".%s-%s.done" % (name, version))


def _sdist(name, version, timeout):
    with urllib.request.urlopen(INDEX % name, timeout=timeout) as r:
        info = json.load(r)
    files = info["releases"].get(version)
    if not files:
        raise RuntimeError("%s has no release %s on PyPI" % (name, version))
    for f in files:
        if f["packagetype"] == "sdist":
            return f["url"], f["digests"]["sha256"]
    raise RuntimeError("%s %s has no sdist on PyPI" % (name, version))


def unpack(data, dest):
    """Write every regular .py file of the sdist (without its top folder and setup.py)."""
    written = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for m in tar.getmembers():
            # Regular files only: upip sdists hold symlinks to sibling packages (robust's
            # umqtt/simple.py points into umqtt.simple), which come from their own package.
            if not m.isfile() or not m.name.endswith(".py"):
                continue
            parts = m.name.split("/")[1:]
            if not parts or parts == ["setup.py"] or any(p in ("", ".", "..") for p in parts):
                continue
            path = os.path.join(dest, *parts)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(tar.extractfile(m).read())
            written.append("/".join(parts))
    return written


def fetch(spec, dest=DEST, timeout=30):
    """Fetch NAME==VERSION into dest unless it is there already; returns dest."""
    name, sep, version = spec.partition("==")
    if not sep or not version:
        raise ValueError("pin a version: NAME==VERSION, not %r" % spec)
    stamp = _stamp(dest, name, version)
    if os.path.exists(stamp):
        return dest
    url, sha256 = _sdist(name, version, timeout)
    with urllib.request.urlopen(url, timeout=timeout) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise RuntimeError("%s: sha256 does not match PyPI's" % url)
    os.makedirs(dest, exist_ok=True)
    files = unpack(data, dest)
    if not files:
        raise RuntimeError("%s %s holds no .py files" % (name, version))
    with open(stamp, "w") as f:
        f.write("\n".join(files) + "\n")
    return dest


def fetch_all(specs=PINNED, dest=DEST):
    for spec in specs:
        fetch(spec, dest)
    return dest


if __name__ == "__main__":
    print(fetch_all(sys.argv[1:] or PINNED))
