"""make_template: a function whose variables are created on the first call and shared after.

    def scale(x):
        w = tf.get_variable("w", [], initializer=tf.constant_initializer(2.0))
        return x * w
    scale_t = tf.make_template("scale", scale)
    a = scale_t(x1)      # creates scale/w, ops under scale/
    b = scale_t(x2)      # reuses scale/w, ops under scale_1/
"""
import functools
import traceback

from tensorweave.variable_scope import variable_scope
from tensorweave.core import graph as graph_lib
from tensorweave.core.graph import GraphKeys

__all__ = ["make_template"]


def make_template(name_, func_, create_scope_now_=False, unique_name_=None,
                  custom_getter_=None, **kwargs):
    """`func_` (with `kwargs` bound) as a Template: its tf.get_variable calls create variables
    under a scope named after `name_` (made unique) on the first call and reuse them on every
    later call. `create_scope_now_` fixes the scope when the template is made rather than at
    the first call; `unique_name_` gives the scope name exactly."""
    if kwargs:
        func_ = functools.partial(func_, **kwargs)
    return Template(name_, func_, create_scope_now=create_scope_now_, unique_name=unique_name_,
                    custom_getter=custom_getter_)


class Template:
    """A function wrapped so that its variables are shared between calls (see make_template)."""

    def __init__(self, name, func, create_scope_now=False, unique_name=None,
                 custom_getter=None, create_graph_function=False):
        if name is None:
            raise ValueError("name cannot be None.")
        self._func = func
        self._name = name
        self._unique_name = unique_name
        self._custom_getter = custom_getter
        self._stacktrace = traceback.format_stack()[:-2]
        self._variable_scope = None
        self._variables_created = False
        if create_scope_now:
            with variable_scope(unique_name, name, custom_getter=custom_getter,
                                   auxiliary_name_scope=False) as scope:
                self._variable_scope = scope

    def _call_func(self, args, kwargs):
        graph = graph_lib.get_default_graph()
        trainable_at_start = len(graph.get_collection(GraphKeys.TRAINABLE_VARIABLES))
        try:
            result = self._func(*args, **kwargs)
        except Exception as e:
            e.args = (f"{e.args[0] if e.args else ''}\n\noriginally defined at:\n"
                      f"{''.join(self._stacktrace)}",) + tuple(e.args[1:])
            raise
        if self._variables_created:
            trainable = graph.get_collection(GraphKeys.TRAINABLE_VARIABLES)
            if len(trainable) != trainable_at_start:
                raise ValueError(
                    "Trainable variable created when calling a template after the first "
                    "time, perhaps you used tf.Variable when you meant tf.get_variable: "
                    f"{trainable[trainable_at_start:]}\n\noriginally defined at:\n"
                    f"{''.join(self._stacktrace)}")
        self._variables_created = True
        return result

    def __call__(self, *args, **kwargs):
        if self._variable_scope is not None:
            with variable_scope(self._variable_scope, reuse=self._variables_created or None):
                return self._call_func(args, kwargs)
        with variable_scope(self._unique_name, self._name,
                               custom_getter=self._custom_getter) as scope:
            self._variable_scope = scope
            return self._call_func(args, kwargs)

    @property
    def name(self):
        return self._name

    @property
    def func(self):
        return self._func

    @property
    def variable_scope(self):
        return self._variable_scope

    @property
    def variable_scope_name(self):
        """The scope's name with a trailing '/', or None before the scope exists."""
        if self._variable_scope is None:
            return None
        name = self._variable_scope.name
        return name + "/" if name else name

    def _collection(self, key):
        if self._variable_scope is None:
            return []
        return graph_lib.get_collection(key, scope=self.variable_scope_name)

    @property
    def variables(self):
        return self.global_variables + self.local_variables

    @property
    def trainable_variables(self):
        return self._collection(GraphKeys.TRAINABLE_VARIABLES) if self._variables_created \
            else []

    @property
    def non_trainable_variables(self):
        trainable = set(self.trainable_variables)
        return [v for v in self.global_variables if v not in trainable]

    @property
    def global_variables(self):
        return self._collection(GraphKeys.GLOBAL_VARIABLES) if self._variables_created else []

    @property
    def local_variables(self):
        return self._collection(GraphKeys.LOCAL_VARIABLES) if self._variables_created else []

    weights = variables
    trainable_weights = trainable_variables
    non_trainable_weights = non_trainable_variables
