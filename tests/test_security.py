"""Files from outside are data (DESIGN.md): no module of the package can turn their contents
into code. Every module is parsed (imports inside functions and aliases included) and fails on

- a call of pickle/marshal/shelve-style loaders (`pickle.load(s)`, `marshal.load(s)`, an
  `Unpickler`, `shelve.open`, `dill`, `cloudpickle`, `joblib.load`, `yaml.load`, ...),
- `np.load` without a literal `allow_pickle=False`,
- the builtins `eval`, `exec` and `compile`,
- `tarfile`/`zipfile` `extractall` without a checked `members=` list.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tensorweave"

UNPICKLERS = {"pickle", "_pickle", "cPickle", "dill", "cloudpickle", "marshal"}
FORBIDDEN_CALLS = (
    {f"{module}.{name}" for module in UNPICKLERS for name in ("load", "loads", "Unpickler")}
    | {"shelve.open", "shelve.DbfilenameShelf", "joblib.load", "pandas.read_pickle",
       "torch.load", "yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.full_load",
       "eval", "exec", "compile", "builtins.eval",
       "builtins.exec", "builtins.compile"})
NUMPY_LOADS = {"numpy.load", "numpy.lib.format.read_array"}  # safe with allow_pickle=False


def modules():
    return sorted(PACKAGE.rglob("*.py"))


class _Calls(ast.NodeVisitor):
    """Each call's dotted name, with `import x as y` and `from x import y` aliases resolved."""

    def __init__(self):
        self.aliases = {}
        self.calls = []  # (dotted name, ast.Call)

    def visit_Import(self, node):
        for alias in node.names:
            self.aliases[alias.asname or alias.name.split(".")[0]] = \
                alias.name if alias.asname else alias.name.split(".")[0]

    def visit_ImportFrom(self, node):
        for alias in node.names:
            if node.module and not node.level:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def visit_Call(self, node):
        name = self._dotted(node.func)
        if name is not None:
            self.calls.append((name, node))
        self.generic_visit(node)

    def _dotted(self, node):
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(self.aliases.get(node.id, node.id))
        return ".".join(reversed(parts))


def calls_in(path):
    visitor = _Calls()
    visitor.visit(ast.parse(path.read_text(), str(path)))
    return visitor.calls


def where(path, node):
    return f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"


def is_literal_false(node):
    return isinstance(node, ast.Constant) and node.value is False


def test_the_package_is_scanned():
    assert len(modules()) > 50
    data_utils = PACKAGE / "keras" / "utils" / "data_utils.py"
    assert any(name == "os.path.join" for name, _ in calls_in(data_utils))


def test_nothing_unpickles_or_evaluates():
    found = [f"{where(path, node)}: {name}" for path in modules()
             for name, node in calls_in(path) if name in FORBIDDEN_CALLS]
    assert not found, "calls that can run code from data:\n" + "\n".join(found)


def test_numpy_load_refuses_pickles():
    found = []
    for path in modules():
        for name, node in calls_in(path):
            if name in NUMPY_LOADS and not any(
                    k.arg == "allow_pickle" and is_literal_false(k.value) for k in node.keywords):
                found.append(f"{where(path, node)}: {name} without allow_pickle=False")
    assert not found, "\n".join(found)


def test_archives_are_extracted_member_by_checked_member():
    found = [f"{where(path, node)}: {name}" for path in modules()
             for name, node in calls_in(path)
             if name.endswith(".extractall") and not any(k.arg == "members"
                                                         for k in node.keywords)]
    assert not found, "extractall without a checked members= list:\n" + "\n".join(found)


@pytest.mark.parametrize("source, expected", [
    ("import pickle\npickle.loads(b'')", "pickle.loads"),
    ("import pickle as p\np.load(f)", "pickle.load"),
    ("from pickle import loads as l\nl(b'')", "pickle.loads"),
    ("def f():\n    import marshal\n    return marshal.loads(b'')", "marshal.loads"),
    ("import numpy as np\nnp.load('x')", "numpy.load"),
    ("eval('1')", "eval"),
])
def test_the_scanner_sees_through_aliases(tmp_path, source, expected):
    path = tmp_path / "m.py"
    path.write_text(source)
    assert expected in [name for name, _ in calls_in(path)]
