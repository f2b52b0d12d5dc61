"""tf.Module: a named container of variables and sub-modules.

    class Dense(tf.Module):
        def __init__(self, units, name=None):
            super().__init__(name=name)
            with self.name_scope:
                self.w = tf.Variable(tf.ones([2, units]), name="w")

        @tf.Module.with_name_scope
        def __call__(self, x):
            return tf.matmul(x, self.w)
"""
import functools
import re

from tensorweave.core.graph import get_default_graph
from tensorweave.variables import Variable

__all__ = ["Module"]


def _snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


class _ScopeReentry:
    """A context manager entering a module's name scope again (TF's Module.name_scope)."""

    def __init__(self, scope):
        self.name = scope
        self._entered = []

    def __enter__(self):
        manager = get_default_graph().name_scope(self.name)
        self._entered.append(manager)
        return manager.__enter__()

    def __exit__(self, *exc):
        return self._entered.pop().__exit__(*exc)


class Module:
    """Tracks the variables and modules held in its attributes (lists, tuples and dicts
    included); `name_scope` re-enters the scope the module was created in."""

    def __init__(self, name=None):
        if name is None:
            name = _snake_case(type(self).__name__)
        elif not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", name):
            raise ValueError(f"{name!r} is not a valid module name. Module names must be "
                             f"valid Python identifiers (e.g. a valid class name).")
        self._name = name
        with get_default_graph().name_scope(name) as scope:
            self._scope = _ScopeReentry(scope)

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        return self._scope

    @property
    def variables(self):
        """Every Variable this module and its sub-modules hold (each once)."""
        return tuple(self._walk(lambda x: isinstance(x, Variable)))

    @property
    def trainable_variables(self):
        return tuple(v for v in self.variables if v.trainable)

    @property
    def submodules(self):
        """The modules held by this module, their sub-modules, ... (each once)."""
        return tuple(self._walk(lambda x: isinstance(x, Module)))

    def _walk(self, wanted):
        found, seen = [], {id(self)}

        def visit(value):
            if isinstance(value, Module):
                if id(value) in seen:
                    return
                seen.add(id(value))
                if wanted(value):
                    found.append(value)
                for key in sorted(vars(value)):
                    visit(vars(value)[key])
            elif isinstance(value, dict):
                for key in sorted(value, key=str):
                    visit(value[key])
            elif isinstance(value, (list, tuple)):
                for item in value:
                    visit(item)
            elif wanted(value) and not any(value is f for f in found):
                found.append(value)

        for key in sorted(vars(self)):
            visit(vars(self)[key])
        return found

    @classmethod
    def with_name_scope(cls, method):
        """Decorates a method so its ops are created in the module's name scope."""
        @functools.wraps(method)
        def in_scope(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return in_scope
