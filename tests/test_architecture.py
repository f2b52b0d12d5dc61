"""The house's walls (DESIGN.md): floors, no cycles, no machinery below the runtime, no op-type
strings outside ops/, no private names reached across modules.

Every module's imports are parsed, those inside functions included. Every rule is strict: its
list of known violations (KNOWN_*) is empty, and a new violation fails. The few exceptions kept
for good are the ALLOWED_* sets, each with the reason beside it.
"""
import ast
import pathlib
import re

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "tensorweave"

# Floors, by module prefix (the longest matching prefix wins). A lower floor never imports a
# higher one. The namespace face `tensorweave` itself is above everything but its users.
FLOORS = {
    "tensorweave.core": 1, "tensorweave.framework": 1, "tensorweave.lib": 1,
    "tensorweave.util": 1, "tensorweave.errors": 1,
    "tensorweave.ops": 2, "tensorweave.autodiff": 2, "tensorweave.gradients": 2,
    "tensorweave.variables": 2, "tensorweave.variable_scope": 2, "tensorweave.init_ops": 2,
    "tensorweave.runtime": 3,
    "tensorweave": 4,  # every other library module: nn, train, summary, layers, data, ...
    "tensorweave.estimator": 5,
    # contrib.learn's Estimator family and contrib.layers' and contrib.feature_column's feature
    # columns are built on tf.estimator and tf.feature_column, as TF 1.x's were
    "tensorweave.contrib.learn": 5, "tensorweave.contrib.layers.feature_column": 5,
    "tensorweave.contrib.feature_column": 5,
    # KMeansClustering is a tf.estimator.Estimator, as TF 1.15's is
    "tensorweave.contrib.factorization.kmeans": 5,
    # contrib.predictor builds Predictors from tf.estimator and contrib.learn Estimators
    "tensorweave.contrib.predictor": 5,
    # contrib.estimator's heads, extenders and hooks are tf.estimator's, as TF 1.15's were
    "tensorweave.contrib.estimator": 5,
    # KernelLinearClassifier is a contrib.learn Estimator, as TF 1.15's is
    "tensorweave.contrib.kernel_methods": 5,
    "tensorweave.examples": 6, "tensorweave.runner": 6, "tensorweave.__main__": 6,
}
FACE = "tensorweave.__init__"
# Modules allowed machinery that changes or reads the process (threads, ctypes, environment).
MACHINERY = re.compile(r"^(ctypes|mmap|threading|concurrent(\..*)?|_thread)$")
MACHINERY_FREE = ("tensorweave.core", "tensorweave.framework", "tensorweave.ops")


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts)


def floor_of(module):
    if module == FACE:
        return 7
    best = max((p for p in FLOORS if module == p or module.startswith(p + ".")), key=len)
    return FLOORS[best]


def from_base(module, node):
    """The module a `from X import ...` in `module` imports from (relative imports resolved)."""
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if not module_is_package(module):
            package = package[:-1]
        package = package[:len(package) - node.level + 1]
        base = ".".join(package + ([base] if base else []))
    return base


def resolve(module, node):
    """The absolute module names an import node names (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = from_base(module, node)
    submodules = [f"{base}.{a.name}" for a in node.names
                  if module_path(f"{base}.{a.name}") is not None]
    # `from pkg import submodule` imports the submodule; `from pkg import name`, pkg itself
    return submodules + ([base] if len(submodules) < len(node.names) else [])


def module_is_package(module):
    path = module_path(module)
    return path is not None and path.name == "__init__.py"


def module_path(module):
    if module != "tensorweave" and not module.startswith("tensorweave."):
        return None
    relative = pathlib.Path(*module.split(".")[1:])
    for path in (PACKAGE / relative / "__init__.py", (PACKAGE / relative).with_suffix(".py")):
        if path.is_file():
            return path
    return None


def package_modules():
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        if name.endswith(".__init__"):
            name = name[:-len(".__init__")] if name != FACE else FACE
        modules[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return modules


MODULES = package_modules()


def imports_of(module):
    """[(imported module, line)] for every import in `module`, inside functions too."""
    found = []
    for node in ast.walk(MODULES[module]):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name in resolve(module, node):
                found.append((name, node.lineno))
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and MODULE_STRING.match(node.value) and module_path(node.value.split(":")[0])):
            found.append((node.value.split(":")[0], node.lineno))  # imported by name later
    return found


MODULE_STRING = re.compile(r"^tensorweave(\.\w+)+(:\w+)?$")


def internal_edges():
    edges = {}
    for module in MODULES:
        targets = set()
        for name, _ in imports_of(module):
            name = FACE if name == "tensorweave" else name
            while name not in MODULES and "." in name:  # `from a.b import c` names a.b
                name = name.rsplit(".", 1)[0]
            if name in MODULES and name != module:
                targets.add(name)
        edges[module] = targets
    return edges


EDGES = internal_edges()


# --- floors --------------------------------------------------------------------------------
def upward_edges():
    found = set()
    for module, targets in EDGES.items():
        for target in targets:
            if floor_of(target) > floor_of(module) and not (
                    target == FACE and floor_of(module) >= 6):
                found.add(f"{module} -> {target}")
    return found


# For good: tf.compat.v1 *is* the namespace face (TF 1.x's API), looked up on first use.
# and tf.keras.estimator (model_to_estimator) is a namespace entry of tf.keras loaded on first
# use, as TF's is: it builds Estimators (floor 5) from Keras models (floor 4). So are
# tf.contrib.layers' feature columns (real_valued_column, ...): tf.feature_column's (floor 5).
# So is tf.contrib.factorization.KMeansClustering, a tf.estimator.Estimator (floor 5).
ALLOWED_UPWARD = {"tensorweave.compat -> tensorweave.__init__",
                  "tensorweave.keras -> tensorweave.estimator.keras",
                  "tensorweave.contrib.layers -> tensorweave.contrib.layers.feature_column",
                  "tensorweave.contrib.factorization -> tensorweave.contrib.factorization.kmeans"}
ALLOWED_CYCLES = {"tensorweave.__init__ tensorweave.compat"}
KNOWN_UPWARD = set()  # upward imports still to remove: none


def strongly_connected_components():
    """Tarjan's algorithm over EDGES; components of more than one module."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(EDGES[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(frozenset(component))

    import sys
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10000))
    try:
        for v in sorted(EDGES):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return components


# --- machinery, op-type strings, private names -------------------------------------------
def machinery_uses():
    found = set()
    for module in MODULES:
        if not module.startswith(MACHINERY_FREE):
            continue
        for name, _ in imports_of(module):
            if MACHINERY.match(name):
                found.add(f"{module} imports {name}")
        for node in ast.walk(MODULES[module]):
            if (isinstance(node, ast.Attribute) and node.attr == "environ"
                    and isinstance(node.value, ast.Name) and node.value.id == "os"):
                found.add(f"{module} reads os.environ")
            if isinstance(node, ast.Attribute) and node.attr in ("lru_cache", "cache") and \
                    isinstance(node.value, ast.Name) and node.value.id == "functools":
                found.add(f"{module} uses functools.{node.attr}")
    return found


KNOWN_MACHINERY = set()  # speed machinery still below runtime/: none (it is in runtime/accel/)
# For good: TF's thread-local default stacks and its Graph's lock for building from threads.
ALLOWED_MACHINERY = {"tensorweave.core.context imports threading",
                     "tensorweave.core.graph imports threading"}


def op_type_comparisons():
    """`<x>.type == "Name"`, `<x>.type in (...)` with string literals, outside ops/."""
    found = set()
    for module, tree in MODULES.items():
        if module.startswith("tensorweave.ops"):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            if not any(isinstance(s, ast.Attribute) and s.attr == "type" for s in sides):
                continue
            strings = [s.value for s in sides if isinstance(s, ast.Constant)
                       and isinstance(s.value, str)]
            for s in sides:
                if isinstance(s, (ast.Tuple, ast.List, ast.Set)):
                    strings += [e.value for e in s.elts if isinstance(e, ast.Constant)
                                and isinstance(e.value, str)]
            for string in strings:
                found.add(f"{module}: .type vs {string!r}")
    return found


def op_type_tables():
    """`TABLE[<x>.type]` and `TABLE.get(<x>.type, ...)` outside ops/ and the registry: a table
    keyed by op-type names that steers behaviour belongs in the registry as a facet."""
    def is_type(node):
        return isinstance(node, ast.Attribute) and node.attr == "type"

    found = set()
    for module, tree in MODULES.items():
        if module.startswith(("tensorweave.ops", "tensorweave.core.registry")):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and is_type(node.slice):
                found.add(f"{module}: {ast.unparse(node)}")
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "get" and node.args and is_type(node.args[0])):
                found.add(f"{module}: {ast.unparse(node)}")
    return found


# For good: the variant registry is keyed by op type as the op registry is (runtime/accel owns
# it), and TensorFlow's op signatures are data about TF's ops keyed by their names.
ALLOWED_OP_TYPE_TABLES = {
    "tensorweave.runtime.accel.variants: _choosers.get(op.type, ())",
    "tensorweave.core.graph_def: tf_op_signatures.SIGNATURES.get(op.type)",
}


def private_accesses():
    """`module._name` where `module` is an imported tensorweave module, and
    `from tensorweave.x import _name`, across modules."""
    found = set()
    for module, tree in MODULES.items():
        imported = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("tensorweave"):
                        imported[alias.asname or alias.name.split(".")[0]] = alias.name
            elif isinstance(node, ast.ImportFrom):
                source = from_base(module, node)
                if not source.startswith("tensorweave"):
                    continue
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    if module_path(full) is not None:
                        imported[alias.asname or alias.name] = full
                    elif alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.add(f"{module}: from {source} import {alias.name}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                    and node.value.id in imported and imported[node.value.id] != module):
                found.add(f"{module}: {imported[node.value.id]}.{node.attr}")
    return found


KNOWN_CYCLE_SETS = set()  # import cycles still to break: none
KNOWN_OP_TYPE_STRINGS = set()  # op-type strings compared outside ops/: none (registry facets)
KNOWN_PRIVATE = set()  # private names reached across modules: none


# --- the tests -----------------------------------------------------------------------------
def check_against_known(found, known, what):
    new = sorted(found - known)
    gone = sorted(known - found)
    assert not new, f"new {what} (fix them; the house keeps its shape):\n" + "\n".join(new)
    assert not gone, (f"{what} fixed: remove them from the known list in "
                      "tests/test_architecture.py:\n" + "\n".join(gone))


def test_every_module_has_a_floor():
    for module in MODULES:
        assert 1 <= floor_of(module) <= 7, module


def test_no_upward_imports_beyond_the_known():
    check_against_known(upward_edges() - ALLOWED_UPWARD, KNOWN_UPWARD, "upward imports")


def test_no_import_cycles_beyond_the_known():
    components = strongly_connected_components()
    found = {" ".join(sorted(c)) for c in components} - ALLOWED_CYCLES
    check_against_known(found, KNOWN_CYCLE_SETS, "import cycles")


def test_no_machinery_below_the_runtime():
    check_against_known(machinery_uses() - ALLOWED_MACHINERY, KNOWN_MACHINERY,
                        "machinery uses below runtime/")


def test_no_op_type_strings_outside_ops():
    check_against_known(op_type_comparisons(), KNOWN_OP_TYPE_STRINGS,
                        "op-type string comparisons outside ops/")


def test_no_tables_keyed_by_op_type_outside_ops():
    check_against_known(op_type_tables() - ALLOWED_OP_TYPE_TABLES, set(),
                        "tables keyed by op type outside ops/ (make them registry facets)")


def test_no_private_names_across_modules():
    check_against_known(private_accesses(), KNOWN_PRIVATE, "private names reached across modules")


@pytest.mark.parametrize("rule", [upward_edges, machinery_uses, op_type_comparisons,
                                  op_type_tables, private_accesses])
def test_the_checks_find_what_they_look_for(rule, monkeypatch, tmp_path):
    """Each rule catches a planted violation (so an empty list means something)."""
    planted = {
        upward_edges: ("tensorweave.core.planted", "from tensorweave.runtime import session\n"),
        machinery_uses: ("tensorweave.ops.planted", "import ctypes\nimport os\nos.environ\n"),
        op_type_comparisons: ("tensorweave.runtime.planted",
                              "def f(op):\n    return op.type == 'Switch'\n"),
        op_type_tables: ("tensorweave.data.planted",
                         "RULES = {}\ndef f(op):\n    return RULES.get(op.type)\n"),
        private_accesses: ("tensorweave.runtime.planted",
                           "from tensorweave.runtime import session\nsession._hidden\n"),
    }[rule]
    name, source = planted
    monkeypatch.setitem(MODULES, name, ast.parse(source))
    monkeypatch.setitem(EDGES, name, {t for t in [n for n, _ in imports_of(name)]
                                      if t in MODULES})
    assert any(name in v for v in rule()), rule.__name__


def test_no_module_is_named_like_a_tf_function():
    """A submodule named like a top-level tf. function (`tensorweave/function.py` beside
    `tf.function`) would replace that function on the package once anything imports it."""
    names = {line.strip().split(".")[1] for line in
             (PACKAGE.parent / "tools" / "tf1_api.txt").read_text().splitlines()
             if line.strip().count(".") == 1}
    modules = {path.stem for path in PACKAGE.glob("*.py")} | {
        path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    tf_modules = {line.strip().split(".")[1] for line in
                  (PACKAGE.parent / "tools" / "tf1_api.txt").read_text().splitlines()
                  if line.strip().count(".") >= 2}  # tf.nn, tf.train, ...: namespaces
    # gradients and variable_scope are imported while the face loads, which then rebinds the
    # names to TF's functions for good
    clashes = sorted(names & modules - tf_modules - {"gradients", "variable_scope"})
    assert not clashes, f"modules named like tf. functions: {clashes}"
