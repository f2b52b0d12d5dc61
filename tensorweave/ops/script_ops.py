"""Python functions as graph ops: py_func, numpy_function, py_function.

The op (PyFunc, PyFuncStateless, EagerPyFunc) carries a `token` attr naming the function in
its graph's table of functions (`graph.extension(FunctionTable, ...)`), as TensorFlow's
FuncRegistry does; its kernel calls the function with the input values in the Session's step:

    def clip(a):
        return np.clip(a, 0, 1).astype(np.float32)
    y = tf.py_func(clip, [x], tf.float32)

Errors raised by the function surface as TensorFlow maps them (ValueError, TypeError:
InvalidArgumentError; StopIteration: OutOfRangeError; NotImplementedError:
UnimplementedError; MemoryError: ResourceExhaustedError; others: UnknownError). PyFunc has no
gradient (None); one can be given through `gradient_override_map`.
"""

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, get_default_graph
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import unknown_shape

__all__ = ["py_func", "numpy_function", "py_function"]


class FunctionTable:
    """The Python functions of one graph's script ops, by token ("pyfunc_0", ...)."""

    def __init__(self):
        self.functions = {}

    def add(self, func):
        token = f"pyfunc_{len(self.functions)}"
        self.functions[token] = func
        return token

    def get(self, token):
        try:
            return self.functions[token]
        except KeyError:
            raise errors.InvalidArgumentError(
                None, None, f"Could not find callback with key={token} in the registry (a "
                "graph imported from a GraphDef does not carry the Python functions of its "
                "py_func ops).") from None


def functions_of(graph):
    """The FunctionTable of `graph`."""
    return graph.extension(FunctionTable, FunctionTable)


class EagerValue(np.ndarray):
    """An input of a py_function: a NumPy array that also answers `.numpy()` (as the eager
    tensors TensorFlow passes do)."""

    def numpy(self):
        return np.asarray(self)


# --- the ops ---------------------------------------------------------------------------------
def _script_shape(*inputs, token, Tout, **_):  # noqa: N803 -- TF's attr name
    return [(dtypes.as_dtype(t), unknown_shape()) for t in Tout]


def _error_from(e):
    import traceback  # here: loading it costs every `import tensorweave`
    text = f"{type(e).__name__}: {e}\n" + "".join(traceback.format_exception(e))
    if isinstance(e, errors.OpError):
        return type(e)(None, None, e.message)
    if isinstance(e, (ValueError, TypeError)):
        return errors.InvalidArgumentError(None, None, text)
    if isinstance(e, StopIteration):
        return errors.OutOfRangeError(None, None, text)
    if isinstance(e, MemoryError):
        return errors.ResourceExhaustedError(None, None, text)
    if isinstance(e, NotImplementedError):
        return errors.UnimplementedError(None, None, text)
    return errors.UnknownError(None, None, text)


def _as_output(value, dtype, index, token):
    """The function's `index`-th result as an array of `dtype` (TF's conversion rules: bytes
    and str for strings; a value of another dtype is an error)."""
    if isinstance(value, EagerValue):
        value = np.asarray(value)
    if dtype is dtypes.string:
        array = np.asarray(value, dtype=object)
        return np.vectorize(lambda v: v.encode() if isinstance(v, str) else v,
                            otypes=[object])(array) if array.size else array
    array = np.asarray(value)
    if array.dtype == object or array.dtype.kind in "US":
        raise errors.UnimplementedError(
            None, None, f"Unsupported object type {type(value).__name__}")
    if array.dtype != dtype.as_numpy_dtype:
        raise errors.InvalidArgumentError(
            None, None, f"{index}-th value returned by {token} is {_tf_type_name(array.dtype)}, "
            f"but expects {_tf_type_name(np.dtype(dtype.as_numpy_dtype))}")
    return np.array(array, copy=True)


def _tf_type_name(np_dtype):
    return {"float64": "double", "float32": "float", "float16": "half", "bool": "bool"}.get(
        np_dtype.name, np_dtype.name)


def _script_bind(op_type, eager):
    def bind(op, make_plan, is_used):
        func = functions_of(op.graph).get(op.attrs["token"])
        out_dtypes = [dtypes.as_dtype(t) for t in op.attrs["Tout"]]
        token = op.attrs["token"]

        def kernel(*args, **_):
            if eager:
                args = [np.array(a).view(EagerValue) for a in args]
            try:
                result = func(*args)
            except Exception as e:  # noqa: BLE001 -- the user's error becomes the op's
                raise _error_from(e) from e
            if not out_dtypes:
                return ()
            if isinstance(result, (list, tuple)):
                results = list(result)
            else:
                results = [result]
            if len(results) != len(out_dtypes):
                raise errors.InvalidArgumentError(
                    None, None, f"{token} returns {len(results)} values, but expects to see "
                    f"{len(out_dtypes)} values.")
            values = tuple(_as_output(v, t, i, token)
                           for i, (v, t) in enumerate(zip(results, out_dtypes)))
            return values if len(values) != 1 else values[0]
        return kernel
    return bind


def _eager_grad(op, *dys):
    raise LookupError(
        f"tensorweave cannot differentiate the py_function op '{op.name}' (TensorFlow records "
        "it on an eager gradient tape). Give it a gradient with tf.custom_gradient or "
        "gradient_override_map.")


register_op("PyFunc", shape=_script_shape, kernel=None, bind=_script_bind("PyFunc", False),
            grad=NOT_DIFFERENTIABLE, stateful=True)
register_op("PyFuncStateless", shape=_script_shape, kernel=None,
            bind=_script_bind("PyFuncStateless", False), grad=NOT_DIFFERENTIABLE,
            foldable=False)
register_op("EagerPyFunc", shape=_script_shape, kernel=None,
            bind=_script_bind("EagerPyFunc", True), grad=_eager_grad, stateful=True)


# --- the builders ----------------------------------------------------------------------------
def _build(op_type, func, inp, Tout, name, **attrs):  # noqa: N803 -- TF's argument name
    if not callable(func):
        raise TypeError(f"func must be callable, got {func!r}")
    single = not isinstance(Tout, (list, tuple))
    out_types = [dtypes.as_dtype(Tout)] if single else [dtypes.as_dtype(t) for t in Tout]
    inputs = [convert_to_tensor(x) for x in (inp or [])]
    graph = inputs[0].graph if inputs else get_default_graph()
    token = functions_of(graph).add(func)
    with graph.as_default():
        op = create_op(op_type, inputs, name=name or op_type, token=token,
                       Tin=[t.dtype for t in inputs], Tout=out_types, **attrs)
    if not out_types:
        return op
    return op.outputs[0] if single else list(op.outputs)


def py_func(func, inp, Tout, stateful=True, name=None):  # noqa: N803 -- TF's argument name
    """Tensors computed by `func(*numpy_inputs)` when the op runs; `Tout` a dtype (one output
    tensor) or a list of dtypes (a list of tensors; [] returns the op). Outputs have unknown
    shapes; `func` returns NumPy values of exactly those dtypes.

    >>> tf.py_func(lambda a: np.sinh(a), [x], tf.float32)
    """
    return _build("PyFunc" if stateful else "PyFuncStateless", func, inp, Tout, name)


def numpy_function(func, inp, Tout, name=None):  # noqa: N803 -- TF's argument name
    """py_func with stateful=True (TF's tf.numpy_function)."""
    return py_func(func, inp, Tout, stateful=True, name=name)


def py_function(func, inp, Tout, name=None):  # noqa: N803 -- TF's argument name
    """As py_func; `func` receives arrays that also have `.numpy()`, as TF's eager tensors do.
    (Its gradient, which TensorFlow takes on an eager tape, is not available.)"""
    return _build("EagerPyFunc", func, inp, Tout, name, is_async=False)
