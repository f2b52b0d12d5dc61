"""tf.test.compute_gradient and compute_gradient_error (TF 1.x's gradient checker).

Both run in the default Session. The theoretical Jacobian comes from tf.gradients, one column
per element of y (fed a one-hot dy); the numerical one from central differences, one row per
element of x (fed x +/- delta). Each Jacobian has shape [x size, y size] (complex values count
as two reals).

    with tf.Session():
        err = tf.test.compute_gradient_error(x, [2, 3], y, [2, 3])
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant
from tensorweave.core.context import get_default_session
from tensorweave.gradients import gradients
from tensorweave.ops.array import identity

_ALLOWED = (dtypes.float16, dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)


def _size(shape, dtype):
    return int(np.prod(shape, dtype=np.int64)) * (2 if dtype.is_complex else 1)


def _real(dtype):
    return {dtypes.complex64: np.float32, dtypes.complex128: np.float64}.get(
        dtype, dtype.as_numpy_dtype)


def _feeds(extra, feeds):
    merged = dict(extra or {})
    merged.update(feeds)
    return merged


def _session():
    sess = get_default_session()
    if sess is None:
        raise ValueError("compute_gradient needs a default session: run it inside "
                         "`with tf.Session():` (or a TestCase's test_session()).")
    return sess


def _theoretical(x, x_shape, x_data, dy, dy_shape, dx, extra):
    sess = _session()
    x_size, dy_size = _size(x_shape, x.dtype), _size(dy_shape, dy.dtype)
    jacobian = np.zeros((x_size, dy_size), dtype=_real(x.dtype))
    dy_data = np.zeros(dy_shape, dtype=dy.dtype.as_numpy_dtype)
    dy_flat = dy_data.reshape(-1).view(_real(dy.dtype))
    for col in range(dy_size):
        dy_flat[col] = 1
        backprop = sess.run(dx, _feeds(extra, {x: x_data, dy: dy_data}))
        jacobian[:, col] = np.asarray(backprop, dtype=x.dtype.as_numpy_dtype).reshape(-1).view(
            jacobian.dtype)
        dy_flat[col] = 0
    if not dy_size:  # an empty y: the gradient still runs, and must be zeros of x's shape
        backprop = np.asarray(sess.run(dx, _feeds(extra, {x: x_data, dy: dy_data})))
        if backprop.shape != x_data.shape:
            raise ValueError(f"Empty gradient has wrong shape: expected {x_data.shape}, got "
                             f"{backprop.shape}")
        if np.any(backprop):
            raise ValueError("Empty tensor with nonzero gradients")
    return jacobian


def _numerical(x, x_shape, x_data, y, y_shape, delta, extra):
    sess = _session()
    x_size, y_size = _size(x_shape, x.dtype), _size(y_shape, y.dtype)
    x_real, y_real = _real(x.dtype), _real(y.dtype)
    x_data = np.asarray(x_data, dtype=x.dtype.as_numpy_dtype)
    scale = np.asarray(2 * delta, dtype=y_real)[()]
    jacobian = np.zeros((x_size, y_size), dtype=x_real)
    for row in range(x_size):
        x_pos, x_neg = x_data.copy(), x_data.copy()
        x_pos.reshape(-1).view(x_real)[row] += delta
        x_neg.reshape(-1).view(x_real)[row] -= delta
        y_pos = np.asarray(sess.run(y, _feeds(extra, {x: x_pos})))
        y_neg = np.asarray(sess.run(y, _feeds(extra, {x: x_neg})))
        jacobian[row, :] = ((y_pos - y_neg) / scale).reshape(-1).view(y_real)
    return jacobian


def _dx_and_dy(x, y, y_shape):
    """The gradient of y with respect to x for a fed dy (an Identity of a constant, so that
    it can be fed even where dx would be dy itself)."""
    with x.graph.as_default():
        dy_orig = constant(np.ones(y_shape, dtype=y.dtype.as_numpy_dtype), dtype=y.dtype)
        dy = identity(dy_orig)
    return gradients(y, x, dy)[0], dy_orig


def _one(x, x_shape, dx, y, y_shape, dy, x_init_value, delta, extra):
    for t, what in ((x, "x"), (y, "y")):
        if t.dtype not in _ALLOWED:
            raise AssertionError(f"Don't support type {t.dtype.name} for {what}")
    if x_init_value is not None:
        if list(x_shape) != list(np.shape(x_init_value)):
            raise AssertionError(f"x_shape = {list(x_shape)}, init_data shape = "
                                 f"{list(np.shape(x_init_value))}")
        x_data = np.asarray(x_init_value)
    else:
        x_data = np.random.random_sample(x_shape).astype(x.dtype.as_numpy_dtype)
        if x.dtype.is_complex:
            x_data.imag = np.random.random_sample(x_shape)
    return (_theoretical(x, x_shape, x_data, dy, y_shape, dx, extra),
            _numerical(x, x_shape, x_data, y, y_shape, delta, extra))


def compute_gradient(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3, init_targets=None,
                     extra_feed_dict=None):
    """(theoretical, numerical) Jacobians of y with respect to x, each [x size, y size]; for a
    list of x, a list of such pairs. x_init_value: the point (random in [0, 1) if None);
    init_targets: ops run first (initializers)."""
    for init in init_targets or ():
        init.run()
    if isinstance(x, list):
        inits = x_init_value if x_init_value is not None else [None] * len(x)
        pairs = [_dx_and_dy(xi, y, y_shape) for xi in x]
        return [_one(xi, shape, dx, y, y_shape, dy, init, delta, extra_feed_dict)
                for xi, shape, (dx, dy), init in zip(x, x_shape, pairs, inits)]
    dx, dy = _dx_and_dy(x, y, y_shape)
    return _one(x, x_shape, dx, y, y_shape, dy, x_init_value, delta, extra_feed_dict)


def compute_gradient_error(x, x_shape, y, y_shape, x_init_value=None, delta=1e-3,
                           init_targets=None, extra_feed_dict=None):
    """The largest absolute difference between the theoretical and numerical Jacobians."""
    grad = compute_gradient(x, x_shape, y, y_shape, x_init_value, delta, init_targets,
                            extra_feed_dict)
    pairs = [grad] if isinstance(grad, tuple) else grad
    error = 0
    for theoretical, numerical in pairs:
        if theoretical.size or numerical.size:
            error = np.maximum(error, np.fabs(theoretical - numerical).max())
    return error
