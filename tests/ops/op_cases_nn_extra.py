"""Op table rows of the tf.nn additions: Selu, the 3-D convolution and pooling families,
MaxPoolWithArgmax, Dilation2D, fractional pools and CTC (see test_op_table.py)."""
import itertools

import numpy as np

import tensorweave as tf
from tensorweave.nn import conv_nd as convolution
from tensorweave.ops import nn_ops

from op_case import Case, away, ints, rand


def _found(op_type, tensor):
    ops = [op for op in tensor.graph.get_operations() if op.type == op_type]
    return ops[-1].outputs


def _adjoint(f, shape, dy):
    """J^T dy of the linear map f, one basis vector at a time."""
    out = np.zeros(int(np.prod(shape)))
    for i in range(out.size):
        e = np.zeros(out.size)
        e[i] = 1
        out[i] = np.sum(f(e.reshape(shape)) * dy)
    return out.reshape(shape)


# --- Selu ----------------------------------------------------------------------------------------
_A, _S = nn_ops.SELU_ALPHA, nn_ops.SELU_SCALE


def _selu(x):
    return _S * np.where(x > 0, x, _A * np.expm1(np.minimum(x, 0)))


_SELU_X = away(3, 4)
SELU_CASES = [
    Case("Selu", [_SELU_X], _selu),
    Case("SeluGrad", [rand(3, 4), _selu(_SELU_X)],
         lambda dy, y: dy * np.where(y < 0, y + _S * _A, _S)),
]


# --- 3-D windows -----------------------------------------------------------------------------------
def _axis_taps(size, k, s, d, padding):
    span = (k - 1) * d + 1
    if padding == "SAME":
        out = -(-size // s)
        before = max((out - 1) * s + span - size, 0) // 2
    else:
        out, before = (size - span) // s + 1, 0
    return [[o * s - before + t * d for t in range(k)] for o in range(out)]


def _windows(dhw, k, s, padding, d=(1, 1, 1)):
    """For each output position: its index and the input positions of its taps in row-major
    order (None where a tap falls on padding)."""
    axes = [_axis_taps(*args, padding) for args in zip(dhw, k, s, d)]
    for out in itertools.product(*[range(len(a)) for a in axes]):
        taps = []
        for tap in itertools.product(*[range(n) for n in k]):
            at = tuple(axes[a][out[a]][tap[a]] for a in range(3))
            inside = all(0 <= at[a] < dhw[a] for a in range(3))
            taps.append((tap, at if inside else None))
        yield out, taps, tuple(len(a) for a in axes)


def _conv3d_ref(x, w, s, padding, d=(1, 1, 1)):
    out = None
    for pos, taps, dims in _windows(x.shape[1:4], w.shape[:3], s, padding, d):
        if out is None:
            out = np.zeros((x.shape[0],) + dims + (w.shape[4],))
        for tap, at in taps:
            if at is not None:
                out[(slice(None),) + pos] += x[(slice(None),) + at] @ w[tap]
    return out


def _pool3d_ref(x, k, s, padding, reduce):
    out = None
    for pos, taps, dims in _windows(x.shape[1:4], k, s, padding):
        if out is None:
            out = np.zeros((x.shape[0],) + dims + (x.shape[4],))
        values = [x[(slice(None),) + at] for _, at in taps if at is not None]
        out[(slice(None),) + pos] = reduce(np.stack(values), axis=0)
    return out


def _first_max(x, k, s, padding):
    """For each output position and (batch, channel): the input position of the first max."""
    for pos, taps, _ in _windows(x.shape[1:4], k, s, padding):
        inside = [at for _, at in taps if at is not None]
        values = np.stack([x[(slice(None),) + at] for at in inside])
        best = values.argmax(axis=0)
        for b, c in np.ndindex(x.shape[0], x.shape[4]):
            yield pos, (b,) + inside[best[b, c]] + (c,), (b, c)


def _max_pool3d_grad_ref(x, dy, k, s, padding):
    dx = np.zeros_like(x)
    for pos, at, (b, c) in _first_max(x, k, s, padding):
        dx[at] += dy[(b,) + pos + (c,)]
    return dx


def _max_pool3d_grad_grad_ref(x, ddx, k, s, padding):
    out = np.zeros_like(_pool3d_ref(x, k, s, padding, np.max))
    for pos, at, (b, c) in _first_max(x, k, s, padding):
        out[(b,) + pos + (c,)] = ddx[at]
    return out


_X5 = rand(2, 4, 5, 3, 2)
_W5 = rand(2, 3, 2, 2, 3)
_S5 = [1, 1, 2, 1, 1]
_DY5 = rand(2, 4, 3, 3, 3)  # Conv3D of _X5 and _W5, strides _S5, SAME
_K, _KS = (2, 2, 2), [1, 2, 2, 2, 1]
_POOL_DY5 = rand(2, 2, 3, 2, 2)  # a 2x2x2 pool with stride 2, SAME, over _X5


def _conv3d(x, w, **kw):
    kw.setdefault("strides", _S5)
    kw.setdefault("padding", "SAME")
    return [convolution.conv3d(x, w, **kw)]


def _max_pool3d(x):
    return convolution.max_pool3d(x, _KS, _KS, "SAME")


def _avg_pool3d(x):
    return convolution.avg_pool3d(x, _KS, _KS, "SAME")


def _max_pool3d_grad_grad(x, ddx):
    y = _max_pool3d(x)
    dy = tf.ones_like(y)
    grad = tf.gradients(y, x, grad_ys=dy)[0]
    return _found("MaxPool3DGradGrad", tf.gradients(grad, dy, grad_ys=ddx)[0])


def _ncdhw(x):
    return x.transpose(0, 4, 1, 2, 3)


def _ndhwc(x):
    return x.transpose(0, 2, 3, 4, 1)


CONV3D_CASES = [
    Case("Conv3D", [_X5, _W5], lambda x, w: _conv3d_ref(x, w, (1, 2, 1), "SAME"),
         build=_conv3d),
    Case("Conv3D", [_X5, rand(2, 2, 2, 2, 1)],
         lambda x, w: _conv3d_ref(x, w, (1, 1, 1), "VALID", (2, 1, 2)),
         build=lambda x, w: _conv3d(x, w, strides=1, padding="VALID",
                                    dilations=[1, 2, 1, 2, 1]), tag="valid_dilated"),
    Case("Conv3D", [_ncdhw(_X5), _W5],
         lambda x, w: _ncdhw(_conv3d_ref(_ndhwc(x), w, (1, 2, 1), "SAME")),
         build=lambda x, w: _conv3d(x, w, strides=[1, 1, 1, 2, 1], data_format="NCDHW"),
         tag="ncdhw"),
    Case("Conv3DBackpropInputV2", [ints(2, 4, 5, 3, 2), _W5, _DY5],
         lambda sz, w, dy: _adjoint(lambda x: _conv3d_ref(x, w, (1, 2, 1), "SAME"),
                                    tuple(sz), dy),
         build=lambda sz, w, dy: [convolution.conv3d_backprop_input_v2(sz, w, dy, _S5,
                                                                       "SAME")],
         wrt=(1, 2)),
    Case("Conv3DBackpropFilterV2", [_X5, ints(2, 3, 2, 2, 3), _DY5],
         lambda x, sz, dy: _adjoint(lambda w: _conv3d_ref(x, w, (1, 2, 1), "SAME"),
                                    tuple(sz), dy),
         build=lambda x, sz, dy: [convolution.conv3d_backprop_filter_v2(x, sz, dy, _S5,
                                                                        "SAME")],
         wrt=(0, 2)),
    Case("MaxPool3D", [_X5], lambda x: _pool3d_ref(x, _K, _K, "SAME", np.max),
         build=lambda x: [_max_pool3d(x)]),
    Case("MaxPool3D", [_X5], lambda x: _pool3d_ref(x, (3, 2, 1), (1, 2, 1), "VALID", np.max),
         build=lambda x: [convolution.max_pool3d(x, [1, 3, 2, 1, 1], [1, 1, 2, 1, 1],
                                                 "VALID")], tag="valid"),
    Case("MaxPool3DGrad", [_X5, _POOL_DY5],
         lambda x, dy: _max_pool3d_grad_ref(x, dy, _K, _K, "SAME"),
         build=lambda x, dy: _found("MaxPool3DGrad", tf.gradients(_max_pool3d(x), x,
                                                                  grad_ys=dy)[0])),
    Case("MaxPool3DGradGrad", [_X5, _X5],
         lambda x, ddx: _max_pool3d_grad_grad_ref(x, ddx, _K, _K, "SAME"),
         build=_max_pool3d_grad_grad),
    Case("AvgPool3D", [_X5], lambda x: _pool3d_ref(x, _K, _K, "SAME", np.mean),
         build=lambda x: [_avg_pool3d(x)]),
    Case("AvgPool3D", [_ncdhw(_X5)],
         lambda x: _ncdhw(_pool3d_ref(_ndhwc(x), (3, 2, 2), (1, 1, 2), "SAME", np.mean)),
         build=lambda x: [convolution.avg_pool3d(x, [3, 2, 2], [1, 1, 2], "SAME",
                                                 data_format="NCDHW")], tag="ncdhw"),
    Case("AvgPool3DGrad", [_X5, _POOL_DY5],
         lambda x, dy: _adjoint(lambda v: _pool3d_ref(v, _K, _K, "SAME", np.mean),
                                x.shape, dy),
         build=lambda x, dy: _found("AvgPool3DGrad", tf.gradients(_avg_pool3d(x), x,
                                                                  grad_ys=dy)[0]), wrt=(1,)),
]

CASES = SELU_CASES + CONV3D_CASES
