"""tf.keras.backend's shape, math and array functions (re-exported by keras/backend.py)."""
import numpy as np

from tensorweave import math as tf_math
from tensorweave import manip
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.keras.backend_config import floatx
from tensorweave.ops import array, math_ops

__all__ = [
    "int_shape", "ndim", "dtype", "count_params", "shape", "cast", "cast_to_floatx",
    "dot", "batch_dot", "transpose", "gather", "max", "min", "sum", "prod", "cumsum", "cumprod",
    "var", "std", "mean", "any", "all", "argmax", "argmin", "square", "abs", "sqrt", "exp",
    "log", "logsumexp", "round", "sign", "pow", "clip", "equal", "not_equal", "greater",
    "greater_equal", "less", "less_equal", "maximum", "minimum", "sin", "cos", "concatenate",
    "reshape", "permute_dimensions", "repeat_elements", "repeat", "arange", "tile", "flatten",
    "batch_flatten", "expand_dims", "squeeze", "temporal_padding", "spatial_2d_padding",
    "spatial_3d_padding", "stack", "one_hot", "reverse", "map_fn", "foldl", "foldr",
]


# --- shapes and types ----------------------------------------------------------------------
def int_shape(x):
    """The static shape as a tuple of ints and None; None when the rank is unknown."""
    try:
        shape_ = x.shape
        if not isinstance(shape_, tuple):
            shape_ = tuple(shape_.as_list())
        return shape_
    except ValueError:
        return None


def ndim(x):
    """The rank, or None when unknown."""
    shape_ = getattr(x, "shape", None)
    if shape_ is None:
        return np.ndim(x)
    if isinstance(shape_, tuple):
        return len(shape_)
    return shape_.ndims


def dtype(x):
    """The dtype's name, e.g. 'float32'."""
    return x.dtype.base_dtype.name


def count_params(x):
    """The number of scalars in x."""
    return int(np.prod(x.shape.as_list()))


def shape(x):
    """The dynamic shape (tf.shape)."""
    return array.shape(x)


def cast(x, dtype):  # noqa: A002 (Keras' name)
    """tf.cast."""
    return array.cast(x, dtype)


def cast_to_floatx(x):
    """A NumPy array of floatx()."""
    return np.asarray(x, dtype=floatx())


def _axis_list(axis):
    return list(axis) if isinstance(axis, tuple) else axis


# --- products ------------------------------------------------------------------------------
def _dims(x):
    dynamic = array.unstack(array.shape(x))
    return tuple(s if s is not None else d for s, d in zip(int_shape(x), dynamic))


def dot(x, y):
    """Matrix product; for ranks above 2 it contracts x's last axis with y's second-to-last
    axis, as Theano's dot does."""
    if ndim(x) is not None and (ndim(x) > 2 or ndim(y) > 2):
        x_shape, y_shape = _dims(x), _dims(y)
        perm = list(range(ndim(y)))
        perm = [perm.pop(-2)] + perm
        xt = array.reshape(x, [-1, x_shape[-1]])
        yt = array.reshape(array.transpose(y, perm=perm), [y_shape[-2], -1])
        return array.reshape(math_ops.matmul(xt, yt),
                             list(x_shape[:-1] + y_shape[:-2] + y_shape[-1:]))
    return math_ops.matmul(x, y)


def batch_dot(x, y, axes=None):
    """The dot product of x and y batch by batch, over `axes`."""
    if isinstance(axes, int):
        axes = (axes, axes)
    x_ndim, y_ndim = ndim(x), ndim(y)
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 2]
    axes = list(axes)
    if x_ndim > y_ndim:
        diff = x_ndim - y_ndim
        y = array.reshape(y, array.concat([array.shape(y), [1] * diff], axis=0))
    elif y_ndim > x_ndim:
        diff = y_ndim - x_ndim
        x = array.reshape(x, array.concat([array.shape(x), [1] * diff], axis=0))
    else:
        diff = 0
    if ndim(x) == 2 and ndim(y) == 2:
        if axes[0] == axes[1]:
            out = math_ops.reduce_sum(math_ops.multiply(x, y), axes[0])
        else:
            out = math_ops.reduce_sum(math_ops.multiply(array.transpose(x, [1, 0]), y),
                                      axes[1])
    else:
        adj_x = axes[0] != ndim(x) - 1
        adj_y = axes[1] == ndim(y) - 1
        out = math_ops.matmul(x, y, adjoint_a=adj_x, adjoint_b=adj_y)
    if diff:
        idx = x_ndim + y_ndim - 3 if x_ndim > y_ndim else x_ndim - 1
        out = array.squeeze(out, list(range(idx, idx + diff)))
    if ndim(out) == 1:
        out = array.expand_dims(out, 1)
    return out


def transpose(x):
    """tf.transpose."""
    return array.transpose(x)


def gather(reference, indices):
    """tf.gather along axis 0."""
    return array.gather(reference, indices)


# --- reductions ----------------------------------------------------------------------------
def max(x, axis=None, keepdims=False):  # noqa: A001
    return math_ops.reduce_max(x, _axis_list(axis), keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return math_ops.reduce_min(x, _axis_list(axis), keepdims)


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return math_ops.reduce_sum(x, _axis_list(axis), keepdims)


def prod(x, axis=None, keepdims=False):
    return math_ops.reduce_prod(x, _axis_list(axis), keepdims)


def cumsum(x, axis=0):
    return tf_math.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    return tf_math.cumprod(x, axis=axis)


def _as_float(x):
    x = convert_to_tensor(x)
    return array.cast(x, floatx()) if x.dtype.base_dtype == dtypes.bool else x


def var(x, axis=None, keepdims=False):
    """The variance along axis."""
    x = _as_float(x)
    m = math_ops.reduce_mean(x, _axis_list(axis), True)
    return math_ops.reduce_mean(math_ops.square(x - m), _axis_list(axis), keepdims)


def std(x, axis=None, keepdims=False):
    """The standard deviation along axis."""
    return math_ops.sqrt(var(x, axis=axis, keepdims=keepdims))


def mean(x, axis=None, keepdims=False):
    """The mean along axis (bool tensors count as floatx())."""
    return math_ops.reduce_mean(_as_float(x), _axis_list(axis), keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001
    return math_ops.reduce_any(array.cast(x, "bool"), _axis_list(axis), keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    return math_ops.reduce_all(array.cast(x, "bool"), _axis_list(axis), keepdims)


def argmax(x, axis=-1):
    return math_ops.argmax(x, axis)


def argmin(x, axis=-1):
    return math_ops.argmin(x, axis)


def logsumexp(x, axis=None, keepdims=False):
    return math_ops.reduce_logsumexp(x, _axis_list(axis), keepdims)


# --- element-wise --------------------------------------------------------------------------
def _like(value, x):
    return convert_to_tensor(value, dtype=x.dtype.base_dtype)


def square(x):
    return math_ops.square(x)


def abs(x):  # noqa: A001
    return math_ops.abs(x)


def sqrt(x):
    """sqrt of x clipped at 0 from below."""
    x = convert_to_tensor(x)
    x = math_ops.clip_by_value(x, _like(0.0, x), _like(np.inf, x))
    return math_ops.sqrt(x)


def exp(x):
    return math_ops.exp(x)


def log(x):
    return math_ops.log(x)


def round(x):  # noqa: A001
    return math_ops.round(x)


def sign(x):
    return math_ops.sign(x)


def pow(x, a):  # noqa: A001
    return math_ops.pow(x, a)


def clip(x, min_value, max_value):
    """x clipped to [min_value, max_value] (None means unbounded)."""
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)):
        if max_value < min_value:
            max_value = min_value
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    x = convert_to_tensor(x)
    return math_ops.clip_by_value(x, _like(min_value, x), _like(max_value, x))


def equal(x, y):
    return math_ops.equal(x, y)


def not_equal(x, y):
    return math_ops.not_equal(x, y)


def greater(x, y):
    return math_ops.greater(x, y)


def greater_equal(x, y):
    return math_ops.greater_equal(x, y)


def less(x, y):
    return math_ops.less(x, y)


def less_equal(x, y):
    return math_ops.less_equal(x, y)


def maximum(x, y):
    return math_ops.maximum(x, y)


def minimum(x, y):
    return math_ops.minimum(x, y)


def sin(x):
    return math_ops.sin(x)


def cos(x):
    return math_ops.cos(x)


# --- arrays --------------------------------------------------------------------------------
def concatenate(tensors, axis=-1):
    """tf.concat with Keras' negative axis."""
    if axis < 0:
        rank = ndim(tensors[0])
        axis = axis % rank if rank else 0
    return array.concat(list(tensors), axis)


def reshape(x, shape):  # noqa: A002
    return array.reshape(x, shape)


def permute_dimensions(x, pattern):
    return array.transpose(x, perm=pattern)


def repeat_elements(x, rep, axis):
    """Each slice of x along axis repeated rep times (np.repeat)."""
    x_shape = int_shape(x)
    if x_shape[axis] is not None:
        splits = array.split(x, x_shape[axis], axis=axis)
        return concatenate([s for s in splits for _ in range(rep)], axis)
    auxiliary_axis = axis + 1
    x_dyn = array.shape(x)
    x_rep = array.expand_dims(x, auxiliary_axis)
    reps = np.ones(len(x_shape) + 1, dtype="int32")
    reps[auxiliary_axis] = rep
    x_rep = array.tile(x_rep, list(reps))
    reps = np.delete(reps, auxiliary_axis)
    reps[axis] = rep
    x_rep = array.reshape(x_rep, x_dyn * reps)
    x_rep.set_shape(tuple(None if i == axis else s for i, s in enumerate(x_shape)))
    return x_rep


def repeat(x, n):
    """(samples, dim) -> (samples, n, dim)."""
    if ndim(x) != 2:
        raise ValueError(f"repeat expects a 2D tensor, got {ndim(x)}D")
    return array.tile(array.expand_dims(x, 1), [1, n, 1])


def arange(start, stop=None, step=1, dtype="int32"):  # noqa: A002
    """A 1-D int tensor like np.arange."""
    if stop is None and start < 0:
        start = 0
    result = array.range_(start, limit=stop, delta=step, name="arange")
    if dtype != "int32":
        result = array.cast(result, dtype)
    return result


def tile(x, n):
    if isinstance(n, int):
        n = [n]
    return array.tile(x, n)


def flatten(x):
    return array.reshape(x, [-1])


def batch_flatten(x):
    """(batch, ...) -> (batch, product of the rest)."""
    return array.reshape(x, array.stack([-1, math_ops.reduce_prod(array.shape(x)[1:])]))


def expand_dims(x, axis=-1):
    return array.expand_dims(x, axis)


def squeeze(x, axis):
    return array.squeeze(x, [axis])


def temporal_padding(x, padding=(1, 1)):
    """Pad the middle axis of a 3D tensor with zeros."""
    if len(padding) != 2:
        raise ValueError("padding must be a tuple of 2 integers")
    return array.pad(x, [[0, 0], list(padding), [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Pad the 2 spatial axes of a 4D tensor with zeros."""
    from tensorweave.keras.backend_config import normalize_data_format
    data_format = normalize_data_format(data_format)
    padding = [list(padding[0]), list(padding[1])]
    pattern = ([[0, 0], [0, 0]] + padding if data_format == "channels_first"
               else [[0, 0]] + padding + [[0, 0]])
    return array.pad(x, pattern)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Pad the 3 spatial axes of a 5D tensor with zeros."""
    from tensorweave.keras.backend_config import normalize_data_format
    data_format = normalize_data_format(data_format)
    padding = [list(p) for p in padding]
    pattern = ([[0, 0], [0, 0]] + padding if data_format == "channels_first"
               else [[0, 0]] + padding + [[0, 0]])
    return array.pad(x, pattern)


def stack(x, axis=0):
    return array.stack(x, axis=axis)


def one_hot(indices, num_classes):
    """(batch, d1, ..., dn) ints -> (batch, d1, ..., dn, num_classes)."""
    return array.one_hot(indices, depth=num_classes, axis=-1)


def reverse(x, axes):
    if isinstance(axes, int):
        axes = [axes]
    return manip.reverse(x, axes)


def map_fn(fn, elems, name=None, dtype=None):
    from tensorweave.nn import functional
    return functional.map_fn(fn, elems, name=name, dtype=dtype)


def foldl(fn, elems, initializer=None, name=None):
    from tensorweave.nn import functional
    return functional.foldl(fn, elems, initializer=initializer, name=name)


def foldr(fn, elems, initializer=None, name=None):
    from tensorweave.nn import functional
    return functional.foldr(fn, elems, initializer=initializer, name=name)
