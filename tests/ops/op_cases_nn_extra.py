"""Op table rows of the tf.nn additions: Selu, the 3-D convolution and pooling families,
MaxPoolWithArgmax, Dilation2D, fractional pools and CTC (see test_op_table.py)."""
import itertools

import numpy as np

import tensorweave as tf
from tensorweave.nn import conv_nd as convolution
from tensorweave.core.graph import create_op
from tensorweave.ops import nn_ops, pool_ops

from op_case import Case, away, ints, off_grid, rand


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


# --- 3-D windows ----------------------------------------------------------------------------------
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


# --- Dilation2D, MaxPoolWithArgmax ----------------------------------------------------------------
def _dilation_ref(x, w, s, r, padding, want="y", dy=None):
    """Dilation2D by loops: the output, or the gradients routed to each first maximizing tap."""
    n, h, wd, c = x.shape
    rows = _axis_taps(h, w.shape[0], s[0], r[0], padding)
    cols = _axis_taps(wd, w.shape[1], s[1], r[1], padding)
    y = np.full((n, len(rows), len(cols), c), -np.inf)
    dx, dw = np.zeros_like(x), np.zeros_like(w)
    for i, tr in enumerate(rows):
        for j, tc in enumerate(cols):
            for b, ch in np.ndindex(n, c):
                best, at = -np.inf, None
                for a, yy in enumerate(tr):
                    for e, xx in enumerate(tc):
                        if 0 <= yy < h and 0 <= xx < wd and x[b, yy, xx, ch] + w[a, e, ch] > best:
                            best, at = x[b, yy, xx, ch] + w[a, e, ch], (yy, xx, a, e)
                y[b, i, j, ch] = best
                if dy is not None:
                    dx[b, at[0], at[1], ch] += dy[b, i, j, ch]
                    dw[at[2], at[3], ch] += dy[b, i, j, ch]
    return {"y": y, "dx": dx, "dw": dw}[want]


_DIL_X, _DIL_W = off_grid(2, 5, 6, 2), off_grid(2, 3, 2) * 0.37
_DIL_DY = rand(2, 3, 6, 2)  # strides (2, 1), rates (1, 2), SAME
_DIL_ATTRS = {"strides": [1, 2, 1, 1], "rates": [1, 1, 2, 1], "padding": "SAME"}
_ARGMAX_X = off_grid(2, 4, 5, 3)
_ARGMAX_ATTRS = {"ksize": [1, 2, 2, 1], "strides": [1, 2, 2, 1], "padding": "SAME",
                 "include_batch_in_index": False}


def _argmax_ref(x, batch):
    """MaxPoolWithArgmax 2x2 / 2 SAME by loops: (values, flat indices)."""
    n, h, w, c = x.shape
    oh, ow = -(-h // 2), -(-w // 2)
    y, arg = np.zeros((n, oh, ow, c)), np.zeros((n, oh, ow, c), np.int64)
    for b, i, j, ch in np.ndindex(n, oh, ow, c):
        cells = [(yy, xx) for yy in range(2 * i, min(2 * i + 2, h))
                 for xx in range(2 * j, min(2 * j + 2, w))]
        yy, xx = max(cells, key=lambda p: x[b, p[0], p[1], ch])
        y[b, i, j, ch] = x[b, yy, xx, ch]
        arg[b, i, j, ch] = ((b * h if batch else 0) + yy) * w * c + xx * c + ch
    return y, arg


def _argmax_grad_ref(x, dy):
    _, arg = _argmax_ref(x, False)
    dx = np.zeros(x.size)
    offsets = (np.arange(x.shape[0]) * x[0].size).reshape(-1, 1, 1, 1)
    np.add.at(dx, (arg + offsets).ravel(), dy.ravel())
    return dx.reshape(x.shape)


def _argmax_pool(x, **kw):
    return create_op("MaxPoolWithArgmax", [x], Targmax=tf.int64,
                     **dict(_ARGMAX_ATTRS, **kw))


def _argmax_grad_grad(x, ddx):
    y = _argmax_pool(x).outputs[0]
    dy = tf.ones_like(y)
    grad = tf.gradients(y, x, grad_ys=dy)[0]
    return _found("MaxPoolGradGradWithArgmax", tf.gradients(grad, dy, grad_ys=ddx)[0])


MORPHOLOGY_CASES = [
    Case("Dilation2D", [_DIL_X, _DIL_W],
         lambda x, w: _dilation_ref(x, w, (2, 1), (1, 2), "SAME"), attrs=_DIL_ATTRS,
         second="Dilation2D's backprop ops have no gradient in TensorFlow"),
    Case("Dilation2D", [_DIL_X, _DIL_W],
         lambda x, w: _dilation_ref(x, w, (1, 2), (2, 1), "VALID"), tag="valid",
         attrs={"strides": [1, 1, 2, 1], "rates": [1, 2, 1, 1], "padding": "VALID"},
         second="Dilation2D's backprop ops have no gradient in TensorFlow"),
    Case("Dilation2DBackpropInput", [_DIL_X, _DIL_W, _DIL_DY],
         lambda x, w, dy: _dilation_ref(x, w, (2, 1), (1, 2), "SAME", "dx", dy),
         attrs=_DIL_ATTRS),
    Case("Dilation2DBackpropFilter", [_DIL_X, _DIL_W, _DIL_DY],
         lambda x, w, dy: _dilation_ref(x, w, (2, 1), (1, 2), "SAME", "dw", dy),
         attrs=_DIL_ATTRS),
    Case("MaxPoolWithArgmax", [_ARGMAX_X], lambda x: _argmax_ref(x, False),
         build=_argmax_pool),
    Case("MaxPoolWithArgmax", [_ARGMAX_X], lambda x: _argmax_ref(x, True), tag="batch",
         build=lambda x: _argmax_pool(x, include_batch_in_index=True)),
    Case("MaxPoolGradWithArgmax", [_ARGMAX_X, rand(2, 2, 3, 3)], _argmax_grad_ref,
         build=lambda x, dy: _found("MaxPoolGradWithArgmax", tf.gradients(
             _argmax_pool(x).outputs[0], x, grad_ys=dy)[0]), wrt=(1,)),
    Case("MaxPoolGradGradWithArgmax", [_ARGMAX_X, rand(2, 4, 5, 3)],
         lambda x, ddx: ddx.reshape(-1)[
             _argmax_ref(x, False)[1] + (np.arange(2) * x[0].size).reshape(-1, 1, 1, 1)],
         build=_argmax_grad_grad, wrt=(1,)),
]


# --- fractional pools -----------------------------------------------------------------------------
_FRAC_X = off_grid(2, 7, 9, 2)
_ROWS, _COLS = ints(0, 2, 3, 5, 7, dtype=np.int64), ints(0, 2, 4, 5, 7, 9, dtype=np.int64)


def _cells_ref(seq, length, overlapping):
    return [(a, min(b + (1 if overlapping else 0), length)) for a, b in zip(seq[:-1], seq[1:])]


def _frac_max_grad_ref(x, dy, rows, cols, overlapping):
    dx = np.zeros_like(x)
    for i, (r0, r1) in enumerate(_cells_ref(rows, x.shape[1], overlapping)):
        for j, (c0, c1) in enumerate(_cells_ref(cols, x.shape[2], overlapping)):
            for b, ch in np.ndindex(x.shape[0], x.shape[3]):
                cell = x[b, r0:r1, c0:c1, ch]
                yy, xx = np.unravel_index(cell.argmax(), cell.shape)
                dx[b, r0 + yy, c0 + xx, ch] += dy[b, i, j, ch]
    return dx


def _frac_avg_grad_ref(sizes, dy, rows, cols, overlapping):
    dx = np.zeros(tuple(sizes))
    for i, (r0, r1) in enumerate(_cells_ref(rows, sizes[1], overlapping)):
        for j, (c0, c1) in enumerate(_cells_ref(cols, sizes[2], overlapping)):
            dx[:, r0:r1, c0:c1] += dy[:, i:i + 1, j:j + 1] / ((r1 - r0) * (c1 - c0))
    return dx


def _frac_y(x, overlapping):
    out = np.zeros((x.shape[0], 4, 5, x.shape[3]))
    for i, (r0, r1) in enumerate(_cells_ref(_ROWS, x.shape[1], overlapping)):
        for j, (c0, c1) in enumerate(_cells_ref(_COLS, x.shape[2], overlapping)):
            out[:, i, j] = x[:, r0:r1, c0:c1].max(axis=(1, 2))
    return out


FRACTIONAL_CASES = [
    Case("FractionalMaxPoolGrad", [_FRAC_X, _frac_y(_FRAC_X, True), rand(2, 4, 5, 2), _ROWS,
                                   _COLS],
         lambda x, y, dy, r, c: _frac_max_grad_ref(x, dy, r, c, True),
         attrs={"overlapping": True}),
    Case("FractionalAvgPoolGrad", [ints(2, 7, 9, 2, dtype=np.int64), rand(2, 4, 5, 2), _ROWS,
                                   _COLS],
         lambda s, dy, r, c: _frac_avg_grad_ref(s, dy, r, c, False),
         attrs={"overlapping": False}),
]


def _check_fractional(op_type, reduce):
    """Deterministic pools repeat their cells; the result pools x over the returned cells."""
    def check():
        x = off_grid(2, 10, 9, 3)
        with tf.Graph().as_default():
            out = pool_ops.fractional_max_pool if reduce is np.max else \
                pool_ops.fractional_avg_pool
            fixed = out(tf.constant(x), [1, 1.44, 1.73, 1], deterministic=True, seed=1, seed2=2)
            free = out(tf.constant(x), [1, 1.5, 1.5, 1], pseudo_random=True, overlapping=True)
            assert fixed[0].op.type == op_type
            assert fixed[0].shape.as_list() == [2, 6, 5, 3]
            grad = tf.gradients(tf.reduce_sum(fixed[0] * 2.0), tf.constant(x))
            sess = tf.Session()
            first, second = sess.run(fixed), sess.run(fixed)
            sess.run(free)
            assert grad is not None
        for a, b in zip(first, second):
            np.testing.assert_array_equal(a, b)
        y, rows, cols = first
        assert rows[0] == 0 and rows[-1] == 10 and cols[0] == 0 and cols[-1] == 9
        assert set(np.diff(rows)) <= {1, 2} and set(np.diff(cols)) <= {1, 2}
        for i, j in np.ndindex(6, 5):
            cell = x[:, rows[i]:rows[i + 1], cols[j]:cols[j + 1]]
            np.testing.assert_allclose(y[:, i, j], reduce(cell, axis=(1, 2)))
    return check


SESSION_CASES = {
    "FractionalMaxPool": _check_fractional("FractionalMaxPool", np.max),
    "FractionalAvgPool": _check_fractional("FractionalAvgPool", np.mean),
}

CASES = CASES + MORPHOLOGY_CASES + FRACTIONAL_CASES


# --- CTC ------------------------------------------------------------------------------------------
def _labelings(log_y, seq_len, blank, merge):
    """{labeling: probability} over every path of one sequence (brute force)."""
    probs = {}
    for path in itertools.product(range(log_y.shape[1]), repeat=seq_len):
        out, prev = [], None
        for k in path:
            if k != blank and (not merge or k != prev):
                out.append(k)
            prev = k
        p = np.exp(sum(log_y[t, k] for t, k in enumerate(path)))
        probs[tuple(out)] = probs.get(tuple(out), 0.0) + p
    return probs


def _log_softmax(x):
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def _ctc_loss_ref(x, indices, values, lengths, merge=True):
    blank = x.shape[2] - 1
    loss = []
    for b in range(x.shape[1]):
        label = tuple(int(v) for (bb, _), v in zip(indices, values) if bb == b)
        probs = _labelings(_log_softmax(x[:, b]), int(lengths[b]), blank, merge)
        loss.append(-np.log(probs.get(label, 0.0)))
    return np.array(loss)


def _ctc_loss_op(x, i, v, n, **attrs):
    attrs = dict({"preprocess_collapse_repeated": False, "ctc_merge_repeated": True,
                  "ignore_longer_outputs_than_inputs": False}, **attrs)
    return create_op("CTCLoss", [x, i, v, n], **attrs).outputs[:1]


_CTC_X = rand(4, 2, 3)
_CTC_INDICES = ints(0, 0, 0, 1, 1, 0, dtype=np.int64).reshape(3, 2)
_CTC_VALUES = ints(1, 1, 0)
_CTC_LENGTHS = ints(4, 3)
_CTC_SECOND = "TensorFlow blocks second derivatives of CTCLoss (its gradient is fused)"


def _greedy_ref(x, lengths, merge):
    paths, log_prob = [], []
    for b in range(x.shape[1]):
        best, path, prev = x[:lengths[b], b].argmax(axis=1), [], -1
        for k in best:
            if k != x.shape[2] - 1 and not (merge and k == prev):
                path.append(int(k))
            prev = k
        paths.append(path)
        log_prob.append([-x[:lengths[b], b].max(axis=1).sum()])
    return _sparse_ref(paths) + (np.array(log_prob),)


def _sparse_ref(paths):
    indices = np.array([[b, i] for b, p in enumerate(paths) for i in range(len(p))],
                       np.int64).reshape(-1, 2)
    values = np.array([v for p in paths for v in p], np.int64)
    width = max(len(p) for p in paths)
    return indices, values, np.array([len(paths), width], np.int64)


def _beam_ref(x, lengths, top):
    """With a beam wider than the number of labelings, beam search is exact."""
    best = []
    for b in range(x.shape[1]):
        probs = _labelings(_log_softmax(x[:, b]), int(lengths[b]), x.shape[2] - 1, True)
        best.append(sorted(probs.items(), key=lambda kv: -kv[1])[:top])
    parts = [_sparse_ref([list(best[b][i][0]) for b in range(x.shape[1])]) for i in range(top)]
    log_prob = np.log([[p for _, p in row] for row in best])
    return tuple(p[0] for p in parts) + tuple(p[1] for p in parts) + tuple(
        p[2] for p in parts) + (log_prob,)


_DECODE_X = off_grid(3, 2, 3) * 0.8


CTC_CASES = [
    Case("CTCLoss", [_CTC_X, _CTC_INDICES, _CTC_VALUES, _CTC_LENGTHS], _ctc_loss_ref,
         build=_ctc_loss_op, second=_CTC_SECOND, ref_tol=(1e-9, 1e-12)),
    Case("CTCLoss", [_CTC_X, _CTC_INDICES, _CTC_VALUES, _CTC_LENGTHS],
         lambda x, i, v, n: _ctc_loss_ref(x, i, v, n, merge=False), tag="no_merge",
         build=lambda x, i, v, n: _ctc_loss_op(x, i, v, n, ctc_merge_repeated=False),
         second=_CTC_SECOND),
    Case("CTCGreedyDecoder", [_DECODE_X, ints(3, 2)],
         lambda x, n: _greedy_ref(x, n, True), partial_shape=True,
         attrs={"merge_repeated": True, "blank_index": -1}),
    Case("CTCBeamSearchDecoder", [_DECODE_X, ints(3, 2)], lambda x, n: _beam_ref(x, n, 2),
         partial_shape=True, attrs={"beam_width": 16, "top_paths": 2, "merge_repeated": False},
         ref_tol=(1e-9, 1e-12)),
]

CASES = CASES + CTC_CASES


# --- candidate samplers ---------------------------------------------------------------------------
_UNIGRAM_P = np.array([0.0, 1.0, 2.0 ** 0.5, 3.0 ** 0.5, 2.0]) / (3 + 2.0 ** 0.5 + 3.0 ** 0.5)


def _check_fixed_unigram(x):
    counts = np.bincount(x, minlength=5) / len(x)
    assert counts[0] == 0
    np.testing.assert_allclose(counts, _UNIGRAM_P, atol=0.03)


RANDOM_CASES = {
    "FixedUnigramCandidateSampler": (
        lambda: tf.nn.fixed_unigram_candidate_sampler(
            [[1, 3]], 2, 4000, False, 5, unigrams=[1, 2, 3, 4], distortion=0.5,
            num_reserved_ids=1, seed=3),
        _check_fixed_unigram),
}


def _check_fixed_unigram_counts():
    """Expected counts are p * num_sampled (or 1 - (1 - p)^tries when unique); shards keep
    every num_shards-th id; range_max must match the weights."""
    with tf.Graph().as_default():
        ids, true_count, sampled_count = tf.nn.fixed_unigram_candidate_sampler(
            [[2, 3], [4, 0]], 2, 3, False, 5, unigrams=[1, 2, 3, 4], distortion=0.5,
            num_reserved_ids=1, seed=1)
        shard = tf.nn.fixed_unigram_candidate_sampler(
            [[1]], 1, 50, False, 2, unigrams=[1, 2, 3, 4, 5], num_shards=2, shard=1, seed=1)
        bad = tf.nn.fixed_unigram_candidate_sampler([[1]], 1, 2, False, 3,
                                                     unigrams=[1, 2, 3, 4, 5], num_shards=2,
                                                     shard=1)
        sess = tf.Session()
        got_ids, got_true, got_sampled = sess.run([ids, true_count, sampled_count])
        np.testing.assert_allclose(got_true, _UNIGRAM_P[[[2, 3], [4, 0]]] * 3, rtol=1e-6)
        np.testing.assert_allclose(got_sampled, _UNIGRAM_P[got_ids] * 3, rtol=1e-6)
        shard_ids, shard_true, _ = sess.run(shard)
        assert set(shard_ids) <= {0, 1}
        np.testing.assert_allclose(shard_true, [[4 / 6 * 50]], rtol=1e-6)
        try:
            sess.run(bad)
        except tf.errors.InvalidArgumentError as e:
            assert "range is 3 must be equal to weights size  2" in str(e)
        else:
            raise AssertionError("a range_max unlike the weights' count must fail")


def _check_all_candidates():
    with tf.Graph().as_default():
        out = tf.nn.all_candidate_sampler(tf.constant([[0, 3], [2, 4]], tf.int64), 2, 5, True)
        assert out[0].op.type == "AllCandidateSampler"
        assert [t.shape.as_list() for t in out] == [[5], [2, 2], [5]]
        ids, true_count, sampled_count = tf.Session().run(out)
    np.testing.assert_array_equal(ids, np.arange(5))
    assert ids.dtype == np.int64 and true_count.dtype == np.float32
    np.testing.assert_array_equal(true_count, np.ones((2, 2)))
    np.testing.assert_array_equal(sampled_count, np.ones(5))


SESSION_CASES["AllCandidateSampler"] = _check_all_candidates
SESSION_CASES["FixedUnigramCandidateSampler"] = _check_fixed_unigram_counts
