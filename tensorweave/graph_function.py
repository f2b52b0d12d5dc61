"""tf.function in graph mode, and tf.TensorSpec.

In TF 1.x graph mode, calling a `tf.function` adds the function's computation to the graph
being built. tensorweave traces the Python function inline at each call, under a name scope,
so the results are the same tensors TF's call op would produce. There is no AutoGraph: Python
`if`/`while` on tensor values raise TypeError as in plain TF 1.x graph code (use tf.cond and
tf.while_loop), and a function may create variables on its first call only, as in TF.
"""
import functools

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import get_default_graph, name_scope
from tensorweave.core.operation import TensorLike
from tensorweave.core.tensor_shape import as_shape
from tensorweave.util import nest

__all__ = ["function", "TensorSpec", "TypeSpec", "type_spec_from_value"]


class TypeSpec:
    """Describes a kind of value a function takes (TensorSpec is the one tensorweave has)."""

    def is_compatible_with(self, spec_or_value):
        raise NotImplementedError


class TensorSpec(TypeSpec):
    """The shape, dtype and optional name of a tensor: `TensorSpec([None, 3], tf.float32)`."""

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self.shape = as_shape(shape)
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name=None):
        return cls(tensor.shape, tensor.dtype, name or tensor.op.name)

    def is_compatible_with(self, spec_or_value):
        if not isinstance(spec_or_value, (TensorSpec, TensorLike)):
            spec_or_value = convert_to_tensor(spec_or_value)
        return (self.dtype == spec_or_value.dtype
                and self.shape.is_compatible_with(spec_or_value.shape))

    def _key(self):
        dims = None if self.shape.ndims is None else tuple(self.shape.as_list())
        return (self.dtype, dims, self.name)

    def __eq__(self, other):
        return isinstance(other, TensorSpec) and self._key() == other._key()

    def __hash__(self):
        return hash((self.dtype, self.name))

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype!r}, name={self.name!r})"


def type_spec_from_value(value):
    """The TensorSpec of a tensor, or of what convert_to_tensor makes of `value`."""
    if not isinstance(value, TensorLike):
        try:
            value = convert_to_tensor(value)
        except (TypeError, ValueError) as e:
            raise TypeError(f"Could not build a TypeSpec for {value!r} of type "
                            f"{type(value).__name__}") from e
    return TensorSpec(value.shape, value.dtype)


class _GraphFunction:
    def __init__(self, python_function, input_signature):
        self.python_function = python_function
        self.input_signature = None if input_signature is None else list(input_signature)
        self._variable_calls = 0
        functools.update_wrapper(self, python_function)

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return functools.partial(self.call, (instance,))

    def __call__(self, *args, **kwargs):
        return self.call((), *args, **kwargs)

    def call(self, bound, *args, **kwargs):
        """Adds the function's computation for `args` to the default graph."""
        if self.input_signature is not None:
            self._check_signature(args)
        graph = get_default_graph()
        before = len(graph.get_collection("variables"))
        with name_scope(None, self.python_function.__name__):
            result = self.python_function(*bound, *args, **kwargs)
        if len(graph.get_collection("variables")) > before:
            self._variable_calls += 1
            if self._variable_calls > 1:
                raise ValueError("tf.function-decorated function tried to create variables on "
                                 "non-first call.")
        return result

    def _check_signature(self, args):
        flat = nest.flatten(list(args))
        specs = nest.flatten(self.input_signature)
        if len(flat) != len(specs):
            raise ValueError(f"Python inputs incompatible with input_signature: inputs "
                             f"({args}), input_signature ({self.input_signature})")
        for value, spec in zip(flat, specs):
            if not spec.is_compatible_with(value):
                raise ValueError(f"Python inputs incompatible with input_signature: inputs "
                                 f"({args}), input_signature ({self.input_signature})")

    def get_concrete_function(self, *args, **kwargs):
        raise NotImplementedError("concrete functions are TF 2 machinery; call the function "
                                  "to add its computation to the graph")


def function(func=None, input_signature=None, autograph=True, experimental_implements=None,
             experimental_autograph_options=None, experimental_relax_shapes=False,
             experimental_compile=None):
    """Makes `func` a graph function: each call adds its computation to the default graph."""
    if func is None:
        return lambda f: _GraphFunction(f, input_signature)
    return _GraphFunction(func, input_signature)
