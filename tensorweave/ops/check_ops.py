"""Checks that run in the step: Assert and the assert_* family, CheckNumerics, Print and
tf.print (PrintV2).

Every assert_* checks at build time when the values (or shapes, dtypes) are known then, and
raises as TensorFlow does; otherwise it returns an op that checks when a Session runs it:

    with tf.control_dependencies([tf.assert_positive(x)]):
        y = tf.log(x)
"""
import collections.abc
import sys

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import (control_dependencies, create_op, get_default_graph,
                                    name_scope)
from tensorweave.core.operation import Tensor
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.ops import array, math_ops
from tensorweave.ops._common import one, same_as_input
from tensorweave.ops.control import contexts, cond, group, no_op
from tensorweave.ops.string_format import string_format, summarize_v1
from tensorweave.util import nest

__all__ = [
    "Assert", "assert_equal", "assert_none_equal", "assert_greater", "assert_greater_equal",
    "assert_less", "assert_less_equal", "assert_near", "assert_negative", "assert_non_negative",
    "assert_non_positive", "assert_positive", "assert_integer", "assert_rank",
    "assert_rank_at_least", "assert_rank_in", "assert_same_float_dtype", "assert_scalar",
    "assert_type", "assert_proper_iterable", "check_numerics", "add_check_numerics_ops",
    "verify_tensor_all_finite", "is_non_decreasing", "is_strictly_increasing",
    "is_numeric_tensor", "Print", "print",
]


# --- Assert ----------------------------------------------------------------------------------
def _assert_shape(condition, *data, summarize):
    if condition.dtype is not dtypes.bool:
        raise TypeError(f"Assert requires a bool condition, got {condition.dtype.name}")
    return []


def _assert_kernel(condition, *data, summarize):
    if np.ndim(condition) != 0:
        raise errors.InvalidArgumentError(
            None, None, f"In[0] should be a scalar: {list(np.shape(condition))}")
    if not condition:
        text = " ".join(f"[{summarize_v1(v, summarize)}]" for v in data)
        raise errors.InvalidArgumentError(None, None, f"assertion failed: {text}")
    return ()


register_op("Assert", shape=_assert_shape, kernel=_assert_kernel, grad=NOT_DIFFERENTIABLE,
            foldable=False)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 -- TF's name
    """An op that raises InvalidArgumentError listing the values of `data` (the first
    `summarize` of each, 3 by default) when scalar bool `condition` is false at run time.

    As in TensorFlow, unless every data tensor is int32 or string the check is guarded by a
    tf.cond (so the data are read only when it fails) and the op returned is its Merge.
    """
    summarize = 3 if summarize is None else int(summarize)
    with name_scope(name, "Assert", [condition, data]) as scope:
        xs = [convert_to_tensor(x) for x in data]
        if all(x.dtype in (dtypes.string, dtypes.int32) for x in xs):
            return create_op("Assert", [convert_to_tensor(condition), *xs], name="Assert",
                             summarize=summarize)
        condition = convert_to_tensor(condition, name="Condition")

        def true_assert():
            return create_op("Assert", [condition, *xs], name="Assert", summarize=summarize)

        guarded = cond(condition, no_op, true_assert, name="AssertGuard")
        del scope
        return guarded.op


def _static_text(item):
    if isinstance(item, Tensor):
        value = constant_value(item)
        return str(item) if value is None else str(value)
    return str(item)


def _assert_static(condition, data):
    """Raises InvalidArgumentError with `data`'s known values when `condition` is false."""
    if not condition:
        raise errors.InvalidArgumentError(None, None, "\n".join(_static_text(d) for d in data))


def _as_y(y, x, name):
    """y as a tensor; a Python value takes x's dtype."""
    if isinstance(y, Tensor):
        return y
    return convert_to_tensor(y, name=name, preferred_dtype=x.dtype)


# --- comparisons -----------------------------------------------------------------------------
def _binary_assert(sym, default_name, test_op, static_func, x, y, data, summarize, message,
                   name):
    with name_scope(name, default_name, [x, y, data]):
        x = convert_to_tensor(x, name="x")
        y = _as_y(y, x, "y")
        if data is None:
            data = [f"Condition x {sym} y did not hold element-wise:",
                    f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        if message is not None:
            data = [message] + list(data)
        condition = math_ops.reduce_all(test_op(x, y))
        x_static, y_static = constant_value(x), constant_value(y)
        if x_static is not None and y_static is not None:
            _assert_static(np.all(static_func(x_static, y_static)), data)
        return Assert(condition, data, summarize=summarize)


def _binary(sym, default_name, test_op, static_func, doc):
    def check(x, y, data=None, summarize=None, message=None, name=None):
        return _binary_assert(sym, default_name, test_op, static_func, x, y, data, summarize,
                              message, name)
    check.__name__ = default_name
    check.__doc__ = (f"An op that fails when `x {sym} y` ({doc}) is false for some (broadcast) "
                     "element; raises InvalidArgumentError at once when both are known.")
    return check


assert_equal = _binary("==", "assert_equal", math_ops.equal, np.equal, "equal")
assert_none_equal = _binary("!=", "assert_none_equal", math_ops.not_equal, np.not_equal,
                            "not equal")
assert_less = _binary("<", "assert_less", math_ops.less, np.less, "less")
assert_less_equal = _binary("<=", "assert_less_equal", math_ops.less_equal, np.less_equal,
                            "less or equal")
assert_greater = _binary(">", "assert_greater", math_ops.greater, np.greater, "greater")
assert_greater_equal = _binary(">=", "assert_greater_equal", math_ops.greater_equal,
                               np.greater_equal, "greater or equal")


def _sign_check(default_name, sym, compare, zero_first):
    def check(x, data=None, summarize=None, message=None, name=None):
        message = message or ""
        with name_scope(name, default_name, [x, data]):
            x = convert_to_tensor(x, name="x")
            if data is None:
                data = [message, f"Condition x {sym} 0 did not hold element-wise:",
                        f"x ({x.name}) = ", x]
            zero = convert_to_tensor(0, dtype=x.dtype)
            a, b = (zero, x) if zero_first else (x, zero)
            return compare(a, b, data=data, summarize=summarize)
    check.__name__ = default_name
    check.__doc__ = f"An op that fails when `x {sym} 0` is false for some element of `x`."
    return check


assert_positive = _sign_check("assert_positive", ">", assert_less, True)
assert_negative = _sign_check("assert_negative", "<", assert_less, False)
assert_non_negative = _sign_check("assert_non_negative", ">=", assert_less_equal, True)
assert_non_positive = _sign_check("assert_non_positive", "<=", assert_less_equal, False)


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None,
                name=None):
    """An op that fails unless `|x - y| < atol + rtol * |y|` everywhere (both tolerances
    default to 10 float epsilons of x's dtype)."""
    message = message or ""
    with name_scope(name, "assert_near", [x, y, rtol, atol, data]):
        x = convert_to_tensor(x, name="x")
        y = convert_to_tensor(y, name="y", dtype=x.dtype)
        eps = np.finfo(x.dtype.as_numpy_dtype).eps
        rtol = convert_to_tensor(10 * eps if rtol is None else rtol, name="rtol", dtype=x.dtype)
        atol = convert_to_tensor(10 * eps if atol is None else atol, name="atol", dtype=x.dtype)
        if data is None:
            data = [message, f"x and y not equal to tolerance rtol = {rtol}, atol = {atol}",
                    f"x ({x.name}) = ", x, f"y ({y.name}) = ", y]
        tol = atol + rtol * math_ops.abs(y)
        diff = math_ops.abs(x - y)
        condition = math_ops.reduce_all(math_ops.less(diff, tol))
        return Assert(condition, data, summarize=summarize)


# --- ranks, dtypes, shapes -------------------------------------------------------------------
def _prefix(message):
    return f"{message}.  " if message else ""


def _static_rank(rank, what):
    value = constant_value(rank) if isinstance(rank, Tensor) else np.asarray(rank)
    if value is not None and np.ndim(value) != 0:
        raise ValueError(f"{what} must be a scalar.")
    return None if value is None else int(value)


def _rank_check(x, ranks, words, static_ok, data, summarize, message, name, default_name,
                rank_text):
    """The shared body of assert_rank / assert_rank_at_least / assert_rank_in."""
    with name_scope(name, default_name, [x, data]):
        x = convert_to_tensor(x)
        tensor_name = x.name
        known = [_static_rank(r, "Rank") for r in ranks]
        if x.shape.ndims is not None and all(k is not None for k in known):
            if not static_ok(x.shape.ndims, known):
                raise ValueError(f"{_prefix(message)}Tensor {tensor_name} must have {words} "
                                 f"{rank_text(known)}.  Received rank {x.shape.ndims}, shape "
                                 f"{x.shape}")
            return no_op(name="static_checks_determined_all_ok")
        rank_tensors = [convert_to_tensor(r, dtype=dtypes.int32) for r in ranks]
        if data is None:
            data = [message or "", f"Tensor {tensor_name} must have {words}", *rank_tensors,
                    "Received shape: ", array.shape(x)]
        actual = array.rank(x)
        return Assert(_dynamic_condition(words, actual, rank_tensors), data, summarize=summarize)


def _dynamic_condition(words, actual, ranks):
    if words == "rank at least":
        return math_ops.greater_equal(actual, ranks[0])
    tests = [math_ops.equal(actual, r) for r in ranks]
    result = tests[0]
    for t in tests[1:]:
        result = math_ops.logical_or(result, t)
    return result


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """Raises ValueError now if x's static rank is not `rank`, else returns an op checking it
    when run (a NoOp when the static rank already matches)."""
    return _rank_check(x, [rank], "rank", lambda r, k: r == k[0], data, summarize, message,
                       name, "assert_rank", lambda k: str(k[0]))


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """As assert_rank, for a rank of at least `rank`."""
    return _rank_check(x, [rank], "rank at least", lambda r, k: r >= k[0], data, summarize,
                       message, name, "assert_rank_at_least", lambda k: str(k[0]))


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name=None):
    """As assert_rank, for a rank that is one of `ranks`."""
    ranks = list(ranks)
    return _rank_check(
        x, ranks, "rank in", lambda r, k: r in k, data, summarize, message, name,
        "assert_rank_in", lambda k: str(tuple(np.array(v, np.int32) for v in k)))


def _known_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _dimension_sizes(x):
    """x's dimension sizes, ints where known statically and scalar tensors otherwise (a
    scalar counts as shape [1])."""
    rank = x.shape.ndims
    if rank == 0:
        return [1]
    dynamic = array.shape(x)
    if rank is not None:
        return [d if d is not None else dynamic[i] for i, d in enumerate(x.shape.as_list())]
    scalar = math_ops.equal(array.rank(x), 0)
    sizes = cond(scalar, lambda: convert_to_tensor([1]), lambda: dynamic)
    return _LazySizes(sizes)


class _LazySizes:
    """The entries of a shape tensor of unknown length, indexed when asked for."""

    def __init__(self, sizes):
        self.sizes = sizes

    def __getitem__(self, index):
        return self.sizes[index]


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Checks tensors' shapes against specs such as ('N', 'D'): ints are sizes, strings are
    sizes that must agree across tensors, None or '.' any size, a leading '...' or '*' any
    number of outer dimensions. Raises ValueError when the static shapes tell, else returns
    an op checking when run (tf.debugging.assert_shapes).

    >>> tf.debugging.assert_shapes([(x, ("N", "Q")), (y, ("N", "D")), (b, ("Q",))])
    """
    pairs = shapes.items() if isinstance(shapes, dict) else shapes
    with name_scope(name, "assert_shapes", [data]):
        specs = []
        for x, spec in pairs:
            if spec is None:
                continue
            x = convert_to_tensor(x)
            if not (hasattr(spec, "__iter__") or hasattr(spec, "__getitem__")):
                raise ValueError(f"{_prefix(message)}Tensor {x.name}.  Specified shape must be an "
                                 "iterable.  An iterable has the attribute `__iter__` or "
                                 f"`__getitem__`.  Received specified shape: {spec}")
            spec = tuple(spec)
            outer = False
            for i, symbol in enumerate(spec):
                if symbol is Ellipsis or symbol == "*":
                    if i != 0:
                        raise ValueError(
                            f"{_prefix(message)}Tensor {x.name} specified shape index {i}.  "
                            "Symbol `...` or `*` for a variable number of unspecified "
                            "dimensions is only allowed as the first entry")
                    outer = True
            symbols = spec[1:] if outer else spec
            specs.append((x, outer, _dimension_sizes(x), symbols if symbols else (1,)))
        rank_checks = []
        for x, outer, _, symbols in specs:
            rank = len(symbols)
            if outer:
                if rank > 1:
                    rank_checks.append(assert_rank_at_least(x, rank, data=data,
                                                            summarize=summarize, message=message))
            elif rank <= 1:
                rank_checks.append(assert_rank_in(x, [0, 1], data=data, summarize=summarize,
                                                  message=message))
            else:
                rank_checks.append(assert_rank(x, rank, data=data, summarize=summarize,
                                               message=message))
        size_checks, known = [], {}
        for x, outer, sizes, symbols in specs:
            for i, symbol in enumerate(symbols):
                if symbol is None or symbol == ".":
                    continue
                dim = i - len(symbols) if outer else i
                if symbol not in known and not _known_int(symbol):
                    with control_dependencies(rank_checks):
                        known[symbol] = (sizes[dim], x, dim)
                    continue
                if _known_int(symbol):
                    expected, why = int(symbol), "Specified explicitly"
                else:
                    expected, by, at = known[symbol]
                    why = f"Specified by tensor {by.name} dimension {at}"
                with control_dependencies(rank_checks):
                    actual = sizes[dim]
                if _known_int(actual) and _known_int(expected):
                    if actual != expected:
                        raise ValueError(f"{_prefix(message)}{why}.  Tensor {x.name} dimension "
                                         f"{dim} must have size {expected}.  Received size "
                                         f"{actual}, shape {x.shape}")
                    continue
                actual = convert_to_tensor(actual, dtype=dtypes.int32)
                expected = convert_to_tensor(expected, dtype=dtypes.int32)
                check_data = data if data is not None else [
                    message or "", why, f"Tensor {x.name} dimension", dim, "must have size",
                    expected, "Received shape: ", array.shape(x)]
                size_checks.append(Assert(math_ops.equal(actual, expected), check_data,
                                          summarize=summarize))
        with control_dependencies(rank_checks):
            return group(*size_checks)


def assert_integer(x, message=None, name=None):
    """Raises TypeError unless `x` has an integer dtype; returns a NoOp."""
    with name_scope(name, "assert_integer", [x]):
        x = convert_to_tensor(x)
        if not x.dtype.is_integer:
            raise TypeError(f'{_prefix(message)}Expected "x" to be integer type.  Found: '
                            f"{x.name} of dtype {x.dtype}")
        return no_op(name="statically_determined_was_integer")


def assert_type(tensor, tf_type, message=None, name=None):
    """Raises TypeError unless `tensor` has dtype `tf_type`; returns a NoOp."""
    with name_scope(name, "assert_type", [tensor]):
        tensor = convert_to_tensor(tensor)
        tf_type = dtypes.as_dtype(tf_type)
        if tensor.dtype is not tf_type:
            raise TypeError(f"{_prefix(message)}{tensor.name} must be of type {tf_type!r}; got "
                            f"{tensor.dtype!r}")
        return no_op(name="statically_determined_correct_type")


def assert_scalar(tensor, name=None, message=None):
    """`tensor` itself when its static shape is scalar, else ValueError."""
    with name_scope(name, "assert_scalar", [tensor]):
        tensor = convert_to_tensor(tensor)
        if tensor.shape.ndims != 0:
            raise ValueError(f"{message or ''}Expected scalar shape for {tensor.name}, saw "
                             f"shape: {tensor.shape}.")
        return tensor


def assert_same_float_dtype(tensors=None, dtype=None):
    """The one floating dtype of `tensors` (and `dtype`), float32 when neither says; raises
    ValueError when they differ or are not floating."""
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    if tensors:
        items = [t for t in tensors if t is not None]
        expected, first = dtype, None
        for item in items:
            if expected is None:
                expected, first = item.dtype, getattr(item, "name", str(item))
            elif item.dtype is not expected:
                where = f" as {first}" if first else ""
                raise ValueError(f"{getattr(item, 'name', str(item))}, type={item.dtype}, must "
                                 f"be of the same type ({expected}){where}.")
        dtype = expected
    if dtype is None:
        return dtypes.float32
    if not dtype.is_floating:
        raise ValueError(f"Expected floating point type, got {dtype}.")
    return dtype


def assert_proper_iterable(values):
    """Raises TypeError unless `values` is an iterable other than a tensor, array or string."""
    if isinstance(values, (Tensor, np.ndarray, bytes, str)) or type(values).__name__ in (
            "SparseTensor",):
        raise TypeError(f'Expected argument "values" to be a "proper" iterable.  Found: '
                        f"{type(values)}")
    if not isinstance(values, collections.abc.Iterable):
        raise TypeError(f'Expected argument "values" to be iterable.  Found: {type(values)}')


def is_numeric_tensor(tensor):
    """True for a Tensor of a number dtype (not bool or string)."""
    return isinstance(tensor, Tensor) and (tensor.dtype.is_floating or tensor.dtype.is_integer
                                           or tensor.dtype.is_complex)


def _monotonic(default_name, compare, x, name):
    with name_scope(name, default_name, [x]):
        x = convert_to_tensor(x, name="x")
        if not is_numeric_tensor(x):
            raise TypeError(f"Expected x to be numeric, instead found: {x.dtype}")
        flat = array.reshape(x, [-1])
        diff = flat[1:] - flat[:-1]
        zero = convert_to_tensor(0, dtype=diff.dtype)
        return math_ops.reduce_all(compare(zero, diff))


def is_non_decreasing(x, name=None):
    """A scalar bool: each element of flattened `x` is <= the next (true for < 2 elements)."""
    return _monotonic("is_non_decreasing", math_ops.less_equal, x, name)


def is_strictly_increasing(x, name=None):
    """A scalar bool: each element of flattened `x` is < the next (true for < 2 elements)."""
    return _monotonic("is_strictly_increasing", math_ops.less, x, name)


# --- CheckNumerics ---------------------------------------------------------------------------
def _check_numerics_shape(x, *, message):
    if not x.dtype.is_floating:
        raise TypeError(f"CheckNumerics requires a floating point input, got {x.dtype.name}")
    return [(x.dtype, x.shape)]


def _check_numerics_kernel(x, *, message):
    if not np.all(np.isfinite(x)):
        inf, nan = bool(np.isinf(x).any()), bool(np.isnan(x).any())
        what = "Inf and NaN" if inf and nan else ("Inf" if inf else "NaN")
        raise errors.InvalidArgumentError(None, None, f"{message} : Tensor had {what} values")
    return x


def _check_numerics_grad(op, dy):
    return [check_numerics(dy, "Not a number (NaN) or infinity (Inf) values detected in "
                               f"gradient. {op.attrs['message']}")]


register_op("CheckNumerics", shape=_check_numerics_shape, kernel=_check_numerics_kernel,
            grad=_check_numerics_grad, shares_memory=True, foldable=False)


def check_numerics(tensor, message, name=None):
    """`tensor`, failing at run time with "<message> : Tensor had NaN values" (or Inf) when it
    holds a NaN or an infinity."""
    return one(create_op("CheckNumerics", [convert_to_tensor(tensor)],
                         name=name or "CheckNumerics", message=str(message)))


def verify_tensor_all_finite(t=None, msg=None, name=None, x=None, message=None):
    """`t` after a CheckNumerics of it has run (tf.debugging.assert_all_finite)."""
    t = x if t is None else t
    msg = message if msg is None else msg
    with name_scope(name, "VerifyFinite", [t]):
        t = convert_to_tensor(t, name="t")
        check = check_numerics(t, message=msg)
        with control_dependencies([check]):
            return array.identity(t, name="control_dependency")


def add_check_numerics_ops():
    """One op running a CheckNumerics of every float16/32/64 tensor of the default graph, in
    order (message: "<op name>:<output index>"). Graphs with tf.cond or tf.while_loop are
    refused, as in TensorFlow."""
    graph = get_default_graph()
    inside = graph.extension(contexts.Context, dict)
    checks = []
    for op in graph.get_operations():
        for output in op.outputs:
            if output.dtype in (dtypes.float16, dtypes.float32, dtypes.float64):
                if op in inside:
                    raise ValueError("`tf.add_check_numerics_ops() is not compatible with "
                                     "TensorFlow control flow operations such as `tf.cond()` "
                                     "or `tf.while_loop()`.")
                with control_dependencies(checks):
                    checks = [check_numerics(output, f"{op.name}:{output.value_index}")]
    return group(*checks)


# --- Print (v1): an identity that prints ------------------------------------------------------
def _print_shape(x, *data, message, first_n, summarize):
    return [(x.dtype, x.shape)]


def _print_kernel(state, op_name, x, *data, message, first_n, summarize):
    if first_n >= 0:
        key = ("tensorweave.Print", op_name)
        count = state.resources.get(key, 0)
        if count >= first_n:
            return x
        state.resources[key] = count + 1
    text = "".join(f"[{summarize_v1(v, summarize)}]" for v in data)
    sys.stderr.write(f"{message}{text}\n")
    sys.stderr.flush()
    return x


def _print_grad(op, dy):
    return [dy] + [None] * (len(op.inputs) - 1)


register_op("Print", shape=_print_shape, kernel=_print_kernel, grad=_print_grad,
            stateful=True, shares_memory=True)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802
    """`input_` unchanged; when it is computed, writes `message` and the values of `data` (the
    first `summarize` of each, 3 by default) to standard error, the first `first_n` times
    only if given (TF 1.x's tf.Print)."""
    x = convert_to_tensor(input_)
    data = [convert_to_tensor(d) for d in data]
    return one(create_op("Print", [x, *data], name=name or "Print", message=message or "",
                         first_n=-1 if first_n is None else int(first_n),
                         summarize=3 if summarize is None else int(summarize)))


# --- PrintV2 (tf.print) ----------------------------------------------------------------------
_STREAMS = ("stderr", "stdout", "log(info)", "log(warning)", "log(error)")


def _print_v2_shape(text, *, output_stream, end):
    if text.dtype is not dtypes.string or text.shape.ndims not in (None, 0):
        raise ValueError(f"PrintV2 requires a scalar string input, got {text.dtype.name} of "
                         f"shape {text.shape}")
    return []


def _print_v2_kernel(state, op_name, text, *, output_stream, end):
    text = text.item()
    text = (text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)) + end
    if output_stream == "stdout":
        sys.stdout.write(text)
        sys.stdout.flush()
    elif output_stream == "stderr":
        sys.stderr.write(text)
        sys.stderr.flush()
    elif output_stream.startswith("log("):
        import logging  # only here: loading it costs every `import tensorweave`
        level = {"info": logging.INFO, "warning": logging.WARNING,
                 "error": logging.ERROR}[output_stream[4:-1]]
        logging.getLogger("tensorflow").log(level, text[:-len(end)] if end else text)
    else:
        with open(output_stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
    return ()


register_op("PrintV2", shape=_print_v2_shape, kernel=_print_v2_kernel, grad=NOT_DIFFERENTIABLE,
            stateful=True)


def _stream_name(output_stream):
    if output_stream is sys.stderr or output_stream is sys.__stderr__:
        return "stderr"
    if output_stream is sys.stdout or output_stream is sys.__stdout__:
        return "stdout"
    if isinstance(output_stream, str) and output_stream.startswith("file://"):
        return output_stream
    level = getattr(output_stream, "__name__", None)
    if callable(output_stream) and level in ("info", "warning", "warn", "error"):
        return f"log({'warning' if level == 'warn' else level})"
    raise ValueError(f"Unsupported output stream, logging level, or file.{output_stream}. "
                     f"Supported streams are sys.stdout, sys.stderr, tf.logging.info, "
                     f"tf.logging.warning, tf.logging.error. File needs to be in the form "
                     f"'file://path/to/file'.")


def _placeholder_for(template):
    """A placeholder string that does not occur in `template`."""
    candidate = "{}"
    while candidate in template:
        candidate = "{" + candidate + "}"
    return candidate


def print(*inputs, **kwargs):  # noqa: A001 -- TF's name
    """An op that writes `inputs` (tensors, Python values and nestings of them) joined by `sep`
    and followed by `end` to `output_stream` when run (sys.stderr by default; sys.stdout,
    tf.logging.info/warning/error, or "file://path"). Tensors are laid out like NumPy, the first
    and last `summarize` (3) entries of each dimension. Run it, or make it a control dependency.

    >>> tf.print("loss:", loss, output_stream=sys.stdout)
    """
    output_stream = kwargs.pop("output_stream", sys.stderr)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments for tf.print: {kwargs}")
    stream = _stream_name(output_stream)
    if (len(inputs) == 1 and isinstance(inputs[0], Tensor)
            and inputs[0].dtype is dtypes.string and inputs[0].shape.ndims == 0):
        # a lone string scalar is printed as it is, not formatted (no quotes)
        return create_op("PrintV2", [inputs[0]], name=name or "PrintV2", output_stream=stream,
                         end=end)
    import pprint  # only here: loading it costs every `import tensorweave`
    free = nest.map_structure(lambda v: "" if isinstance(v, Tensor) else v, list(inputs))
    placeholder = _placeholder_for(" ".join(pprint.pformat(v) for v in free))
    templates, tensors = [], []
    for value in inputs:
        marks = []
        for leaf in nest.flatten(value):
            if isinstance(leaf, Tensor):
                tensors.append(leaf)
                marks.append(placeholder)
            else:
                marks.append(leaf)
        if isinstance(value, str):
            templates.append(value)
        elif isinstance(value, Tensor):
            templates.append(placeholder)
        else:
            templates.append(pprint.pformat(nest.pack_sequence_as(value, marks)))
    template = sep.join(templates).replace(f"'{placeholder}'", placeholder)
    text = string_format(template, tensors, placeholder=placeholder, summarize=summarize)
    return create_op("PrintV2", [text], name=name or "PrintV2", output_stream=stream, end=end)
