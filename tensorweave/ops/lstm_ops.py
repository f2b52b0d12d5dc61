"""The fused LSTM (TF's LSTMBlockCell / LSTMBlockCellGrad and BlockLSTM / BlockLSTMGrad ops,
as tf.contrib.rnn and tf.raw_ops define them): one op for the gates' matrix product and all
the elementwise work of a time step, and one for the elementwise part of its gradient; and one
op for a whole sequence of such steps, with one for its whole gradient. BasicLSTMCell and
LSTMCell build their steps from LSTMBlockCell (fewer, larger NumPy passes than the composite of
~15 ops); tf.nn.dynamic_rnn runs them over a sequence as one BlockLSTM.

    xh = [x, h_prev];  [i, ci, f, o] = xh @ w + b
    i = sigmoid(i + cs_prev * wci);  f = sigmoid(f + forget_bias + cs_prev * wcf)
    ci = tanh(ci);  cs = clip(ci * i + cs_prev * f, cell_clip)  (cell_clip <= 0: no clip)
    o = sigmoid(o + cs * wco);  co = tanh(cs);  h = co * o
The peephole weights wci, wcf, wco count only with use_peephole. BlockLSTM applies the step
to x [time, batch, depth] for the first seq_len_max steps and outputs [time, batch, cell]
arrays, zero past seq_len_max. Its gradient takes all the inputs' products with the gates'
gradients (x's and w's) in one matrix product each over the whole sequence.
"""
import functools

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array, math_ops

_OUTPUTS = ("i", "cs", "f", "o", "ci", "co", "h")


def _sigmoid_into(out, x):
    """out = 1 / (1 + exp(-x)), in place in `out`."""
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1
    np.divide(1, out, out=out)  # the same bits as np.reciprocal, which NumPy does not vectorise


def _step_dims(op_type, x, x_rows, cs_prev, h_prev, w, wci, wcf, wco, b):
    """(batch, cell) Dimensions of a step whose input rows have TensorShape `x_rows`."""
    for t in (cs_prev, h_prev, w, wci, wcf, wco, b):
        if t.dtype is not x.dtype:
            raise TypeError(f"{op_type} requires every input in x's dtype {x.dtype.name}, "
                            f"got {t.dtype.name} for {t.name}")
    state = TensorShape([None, None]).merge_with(cs_prev.shape).merge_with(h_prev.shape)
    batch = x_rows.with_rank(2)[0].merge_with(state[0])
    cell = state[1]
    if w.shape.ndims == 2 and None not in (w.shape[1].value, cell.value) and \
            w.shape[1].value != 4 * cell.value:
        raise ValueError(f"{op_type} requires w with 4 * {cell.value} columns, got shape "
                         f"{w.shape}")
    return batch, cell


def _lstm_block_cell_shape(x, *weights, **_):
    batch, cell = _step_dims("LSTMBlockCell", x, x.shape, *weights)
    return [(x.dtype, TensorShape([batch, cell]))] * len(_OUTPUTS)


# The kernels keep the gates in the order i, f, o, ci (TF's columns are i, ci, f, o), so that
# one sigmoid pass covers the three sigmoid gates of a step.
_KERNEL_ORDER = [0, 2, 3, 1]  # TF's gate index of each kernel block


def _gate_columns(w, cells):
    """w [rows, 4 * cells] as its four gates' column blocks in the kernels' order i, f, o, ci,
    [4, rows, cells]."""
    return w.reshape(-1, 4, cells).transpose(1, 0, 2)[_KERNEL_ORDER]


def _gate_biases(b, cells):
    """b [4 * cells] as [4, 1, cells] in the kernels' gate order."""
    return b.reshape(4, 1, cells)[_KERNEL_ORDER]


def _cell_into(gates, cs_prev, wci, wcf, wco, forget_bias, cell_clip, use_peephole, cs, co, h):
    """One step's elementwise work: `gates` [4, batch, cell] holds the pre-activations of i, f,
    o, ci and is turned into the activations in place; cs, co and h are filled in."""
    i, f, o, ci = gates
    f += forget_bias
    if use_peephole:  # o's pre-activation waits for cs
        i += cs_prev * wci
        f += cs_prev * wcf
        _sigmoid_into(gates[:2], gates[:2])
    else:
        _sigmoid_into(gates[:3], gates[:3])
    np.tanh(ci, out=ci)
    np.multiply(ci, i, out=cs)
    cs += np.multiply(cs_prev, f, out=co)  # co as scratch until tanh(cs) fills it
    if cell_clip > 0:
        np.clip(cs, -cell_clip, cell_clip, out=cs)
    if use_peephole:
        o += cs * wco
        _sigmoid_into(o, o)
    np.tanh(cs, out=co)
    np.multiply(co, o, out=h)


def _lstm_block_cell_kernel(x, cs_prev, h_prev, w, wci, wcf, wco, b, *, forget_bias,
                            cell_clip, use_peephole):
    n = cs_prev.shape[1]
    # the gates as four contiguous [batch, n] blocks (NumPy's passes over column blocks of
    # one [batch, 4n] array are ~40% slower): a product with w's column blocks, batched
    gates = np.matmul(np.concatenate([x, h_prev], axis=1), _gate_columns(w, n))
    gates += _gate_biases(b, n)
    cs, co, h = np.empty((3,) + cs_prev.shape, dtype=gates.dtype)
    _cell_into(gates, cs_prev, wci, wcf, wco, forget_bias, cell_clip, use_peephole, cs, co, h)
    i, f, o, ci = gates
    return i, cs, f, o, ci, co, h


def _check_unclipped(op):
    if op.attrs["cell_clip"] > 0:
        raise LookupError(f"{op.type} {op.name!r} clips its cell state (cell_clip "
                          f"{op.attrs['cell_clip']}); its gradient is defined without clipping.")


def _lstm_block_cell_grad(op, di, dcs, df, do, dci, dco, dh):
    """From cs and h alone (a recurrence) one LSTMBlockCellGrad op, as in TF; gradients that
    also reach the gate outputs (second order, say) take the same formulas as graph ops."""
    _check_unclipped(op)
    if all(g is None for g in (di, dcs, df, do, dci, dco, dh)):
        return [None] * 8
    x, cs_prev, h_prev, w, wci, wcf, wco, b = op.inputs
    i, cs, f, o, ci, co, _ = op.outputs
    dcs = array.zeros_like(cs) if dcs is None else dcs
    dh = array.zeros_like(cs) if dh is None else dh
    peephole = op.attrs["use_peephole"]
    gates = {"i": di, "f": df, "o": do, "ci": dci, "co": dco}
    if any(g is not None for g in gates.values()):
        cs_prev_grad, dicfo, *peep_grads = _backprop_tensors(
            cs_prev, i, cs, f, o, ci, co, dcs, dh, wci, wcf, wco, peephole, gates)
        wci_grad, wcf_grad, wco_grad = peep_grads or (None, None, None)
    else:
        cs_prev_grad, dicfo, wci_grad, wcf_grad, wco_grad = create_op(
            "LSTMBlockCellGrad", [x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci, co,
                                  dcs, dh], use_peephole=peephole).outputs
    rows, columns = w.shape.as_tuple()  # w is [depth + cell, 4 * cell]
    if rows is None or columns is None:
        raise ValueError(f"The gradient of LSTMBlockCell {op.name!r} needs w's static shape, "
                         f"got {w.shape}")
    dx, dh_prev = array.split(math_ops.matmul(dicfo, w, transpose_b=True),
                                  [rows - columns // 4, columns // 4], axis=1)
    dw = math_ops.matmul(array.concat([x, h_prev], 1), dicfo, transpose_a=True)
    db = math_ops.reduce_sum(dicfo, 0)
    if not peephole:
        wci_grad = wcf_grad = wco_grad = None
    return [dx, cs_prev_grad, dh_prev, dw, wci_grad, wcf_grad, wco_grad, db]


def _lstm_block_cell_grad_shape(x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci, co,
                                cs_grad, h_grad, **_):
    cell = cs.shape
    four = TensorShape([cell[0].value, None if cell[1].value is None else 4 * cell[1].value]) \
        if cell.ndims == 2 else TensorShape([None, None])
    return [(x.dtype, cs_prev.shape), (x.dtype, four), (x.dtype, wci.shape),
            (x.dtype, wcf.shape), (x.dtype, wco.shape)]


def _lstm_block_cell_backprop(cs_prev, i, cs, f, o, ci, co, cs_grad, h_grad, wci, wcf, wco,
                              use_peephole, gates=None):
    """(cs_prev_grad, [di, dci, df, do] of the pre-activations, and the per-row products whose
    column sums are the peephole weights' grads, or None) from the grads of cs and h, plus
    those of the gate outputs in `gates` ({"i": ..., "co": ...}, Nones skipped). The same
    formulas serve NumPy arrays (the kernel) and tensors (gradients of the gradient)."""
    def plus(value, key):
        extra = (gates or {}).get(key)
        return value if extra is None else value + extra
    o_grad = plus(h_grad * co, "o")
    do = o * (1 - o) * o_grad
    dcs = (1 - co * co) * plus(h_grad * o, "co") + cs_grad
    if use_peephole:
        dcs = dcs + do * wco
    dci = (1 - ci * ci) * plus(dcs * i, "ci")
    df = f * (1 - f) * plus(dcs * cs_prev, "f")
    di = i * (1 - i) * plus(dcs * ci, "i")
    cs_prev_grad = dcs * f
    if not use_peephole:
        return cs_prev_grad, (di, dci, df, do), None
    cs_prev_grad = cs_prev_grad + di * wci + df * wcf
    return cs_prev_grad, (di, dci, df, do), (di * cs_prev, df * cs_prev, do * cs)


def _backprop_tensors(*inputs):
    """_lstm_block_cell_backprop as graph ops, in LSTMBlockCellGrad's output layout:
    [cs_prev_grad, dicfo] plus the three peephole weights' grads with peepholes."""
    cs_prev_grad, parts, peeps = _lstm_block_cell_backprop(*inputs)
    return [cs_prev_grad, array.concat(list(parts), 1)] + \
        [math_ops.reduce_sum(p, 0) for p in peeps or ()]


def _lstm_block_cell_grad_kernel(x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o, ci, co,
                                 cs_grad, h_grad, *, use_peephole):
    cs_prev_grad, parts, peeps = _lstm_block_cell_backprop(
        cs_prev, i, cs, f, o, ci, co, cs_grad, h_grad, wci, wcf, wco, use_peephole)
    sums = [p.sum(axis=0) for p in peeps] if peeps else [np.zeros_like(v) for v in (wci, wcf,
                                                                                    wco)]
    return (cs_prev_grad, np.concatenate(parts, axis=1), *sums)


def _lstm_block_cell_grad_grad(op, *grads):
    """Differentiates the composite form of the backward formulas (second order). Several
    inputs depend on others (i and cs on cs_prev, ...): each gets only its own partial."""
    from tensorweave.gradients import gradients  # imported here: gradients imports the ops
    wanted = [1, 4, 5, 6] + list(range(8, 16))  # cs_prev, wci, wcf, wco, i, ..., h_grad
    cs_prev, wci, wcf, wco, i, cs, f, o, ci, co, cs_grad, h_grad = \
        [op.inputs[k] for k in wanted]
    outputs = _backprop_tensors(cs_prev, i, cs, f, o, ci, co, cs_grad, h_grad, wci, wcf, wco,
                                op.attrs["use_peephole"])
    pairs = [(out, g) for out, g in zip(outputs, grads) if g is not None]
    if not pairs:
        return [None] * 16
    xs = [op.inputs[k] for k in wanted]
    found = gradients([p[0] for p in pairs], xs, grad_ys=[p[1] for p in pairs],
                      stop_gradients=xs)
    by_input = dict(zip(wanted, found))
    return [by_input.get(k) for k in range(16)]


register_op("LSTMBlockCell", shape=_lstm_block_cell_shape, kernel=_lstm_block_cell_kernel,
            grad=_lstm_block_cell_grad)
register_op("LSTMBlockCellGrad", shape=_lstm_block_cell_grad_shape,
            kernel=_lstm_block_cell_grad_kernel, grad=_lstm_block_cell_grad_grad)


def _weights_or_zeros(x, w, wci, wcf, wco, b):
    """[wci, wcf, wco, b] as tensors, zeros where not given."""
    cells = w.shape[1].value // 4 if w.shape[1].value is not None else None

    def zeros_or(t, size):
        return convert_to_tensor(t) if t is not None else \
            array.zeros([size], dtype=x.dtype)
    return [zeros_or(wci, cells), zeros_or(wcf, cells), zeros_or(wco, cells),
            zeros_or(b, 4 * cells)]


def lstm_block_cell(x, cs_prev, h_prev, w, wci=None, wcf=None, wco=None, b=None,
                    forget_bias=1.0, cell_clip=-1.0, use_peephole=False, name=None):
    """One fused LSTM step (tf.raw_ops.LSTMBlockCell): (i, cs, f, o, ci, co, h).
    Missing peephole weights are zeros; cell_clip <= 0 does not clip."""
    x, cs_prev, h_prev, w = (convert_to_tensor(t) for t in (x, cs_prev, h_prev, w))
    inputs = [x, cs_prev, h_prev, w] + _weights_or_zeros(x, w, wci, wcf, wco, b)
    return create_op("LSTMBlockCell", inputs, name=name or "LSTMBlockCell",
                     forget_bias=float(forget_bias), cell_clip=float(cell_clip),
                     use_peephole=bool(use_peephole)).outputs


# --- the whole sequence: BlockLSTM, BlockLSTMGrad --------------------------------------------
def _steps_used(seq_len_max, steps):
    return max(0, min(int(seq_len_max), steps))


def _block_lstm_shape(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, **attrs):
    if seq_len_max.dtype is not dtypes.int64 or seq_len_max.shape.ndims not in (None, 0):
        raise TypeError(f"BlockLSTM requires seq_len_max an int64 scalar, got "
                        f"{seq_len_max.dtype.name} of shape {seq_len_max.shape}")
    steps = x.shape.with_rank(3)
    batch, cell = _step_dims("BlockLSTM", x, steps[1:], cs_prev, h_prev, w, wci, wcf, wco, b)
    return [(x.dtype, TensorShape([steps[0], batch, cell]))] * len(_OUTPUTS)


def _block_lstm_kernel(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, *, forget_bias,
                       cell_clip, use_peephole):
    steps, batch, depth = x.shape
    n = cs_prev.shape[1]
    used = _steps_used(seq_len_max, steps)
    columns = _gate_columns(w, n)
    # x's share of every step's gates in one product; h's share follows step by step
    from_x = np.matmul(x[:used].reshape(used * batch, depth), columns[:, :depth])
    from_x += _gate_biases(b, n)
    if used == steps:
        gates = from_x.reshape(4, steps, batch, n)
    else:
        gates = np.zeros((4, steps, batch, n), dtype=from_x.dtype)
        gates[:, :used] = from_x.reshape(4, used, batch, n)
    cs, co, h = np.zeros((3, steps, batch, n), dtype=gates.dtype)
    c_prev, h_before = cs_prev, h_prev
    from_h = np.empty((4, batch, n), dtype=gates.dtype)
    for t in range(used):
        step_gates = gates[:, t]
        step_gates += np.matmul(h_before, columns[:, depth:], out=from_h)
        _cell_into(step_gates, c_prev, wci, wcf, wco, forget_bias, cell_clip, use_peephole,
                   cs[t], co[t], h[t])
        c_prev, h_before = cs[t], h[t]
    i, f, o, ci = gates
    return i, cs, f, o, ci, co, h


def _block_lstm_grad(op, di, dcs, df, do, dci, dco, dh):
    """One BlockLSTMGrad op from the gradients of cs and h, as in TF."""
    _check_unclipped(op)
    if any(g is not None for g in (di, df, do, dci, dco)):
        raise LookupError(f"BlockLSTM {op.name!r}: gradients flow back through its cs and h "
                          "outputs only, not through the gate outputs i, f, o, ci, co.")
    if dcs is None and dh is None:
        return [None] * 9
    cs = op.outputs[1]
    dcs = array.zeros_like(cs) if dcs is None else dcs
    dh = array.zeros_like(cs) if dh is None else dh
    peephole = op.attrs["use_peephole"]
    grads = create_op("BlockLSTMGrad", list(op.inputs) + list(op.outputs) + [dcs, dh],
                      use_peephole=peephole).outputs
    x_grad, cs_prev_grad, h_prev_grad, w_grad, wci_grad, wcf_grad, wco_grad, b_grad = grads
    if not peephole:
        wci_grad = wcf_grad = wco_grad = None
    return [None, x_grad, cs_prev_grad, h_prev_grad, w_grad, wci_grad, wcf_grad, wco_grad,
            b_grad]


def _block_lstm_grad_shape(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, *_, **__):
    return [(x.dtype, t.shape) for t in (x, cs_prev, h_prev, w, wci, wcf, wco, b)]


def _backprop_into(dgates, cs_prev, i, f, o, ci, co, cs_grad, dcs_next, h_grad, dh_next,
                   scratch, slopes, ifo=None):
    """_lstm_block_cell_backprop without peepholes, for arrays, with the same products in the
    same order (so the same bits), written into `dgates` [batch, 4 cells] ([di, dci, df, do])
    through the [4, batch, cells] `scratch`; returns cs_prev's grad (in scratch[1], which the
    next call may take as its `dcs_next`). `slopes` [3, batch, cells] takes the sigmoid gates'
    (1 - g) g, in one pass where `ifo` is i, f, o as one [3, batch, cells] view."""
    n = i.shape[1]
    di, dci, df, do = (dgates[:, k * n:(k + 1) * n] for k in range(4))
    dh, dcs, a, b = scratch
    for gates, slope in [(ifo, slopes)] if ifo is not None else zip((i, f, o), slopes):
        np.subtract(1, gates, out=slope)
        slope *= gates
    slope_i, slope_f, slope_o = slopes
    np.add(h_grad, dh_next, out=dh)
    np.multiply(dh, co, out=a)  # o's grad
    np.multiply(slope_o, a, out=do)
    np.multiply(co, co, out=a)
    np.subtract(1, a, out=a)
    np.multiply(dh, o, out=b)
    a *= b
    np.add(cs_grad, dcs_next, out=dcs)
    np.add(a, dcs, out=dcs)  # (1 - co^2) (dh o) + (cs_grad + dcs_next)
    np.multiply(ci, ci, out=a)
    np.subtract(1, a, out=a)
    np.multiply(dcs, i, out=b)
    np.multiply(a, b, out=dci)
    np.multiply(dcs, cs_prev, out=b)
    np.multiply(slope_f, b, out=df)
    np.multiply(dcs, ci, out=b)
    np.multiply(slope_i, b, out=di)
    return np.multiply(dcs, f, out=dcs)


def _one_view(parts):
    """Same-shaped arrays lying in one buffer at equal distances (the fused kernels' i, f, o)
    as one read-only [len(parts), ...] view, else None."""
    first = parts[0]
    if first.base is None or any(p.base is not first.base or p.shape != first.shape or
                                 p.strides != first.strides or p.dtype != first.dtype
                                 for p in parts):
        return None
    starts = [p.__array_interface__["data"][0] for p in parts]
    step = starts[1] - starts[0]
    if any(b - a != step for a, b in zip(starts, starts[1:])):
        return None
    return np.lib.stride_tricks.as_strided(first, (len(parts),) + first.shape,
                                           (step,) + first.strides, writeable=False)


def _block_lstm_grad_kernel(seq_len_max, x, cs_prev, h_prev, w, wci, wcf, wco, b, i, cs, f, o,
                            ci, co, h, cs_grad, h_grad, *, use_peephole, x_grad_used=True):
    """BlockLSTMGrad; without `x_grad_used` x's gradient (a product as large as w's) is left
    as zeros."""
    steps, batch, depth = x.shape
    n = cs_prev.shape[1]
    used = _steps_used(seq_len_max, steps)
    dgates = np.empty((used, batch, 4 * n), dtype=x.dtype)  # [di, dci, df, do] per step
    dcs_next, dh_next = np.zeros_like(cs_prev), np.zeros_like(h_prev)  # read before written
    peep_grads = np.zeros((3, n), dtype=x.dtype)
    # h's rows of w, transposed once into rows: OpenBLAS multiplies by a row-major operand
    # ~12% faster than by a transposed view, and this product is made at every step
    w_h_t = np.ascontiguousarray(w[depth:].T)
    scratch = np.empty((4,) + cs_prev.shape, dtype=x.dtype)
    slopes = np.empty((3,) + cs_prev.shape, dtype=x.dtype)
    ifo = _one_view([i, f, o])  # the forward kernel's i, f, o lie so: one pass for three
    for t in reversed(range(used)):
        c_before = cs[t - 1] if t else cs_prev
        if not use_peephole:
            dcs_next = _backprop_into(dgates[t], c_before, i[t], f[t], o[t], ci[t], co[t],
                                      cs_grad[t], dcs_next, h_grad[t], dh_next, scratch,
                                      slopes, None if ifo is None else ifo[:, t])
        else:
            dcs_next, parts, peeps = _lstm_block_cell_backprop(
                c_before, i[t], cs[t], f[t], o[t], ci[t], co[t], cs_grad[t] + dcs_next,
                h_grad[t] + dh_next, wci, wcf, wco, use_peephole)
            for k, part in enumerate(parts):
                dgates[t, :, k * n:(k + 1) * n] = part
            peep_grads += [p.sum(axis=0) for p in peeps]
        np.matmul(dgates[t], w_h_t, out=dh_next)
    flat = dgates.reshape(used * batch, 4 * n)
    x_grad = np.zeros_like(x)
    if x_grad_used:
        x_grad[:used] = np.matmul(flat, w[:depth].T).reshape(used, batch, depth)
    h_before = np.concatenate([h_prev[None], h[:used - 1]]) if used else h[:0]
    w_grad = np.concatenate([np.matmul(x[:used].reshape(-1, depth).T, flat),
                             np.matmul(h_before.reshape(-1, n).T, flat)])
    return (x_grad, dcs_next, dh_next, w_grad, *peep_grads, flat.sum(axis=0))


def _block_lstm_grad_grad(op, *grads):
    raise LookupError(f"No gradient defined for operation {op.name!r} (op type: BlockLSTMGrad), "
                      "as in TensorFlow. For second derivatives through an LSTM, run its cell "
                      "with tf.nn.static_rnn, whose LSTMBlockCell steps have them.")


register_op("BlockLSTM", shape=_block_lstm_shape, kernel=_block_lstm_kernel,
            grad=_block_lstm_grad)
def _bind_block_lstm_grad(op, make_plan, is_used):
    """BlockLSTMGrad's kernel for a Plan, skipping x's gradient where the Plan never reads it
    (x is the data, as it mostly is)."""
    return functools.partial(_block_lstm_grad_kernel, use_peephole=op.attrs["use_peephole"],
                             x_grad_used=is_used(op.outputs[0]))


register_op("BlockLSTMGrad", shape=_block_lstm_grad_shape, kernel=_block_lstm_grad_kernel,
            bind=_bind_block_lstm_grad, grad=_block_lstm_grad_grad)


def block_lstm(seq_len_max, x, cs_prev, h_prev, w, wci=None, wcf=None, wco=None, b=None,
               forget_bias=1.0, cell_clip=3.0, use_peephole=False, name=None):
    """The LSTM over a whole sequence (tf.raw_ops.BlockLSTM): (i, cs, f, o, ci, co, h), each
    [time, batch, cell]. Missing peephole weights are zeros; cell_clip <= 0 does not clip."""
    x, cs_prev, h_prev, w = (convert_to_tensor(t) for t in (x, cs_prev, h_prev, w))
    seq_len_max = convert_to_tensor(seq_len_max, dtype=dtypes.int64)
    inputs = [seq_len_max, x, cs_prev, h_prev, w] + _weights_or_zeros(x, w, wci, wcf, wco, b)
    return create_op("BlockLSTM", inputs, name=name or "BlockLSTM",
                     forget_bias=float(forget_bias), cell_clip=float(cell_clip),
                     use_peephole=bool(use_peephole)).outputs
