"""Namespace modules whose names load on first use, so `import tensorweave` stays fast.

    # in tensorweave/train/__init__.py
    __getattr__ = lazy.attributes(__name__, {
        **lazy.names_from("tensorweave.train.saver", "Saver", "import_meta_graph"),
        "summary_iterator": "tensorweave.summary.summary_iterator:summary_iterator",
        "checkpoint_management": "tensorweave.train.checkpoint_management",  # the module
    })

A target "package.module" is that module; "package.module:name" is a name in it.
"""
import importlib
import sys


def names_from(module, *names):
    """Table entries for `names`, each the attribute of that name in `module`."""
    return {name: f"{module}:{name}" for name in names}


def load(target):
    """The module "package.module", or the attribute "package.module:name"."""
    path, _, attribute = target.partition(":")
    module = importlib.import_module(path)
    return getattr(module, attribute) if attribute else module


def attributes(module_name, table):
    """A module-level `__getattr__` for `module_name` that loads `table[name]` on first use
    and keeps it in the module, so the next access costs nothing."""
    def __getattr__(name):
        try:
            target = table[name]
        except KeyError:
            raise AttributeError(
                f"module {module_name!r} has no attribute {name!r}") from None
        value = load(target)
        setattr(sys.modules[module_name], name, value)
        return value
    __getattr__.table = table  # for tests that every entry loads
    return __getattr__
