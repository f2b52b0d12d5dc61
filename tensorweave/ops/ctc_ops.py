"""Connectionist temporal classification op types: CTCLoss, CTCGreedyDecoder and
CTCBeamSearchDecoder (TensorFlow's kernels, blank = the last class).

CTCLoss takes time-major logits [max_time, batch, classes] and sparse labels as TF's op does
(labels_indices [n, 2], labels_values [n], sequence_length [batch]); it returns the loss per
batch entry and its gradient with respect to the logits (computed with the loss, by the
forward-backward recursions in log space). The decoders return their paths as the
(indices, values, dense_shape) parts of sparse tensors.
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.errors import InvalidArgumentError
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array

_LOG_ZERO = -np.inf


def _invalid(message):
    return InvalidArgumentError(None, None, message)


# --- shape rules -------------------------------------------------------------------------------
def _dims(op_type, what, t, rank):
    if t.shape.ndims is None:
        return [None] * rank
    if t.shape.ndims != rank:
        raise ValueError(f"{op_type} requires {what} of rank {rank}, got shape {t.shape}")
    return t.shape.as_list()


def _sequence_dims(op_type, inputs, sequence_length):
    if not inputs.dtype.is_floating:
        raise TypeError(f"{op_type} requires floating point inputs, got {inputs.dtype.name}")
    if sequence_length.dtype is not dtypes.int32:
        raise TypeError(f"{op_type} requires int32 sequence_length, got "
                        f"{sequence_length.dtype.name}")
    t, b, c = _dims(op_type, "inputs", inputs, 3)
    (n,) = _dims(op_type, "sequence_length", sequence_length, 1)
    if b is not None and n is not None and b != n:
        raise ValueError(f"{op_type} requires len(sequence_length) == batch_size, got {n} and "
                         f"{b}")
    return t, b if b is not None else n, c


def _ctc_loss_shape(inputs, labels_indices, labels_values, sequence_length, **_):
    t, b, c = _sequence_dims("CTCLoss", inputs, sequence_length)
    n, cols = _dims("CTCLoss", "labels_indices", labels_indices, 2)
    (m,) = _dims("CTCLoss", "labels_values", labels_values, 1)
    if cols is not None and cols != 2:
        raise ValueError(f"CTCLoss requires labels_indices of shape [n, 2], got "
                         f"{labels_indices.shape}")
    if n is not None and m is not None and n != m:
        raise ValueError(f"CTCLoss requires as many labels_indices as labels_values, got {n} "
                         f"and {m}")
    return [(inputs.dtype, TensorShape([b])), (inputs.dtype, TensorShape([t, b, c]))]


# --- the loss ----------------------------------------------------------------------------------
def _log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _batch_labels(indices, values, batch):
    """The label sequence of each batch entry, checking TF's ordering rules."""
    labels = [[] for _ in range(batch)]
    last = (-1, -1)
    for (b, i), v in zip(indices.tolist(), values.tolist()):
        if not 0 <= b < batch:
            raise _invalid(f"labels batch index must be between 0 and {batch - 1} got {b}")
        if (b, i) <= last:
            raise _invalid("label SparseTensor is not ordered")
        last = (b, i)
        labels[b].append(v)
    return labels


def _collapse(seq):
    return [v for k, v in enumerate(seq) if k == 0 or v != seq[k - 1]]


def _shifted(a, k):
    """a moved k places right along its first axis, -inf filling in."""
    out = np.full_like(a, _LOG_ZERO)
    out[k:] = a[:len(a) - k]
    return out


def _transitions(extended, blank, merge_repeated):
    """Masks over extended-label positions: may stay (self loop), may skip one position."""
    ext = np.asarray(extended)
    stay = (ext == blank) | merge_repeated
    skip = np.zeros(len(ext), dtype=bool)
    if len(ext) > 2:
        same = ext[2:] == ext[:-2]
        skip[2:] = (ext[2:] != blank) & ~(merge_repeated & same)
    return stay, skip


def _forward_backward(log_y, extended, blank, merge_repeated):
    """(log p(labels), log alpha + log beta [T, U]) for one sequence; log_y is [T, C]."""
    steps, u = log_y.shape[0], len(extended)
    emit = log_y[:, extended]  # [T, U]
    stay, skip = _transitions(extended, blank, merge_repeated)
    alpha = np.full((steps, u), _LOG_ZERO)
    alpha[0, 0] = emit[0, 0]
    if u > 1:
        alpha[0, 1] = emit[0, 1]
    with np.errstate(invalid="ignore"):
        for t in range(1, steps):
            prev = alpha[t - 1]
            terms = np.stack([np.where(stay, prev, _LOG_ZERO), _shifted(prev, 1),
                              np.where(skip, _shifted(prev, 2), _LOG_ZERO)])
            alpha[t] = _log_sum(terms) + emit[t]
        beta = np.full((steps, u), _LOG_ZERO)
        beta[-1, -1] = 0.0
        if u > 1:
            beta[-1, -2] = 0.0
        skip_from = np.zeros(u, dtype=bool)
        skip_from[:-2] = skip[2:]
        for t in range(steps - 2, -1, -1):
            nxt = beta[t + 1] + emit[t + 1]
            ahead1 = np.full(u, _LOG_ZERO)
            ahead1[:-1] = nxt[1:]
            ahead2 = np.full(u, _LOG_ZERO)
            ahead2[:-2] = nxt[2:]
            terms = np.stack([np.where(stay, nxt, _LOG_ZERO), ahead1,
                              np.where(skip_from, ahead2, _LOG_ZERO)])
            beta[t] = _log_sum(terms)
    both = alpha + beta
    return _log_sum(both[0]), both


def _log_sum(a, axis=0):
    top = np.max(a, axis=axis)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(a - np.expand_dims(safe, axis)), axis=axis)) + safe


def _ctc_loss_kernel(inputs, labels_indices, labels_values, sequence_length, *,
                     preprocess_collapse_repeated, ctc_merge_repeated,
                     ignore_longer_outputs_than_inputs):
    steps, batch, classes = inputs.shape
    blank = classes - 1
    if sequence_length.shape != (batch,):
        raise _invalid(f"len(sequence_length) != batch_size.  len(sequence_length):  "
                       f"{sequence_length.shape[0]} batch_size: {batch}")
    labels = _batch_labels(labels_indices, labels_values, batch)
    loss = np.zeros(batch, dtype=inputs.dtype)
    grad = np.zeros(inputs.shape, dtype=inputs.dtype)
    log_y_all = _log_softmax(inputs.astype(np.float64))
    for b in range(batch):
        seq_len = int(sequence_length[b])
        if seq_len > steps or seq_len < 0:
            raise _invalid(f"sequence_length({b}) <= {steps}")
        label = labels[b]
        if preprocess_collapse_repeated:
            label = _collapse(label)
        if not label:
            raise _invalid(f"Labels length is zero in batch {b}")
        if min(label) < 0:
            raise _invalid(f"All labels must be nonnegative integers, batch: {b} labels: "
                           f"{','.join(map(str, labels[b]))}")
        if max(label) >= blank:
            raise _invalid(f"Saw a non-null label (index >= num_classes - 1) following a null "
                           f"label, batch: {b} num_classes: {classes} labels: "
                           f"{','.join(map(str, labels[b]))} labels seen so far: ")
        if len(label) > seq_len:
            if ignore_longer_outputs_than_inputs:
                continue
            raise _invalid(f"Not enough time for target transition sequence (required: "
                           f"{len(label)}, available: {seq_len})0You can turn this error into "
                           f"a warning by using the flag ignore_longer_outputs_than_inputs")
        if seq_len == 0:
            continue
        extended = [blank]
        for v in label:
            extended += [v, blank]
        log_y = log_y_all[:seq_len, b]
        log_p, both = _forward_backward(log_y, extended, blank, ctc_merge_repeated)
        loss[b] = -log_p
        y = np.exp(log_y)
        if np.isfinite(log_p):
            per_class = np.full((seq_len, classes), _LOG_ZERO)
            for k in set(extended):
                per_class[:, k] = _log_sum(both[:, np.asarray(extended) == k], axis=1)
            y = y - np.exp(per_class - log_p)
        grad[:seq_len, b] = y
    return loss, grad


def _ctc_loss_grad(op, dloss, _):
    # TF blocks second derivatives here (PreventGradient); the gradient output is constant.
    gradient = array.stop_gradient(op.outputs[1])
    return [array.expand_dims(array.expand_dims(dloss, 0), 2) * gradient, None, None, None]


register_op("CTCLoss", shape=_ctc_loss_shape, kernel=_ctc_loss_kernel, grad=_ctc_loss_grad)


# --- decoders ------------------------------------------------------------------------------------
def _sparse_parts(paths, batch):
    """(indices [n, 2], values [n], dense_shape [2]) of one path per batch entry."""
    indices = [[b, i] for b, path in enumerate(paths) for i in range(len(path))]
    values = [v for path in paths for v in path]
    width = max((len(p) for p in paths), default=0)
    return (np.array(indices, dtype=np.int64).reshape(-1, 2), np.array(values, dtype=np.int64),
            np.array([batch, width], dtype=np.int64))


def _check_lengths(sequence_length, steps, batch):
    if sequence_length.shape != (batch,):
        raise _invalid(f"len(sequence_length) != batch_size.  len(sequence_length):  "
                       f"{sequence_length.shape[0]} batch_size: {batch}")
    for b, n in enumerate(sequence_length.tolist()):
        if n > steps:
            raise _invalid(f"sequence_length({b}) <= {steps}")


def _greedy_shape(inputs, sequence_length, *, merge_repeated, blank_index=-1):
    _, b, _ = _sequence_dims("CTCGreedyDecoder", inputs, sequence_length)
    return [(dtypes.int64, TensorShape([None, 2])), (dtypes.int64, TensorShape([None])),
            (dtypes.int64, TensorShape([2])), (inputs.dtype, TensorShape([b, 1]))]


def _greedy_kernel(inputs, sequence_length, *, merge_repeated, blank_index=-1):
    steps, batch, classes = inputs.shape
    _check_lengths(sequence_length, steps, batch)
    blank = blank_index if blank_index >= 0 else classes - 1
    best = inputs.argmax(axis=2)
    top = inputs.max(axis=2)
    paths, log_prob = [], np.zeros((batch, 1), dtype=inputs.dtype)
    for b in range(batch):
        n = int(sequence_length[b])
        path, prev = [], -1
        for t in range(n):
            k = int(best[t, b])
            if k != blank and not (merge_repeated and k == prev):
                path.append(k)
            prev = k
        paths.append(path)
        log_prob[b, 0] = -top[:n, b].sum()
    return _sparse_parts(paths, batch) + (log_prob,)


register_op("CTCGreedyDecoder", shape=_greedy_shape, kernel=_greedy_kernel,
            grad=NOT_DIFFERENTIABLE)


class _Beam:
    """One beam entry: a label prefix (through its parent) and its log probabilities of
    ending in a blank or in its label, now (new) and at the previous step (old)."""

    __slots__ = ("parent", "label", "children", "old", "new")

    def __init__(self, parent, label):
        self.parent, self.label, self.children = parent, label, {}
        self.old = [_LOG_ZERO] * 3  # total, blank, label
        self.new = [_LOG_ZERO] * 3

    def active(self):
        return self.new[0] != _LOG_ZERO

    def child(self, label):
        entry = self.children.get(label)
        if entry is None:
            entry = self.children[label] = _Beam(self, label)
        return entry

    def labels(self, merge_repeated):
        out, prev, entry = [], -1, self
        while entry.parent is not None:
            if not merge_repeated or entry.label != prev:
                out.append(entry.label)
            prev, entry = entry.label, entry.parent
        return out[::-1]


def _lse(a, b):
    if a == _LOG_ZERO:
        return b
    if b == _LOG_ZERO:
        return a
    top = max(a, b)
    return top + float(np.log1p(np.exp(-abs(a - b))))


def _beam_search(log_probs, beam_width, blank):
    """TF's CTC beam search (no language model) over [T, C] log probabilities; returns the
    leaves sorted by total probability, best first."""
    root = _Beam(None, -1)
    root.new = [0.0, 0.0, _LOG_ZERO]
    leaves = [root]
    for row in log_probs:
        shifted = row - row.max()
        row = (shifted - np.log(np.exp(shifted).sum())).tolist()
        branches = sorted(leaves, key=lambda e: -e.new[0])
        for entry in branches:
            entry.old = list(entry.new)
        leaves = []
        for entry in branches:
            if entry.parent is not None:
                if entry.parent.active():
                    parent = entry.parent.old
                    previous = parent[1] if entry.label == entry.parent.label else parent[0]
                    entry.new[2] = _lse(entry.new[2], previous)
                entry.new[2] += row[entry.label]
            entry.new[1] = entry.old[0] + row[blank]
            entry.new[0] = _lse(entry.new[2], entry.new[1])
            leaves.append(entry)

        def bottom():
            return min(leaves, key=lambda e: e.new[0])

        def candidate(total):
            return total > _LOG_ZERO and (len(leaves) < beam_width or total > bottom().new[0])

        for entry in branches:
            if not candidate(entry.old[0]):
                continue
            for k, p in enumerate(row):
                if k == blank:
                    continue
                c = entry.child(k)
                if c.active():
                    continue
                c.new[1] = _LOG_ZERO
                previous = entry.old[1] if k == entry.label else entry.old[0]
                c.new[2] = p + previous
                c.new[0] = c.new[2]
                if candidate(c.new[0]):
                    if len(leaves) == beam_width:
                        dropped = bottom()
                        leaves.remove(dropped)
                        dropped.new = [_LOG_ZERO] * 3
                    leaves.append(c)
                else:
                    c.old = [_LOG_ZERO] * 3
                    c.new = [_LOG_ZERO] * 3
    return sorted(leaves, key=lambda e: -e.new[0])


def _beam_shape(inputs, sequence_length, *, beam_width, top_paths, merge_repeated):
    _, b, _ = _sequence_dims("CTCBeamSearchDecoder", inputs, sequence_length)
    if top_paths < 1 or beam_width < 1 or top_paths > beam_width:
        raise ValueError(f"CTCBeamSearchDecoder requires 1 <= top_paths <= beam_width, got "
                         f"top_paths {top_paths} and beam_width {beam_width}")
    return ([(dtypes.int64, TensorShape([None, 2]))] * top_paths
            + [(dtypes.int64, TensorShape([None]))] * top_paths
            + [(dtypes.int64, TensorShape([2]))] * top_paths
            + [(inputs.dtype, TensorShape([b, top_paths]))])


def _beam_kernel(inputs, sequence_length, *, beam_width, top_paths, merge_repeated):
    steps, batch, classes = inputs.shape
    _check_lengths(sequence_length, steps, batch)
    paths = [[None] * batch for _ in range(top_paths)]
    log_prob = np.zeros((batch, top_paths), dtype=inputs.dtype)
    for b in range(batch):
        n = int(sequence_length[b])
        leaves = _beam_search(inputs[:n, b].astype(np.float64), beam_width, classes - 1)
        if len(leaves) < top_paths:
            raise _invalid("Less leaves in the beam search than requested.")
        for i in range(top_paths):
            paths[i][b] = leaves[i].labels(merge_repeated)
            log_prob[b, i] = leaves[i].new[0]
    parts = [_sparse_parts(p, batch) for p in paths]
    return tuple([p[0] for p in parts] + [p[1] for p in parts] + [p[2] for p in parts]
                 + [log_prob])


register_op("CTCBeamSearchDecoder", shape=_beam_shape, kernel=_beam_kernel,
            grad=NOT_DIFFERENTIABLE)
