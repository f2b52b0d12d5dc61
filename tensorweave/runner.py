"""Runs TF1 programs unmodified: their `tensorflow` imports resolve to tensorweave's modules.

    python -m tensorweave train.py --steps 100      # as `python train.py --steps 100`
    python -m tensorweave -m trainer.task --epochs 2  # as `python -m trainer.task --epochs 2`

`import tensorflow as tf`, `import tensorflow.compat.v1 as tf`, `from tensorflow.contrib import
rnn`, `from tensorflow.examples.tutorials.mnist import input_data` and imports of TF's internal
modules (`tensorflow.python.framework.ops`) find the tensorweave module of the same path. The
alias is opt-in: it exists only while `install_tensorflow_alias()` is in force (the runner's
whole run), so a real `tensorflow` installed beside tensorweave is never shadowed otherwise.
"""
import argparse
import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys
import types

ALIAS_ROOT = "tensorflow"
# Other packages a TF1 program imports that tensorweave provides: `horovod.X` is
# `tensorweave.horovod.X` (`import horovod.tensorflow as hvd`; docs/distributed.md).
OTHER_ROOTS = {"horovod": "tensorweave.horovod",
               "keras": "tensorweave.keras"}  # standalone Keras 2.2 on its TF backend

# TensorFlow module paths whose tensorweave module is not found by the general rule
# (`tensorflow.X` -> `tensorweave.X`, `tensorflow.compat.v1.X` and `tensorflow.python.X` too).
SPECIAL_MODULES = {
    "tensorflow.compat.v1": "tensorweave",
    "tensorflow.python": "tensorweave",
    # TF's ops modules whose composites live in tensorweave.nn
    "tensorflow.python.ops.rnn": "tensorweave.nn.rnn",
    "tensorflow.python.ops.rnn_cell": "tensorweave.nn.rnn_cell",
    "tensorflow.python.ops.rnn_cell_impl": "tensorweave.nn.rnn_cell",
    "tensorflow.python.ops.functional_ops": "tensorweave.nn.functional",
    "tensorflow.python.ops.resources": "tensorweave.resources",  # tensor_forest programs
    # TF's ops/lookup_ops.py: the table classes and index_table_from_* (tensorweave.ops.lookup_ops
    # holds only the table ops' kernels)
    "tensorflow.python.ops.lookup_ops": "tensorweave.lookup_ops",
    # TF's framework/ops.py (graph, collections, scopes, RegisterGradient)
    "tensorflow.python.framework.ops": "tensorweave.framework_ops",
    # TF's framework/graph_util.py (convert_variables_to_constants, extract_sub_graph, ...)
    "tensorflow.python.framework.graph_util": "tensorweave.graph_util",
    # TF's feature_column package: it and its v1 and v2 modules are the one tf.feature_column
    # module (programs import _LazyBuilder from there to look at a column's transformed feature;
    # the package, set on tensorweave as `feature_column` by that import, must read as it)
    "tensorflow.python.feature_column": "tensorweave.estimator.feature_column",
    "tensorflow.python.feature_column.feature_column": "tensorweave.estimator.feature_column",
    "tensorflow.python.feature_column.feature_column_v2": "tensorweave.estimator.feature_column",
    "tensorflow.python.feature_column.feature_column_lib": "tensorweave.estimator.feature_column",
}
PREFIX_RULES = (
    ("tensorflow.compat.v1.", "tensorweave."),
    ("tensorflow.python.", "tensorweave."),
    ("tensorflow.", "tensorweave."),
)
# TF's internal packages that tensorweave keeps under another name.
PACKAGE_RENAMES = {"tensorweave.training": "tensorweave.train"}


def tensorweave_module_name(tensorflow_name):
    """The tensorweave module that stands for TensorFlow module `tensorflow_name`."""
    if tensorflow_name == ALIAS_ROOT:
        return "tensorweave"
    for root, target in OTHER_ROOTS.items():
        if tensorflow_name == root or tensorflow_name.startswith(root + "."):
            return target + tensorflow_name[len(root):]
    if tensorflow_name in SPECIAL_MODULES:
        return SPECIAL_MODULES[tensorflow_name]
    for prefix, replacement in PREFIX_RULES:
        if tensorflow_name.startswith(prefix):
            name = replacement + tensorflow_name[len(prefix):]
            for package, renamed in PACKAGE_RENAMES.items():
                if name == package or name.startswith(package + "."):
                    return renamed + name[len(package):]
            return name
    raise ValueError(f"{tensorflow_name!r} is not a TensorFlow module name")


class _ExistingModuleLoader(importlib.abc.Loader):
    """Hands an already imported module over under another name, keeping its own spec."""

    def __init__(self, module):
        self.module = module
        self.own_spec = module.__spec__

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        module.__spec__ = self.own_spec  # importlib stamped the alias spec on it


# `from tensorflow.python.ops import rnn` looks `rnn` up under the parent module's own name, so
# an aliased package with a child in SPECIAL_MODULES is handed over as a stand-in that imports
# such a child by its TensorFlow name and reads every other name from the tensorweave package.
SPECIAL_PARENTS = {name.rpartition(".")[0] for name in SPECIAL_MODULES
                   if name.startswith("tensorflow.python.")} - {"tensorflow.python"}


class _AliasPackage(types.ModuleType):
    """`tensorflow.X` standing for tensorweave package `package`, some of whose TF children
    are tensorweave modules of another path."""

    def __init__(self, name, package):
        super().__init__(name, package.__doc__)
        self.__path__ = list(getattr(package, "__path__", []))
        self.package = package

    def __getattr__(self, attr):
        if f"{self.__name__}.{attr}" in SPECIAL_MODULES:
            return importlib.import_module(f"{self.__name__}.{attr}")
        return getattr(self.package, attr)


class _AliasPackageLoader(importlib.abc.Loader):
    """Makes the `_AliasPackage` for `module` under the TensorFlow name being imported."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return _AliasPackage(spec.name, self.module)

    def exec_module(self, module):
        pass


class TensorflowAliasFinder(importlib.abc.MetaPathFinder):
    """Finds `tensorflow` and `tensorflow.*` as the tensorweave modules of the same path."""

    def find_spec(self, fullname, path=None, target=None):
        if not _is_aliased(fullname):
            return None
        target_name = tensorweave_module_name(fullname)
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as e:
            if e.name is None or not (target_name == e.name
                                      or target_name.startswith(e.name + ".")):
                raise  # a module the tensorweave module itself needs is missing
            raise ModuleNotFoundError(
                f"No module named '{fullname}': tensorweave does not implement {fullname} "
                f"(looked for {target_name})", name=fullname) from None
        if fullname in SPECIAL_PARENTS:
            return importlib.util.spec_from_loader(fullname, _AliasPackageLoader(module),
                                                   is_package=True)
        return importlib.util.spec_from_loader(fullname, _ExistingModuleLoader(module))


def _is_aliased(fullname):
    return any(fullname == root or fullname.startswith(root + ".")
               for root in (ALIAS_ROOT, *OTHER_ROOTS))


_FINDER = TensorflowAliasFinder()


def install_tensorflow_alias():
    """Makes `import tensorflow...` import tensorweave until `remove_tensorflow_alias()`."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def remove_tensorflow_alias():
    """Undoes `install_tensorflow_alias()`, forgetting the aliased module names."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    for name in [n for n in sys.modules if _is_aliased(n)]:
        del sys.modules[name]


def run_program(path, args):
    """Runs the script at `path` as `__main__` with `sys.argv = [path, *args]`, as Python would."""
    if not os.path.exists(path):
        raise SystemExit(f"tensorweave: can't open file {path!r}: no such file")
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    runpy.run_path(path, run_name="__main__")


def run_module(module_name, args):
    """Runs module `module_name` as `__main__`, as `python -m module_name args` would."""
    sys.argv = [module_name, *args]  # runpy puts the module's file in argv[0]
    sys.path.insert(0, os.getcwd())
    runpy.run_module(module_name, run_name="__main__", alter_sys=True)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m tensorweave",
        description="Run a TensorFlow 1.x program on tensorweave, unmodified.")
    parser.add_argument("-m", dest="module", metavar="MODULE",
                        help="run a module as a script, as `python -m MODULE`")
    parser.add_argument("program", nargs="?", help="the program's file")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the program's own arguments")
    if argv and argv[0] == "-m" and len(argv) >= 2:  # everything after the module is its own
        options, rest = parser.parse_args(argv[:2]), argv[2:]
    else:
        options = parser.parse_args(argv[:1])
        rest = argv[1:]
    if options.module is None and options.program is None:
        parser.error("give a program file or -m MODULE")
    install_tensorflow_alias()
    if options.module is not None:
        run_module(options.module, rest)
    else:
        run_program(options.program, rest)


if __name__ == "__main__":
    main()
