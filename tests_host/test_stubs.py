# The type stubs (stubs/bc26/*.pyi) against the library they describe: every public method,
# the ones loaded on first use included (Modem.ping is services.ping, Socket.send_fixed is
# sockextra.send_fixed), is in the stubs with its parameters and defaults, and the stubs name
# nothing the library lacks; the attributes the stubs give Modem are set by Modem.__init__.
# tools/checks/typecheck.sh checks the stubs themselves and the examples against them with pyright.
# The stubs are no part of what a board installs. (CPython only: it reads signatures.)
import ast
import importlib
import inspect
import os
import sys

import bc26
from fakeuart import FakeUART
from mp import ROOT

STUBS = os.path.join(ROOT, "stubs", "bc26")
# stub module: {class: runtime class}; module-level functions are compared too.
CLASSES = {
    "modem": ("Modem",),
    "sockets": ("Socket", "Sockets"),
    "hexcode": ("HexCoder",),
    "aio": ("AsyncModem", "AsyncSocket"),
    "errors": ("BC26Error", "BC26Timeout", "SendFailed", "DataLost"),
    "usocket": ("SocketPool", "socket"),
    "sockstate": ("SocketInfo",),
    "network": ("Registration",),
    "power": ("Pins",),
}


def stub(name):
    with open(os.path.join(STUBS, name + ".pyi")) as f:
        return ast.parse(f.read())


def stub_params(fn):
    """[(name, kind, default)] of a stub function; default None when absent, ... for any."""
    a = fn.args
    out = []
    plain = a.posonlyargs + a.args
    defaults = [None] * (len(plain) - len(a.defaults)) + list(a.defaults)
    for arg, d in zip(plain, defaults, strict=True):
        out.append((arg.arg, "p", None if d is None else _value(d)))
    if a.vararg:
        out.append((a.vararg.arg, "*", None))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        out.append((arg.arg, "k", None if d is None else _value(d)))
    if a.kwarg:
        out.append((a.kwarg.arg, "**", None))
    return out


def _value(node):
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return Ellipsis
    return ("=", ast.literal_eval(node))


KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "p",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "p",
    inspect.Parameter.VAR_POSITIONAL: "*",
    inspect.Parameter.KEYWORD_ONLY: "k",
    inspect.Parameter.VAR_KEYWORD: "**",
}


def runtime_params(fn, drop):
    out = []
    for p in list(inspect.signature(fn).parameters.values())[drop:]:
        d = None if p.default is p.empty else ("=", p.default)
        out.append((p.name, KINDS[p.kind], d))
    return out


def lazy_table(cls):
    """The (module, " names ") table a class's __getattr__ hands to _compat.lazy, or ()."""
    ga = cls.__dict__.get("__getattr__")
    if ga is None:
        return ()
    tree = ast.parse(inspect.getsource(ga).strip())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "lazy":
            table = node.args[2]
            if isinstance(table, ast.Name):
                table = getattr(sys.modules[cls.__module__], table.id)
            else:
                table = ast.literal_eval(table)
            # "|module name name ... |module ...": [(module, " name name ... "), ...]
            return [
                (m, " " + rest + " ")
                for m, _, rest in (part.strip().partition(" ") for part in table.split("|")[1:])
            ]
    raise AssertionError("%s.__getattr__ calls no lazy()" % cls.__name__)


def runtime_methods(cls, instance=None):
    """{name: [(param, kind, default)]} of cls's public methods, those loaded on first use
    included (their module function without its first parameter, as lazy() calls it); with
    an instance, also the methods its __getattr__ hands out otherwise (Sockets.hex_in is the
    hex coder's)."""
    out = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.split(".")[0] != "bc26":
            continue
        for name, v in vars(klass).items():
            if name.startswith("_") and name not in (
                "__init__",
                "__enter__",
                "__exit__",
                "__aenter__",
                "__aexit__",
            ):
                continue
            if isinstance(v, property):
                out[name] = "property"
            elif inspect.isfunction(v):
                out[name] = runtime_params(v, 1)
    for module, names in lazy_table(cls):
        mod = importlib.import_module("bc26." + module)
        for name in names.split():
            if not name.startswith("_"):  # a private method of the class, in its own module
                out[name] = runtime_params(getattr(mod, name), 1)
    for name in EXTRA.get(cls.__name__, ()):
        out[name] = runtime_params(getattr(instance, name), 0)
    return out


# Methods a class's __getattr__ hands out from another object.
EXTRA = {"Sockets": ("hex_in", "hex_out")}


def stub_methods(cls_node):
    out = {}
    for node in cls_node.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            props = [d for d in node.decorator_list if getattr(d, "id", None) == "property"]
            out[node.name] = "property" if props else stub_params(node)[1:]
    return out


def same(stub_p, run_p):
    if stub_p == "property" or run_p == "property":
        return stub_p == run_p
    if [(n, k) for n, k, _ in stub_p] != [(n, k) for n, k, _ in run_p]:
        return False
    for (_, _, sd), (_, _, rd) in zip(stub_p, run_p, strict=True):
        if (sd is None) != (rd is None):
            return False
        if sd is not None and sd is not Ellipsis and sd != rd:
            return False
    return True


def test_every_public_method_is_in_the_stubs_as_the_library_has_it():
    problems = []
    for mod_name, classes in CLASSES.items():
        tree = stub(mod_name)
        mod = importlib.import_module("bc26." + mod_name)
        nodes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        for cls_name in classes:
            assert cls_name in nodes, "stubs/bc26/%s.pyi lacks class %s" % (mod_name, cls_name)
            run = runtime_methods(getattr(mod, cls_name), bc26.Modem(FakeUART()).sockets)
            stubbed = stub_methods(nodes[cls_name])
            for name in sorted(set(run) | set(stubbed)):
                where = "%s.%s.%s" % (mod_name, cls_name, name)
                if name not in stubbed:
                    if name == "__init__" and not run[name]:
                        continue
                    problems.append(where + ": missing from the stubs")
                elif name not in run:
                    problems.append(where + ": in the stubs, not in the library")
                elif not same(stubbed[name], run[name]):
                    problems.append("%s: stub %s, library %s" % (where, stubbed[name], run[name]))
    assert not problems, "\n".join(problems)


def test_module_functions_match():
    problems = []
    for mod_name in ("__init__", "errors", "usocket"):
        tree = stub(mod_name)
        mod = bc26 if mod_name == "__init__" else importlib.import_module("bc26." + mod_name)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                fn = getattr(mod, node.name, None)
                if fn is None:
                    problems.append("%s.%s: not in the library" % (mod_name, node.name))
                elif not same(stub_params(node), runtime_params(fn, 0)):
                    problems.append("%s.%s: signatures differ" % (mod_name, node.name))
    # Every name bc26 exports is in its stub.
    names = {
        a.asname or a.name for n in stub("__init__").body if isinstance(n, ast.ImportFrom) for a in n.names
    }
    names |= {n.name for n in stub("__init__").body if isinstance(n, ast.FunctionDef)}
    # (bc26 has no __all__, whose strings every import would keep: its exports are its public
    # classes and constants, and what its __getattr__ loads on first use.)
    exports = [n for n, v in vars(bc26).items() if n[0] != "_" and not inspect.ismodule(v)]
    lazy = ["SendFailed", "DataLost", "error_name", "parse_time", "utc_seconds"]
    assert all(getattr(bc26, n) is not None for n in lazy)
    assert {"Modem", "Socket", "BUFFER", "PUSH", "BC26Error", "BC26Timeout"} <= set(exports), exports
    problems += ["bc26.%s: missing from the stubs" % n for n in exports + lazy if n not in names]
    assert not problems, "\n".join(problems)


def test_the_attributes_the_stubs_give_modem_are_declared_by_its_constructor():
    # Set by Modem(), or declared in Modem.__init__ by an annotation (the attributes that
    # modules loaded on first use set: a name set there would be interned by import bc26).
    modem = bc26.Modem(FakeUART())
    init = ast.parse(inspect.getsource(bc26.Modem.__init__).strip())
    annotated = {n.target.attr for n in ast.walk(init) if isinstance(n, ast.AnnAssign)}
    node = next(n for n in stub("modem").body if isinstance(n, ast.ClassDef) and n.name == "Modem")
    declared = [n.target.id for n in node.body if isinstance(n, ast.AnnAssign)]
    assert {"aio", "nic", "pins", "psm_state", "ntp_text"} <= set(declared) & annotated
    missing = [a for a in declared if a not in vars(modem) and a not in annotated]
    assert not missing, "Modem.__init__ does not declare: %s" % missing


def test_the_stubs_are_not_installed_on_boards():
    # package.json, mpy/package.json and manifest.py take lib/ only; the stubs live outside it.
    with open(os.path.join(ROOT, "package.json")) as f:
        assert ".pyi" not in f.read()
    with open(os.path.join(ROOT, "mpy", "package.json")) as f:
        assert ".pyi" not in f.read()
    assert not [f for f in os.listdir(os.path.join(ROOT, "lib", "bc26")) if f.endswith(".pyi")]
