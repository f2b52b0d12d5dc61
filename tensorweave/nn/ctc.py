"""tf.nn's connectionist temporal classification: ctc_loss (sparse labels, blank = last
class), ctc_loss_v2 (sparse or dense labels, any blank), the greedy and beam search decoders
(SparseTensor paths), and the label helpers collapse_repeated and ctc_unique_labels.

    loss = tf.nn.ctc_loss(sparse_labels, logits, sequence_length)   # logits [T, B, C]
    decoded, log_prob = tf.nn.ctc_greedy_decoder(logits, sequence_length)
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.sparse_tensor import SparseTensor
from tensorweave.nn.rnn import sequence_mask
from tensorweave.ops import array, ctc_ops, math_ops  # noqa: F401 - ctc_ops registers


def _dim(t, i):
    """Dimension i of t: an int when known, else a scalar tensor."""
    d = t.shape[i].value if t.shape.ndims is not None else None
    return d if d is not None else array.shape(t)[i]


# --- loss ----------------------------------------------------------------------------------------
def ctc_loss(labels, inputs=None, sequence_length=None, preprocess_collapse_repeated=False,
             ctc_merge_repeated=True, ignore_longer_outputs_than_inputs=False,
             time_major=True, logits=None):
    """Negative log-probability of each batch entry's label sequence under CTC; `labels` is
    an int32 SparseTensor, `inputs` logits [max_time, batch, classes] (time_major) whose last
    class is the blank."""
    if not isinstance(labels, SparseTensor):
        raise TypeError("Expected labels (first argument) to be a SparseTensor")
    inputs = logits if inputs is None else inputs
    inputs = convert_to_tensor(inputs)
    if not time_major:
        inputs = array.transpose(inputs, [1, 0, 2])
    values = labels.values
    if values.dtype is not dtypes.int32:
        values = array.cast(values, dtypes.int32)
    op = create_op("CTCLoss", [inputs, labels.indices, values,
                               convert_to_tensor(sequence_length, dtype=dtypes.int32)],
                   name="CTCLoss",
                   preprocess_collapse_repeated=bool(preprocess_collapse_repeated),
                   ctc_merge_repeated=bool(ctc_merge_repeated),
                   ignore_longer_outputs_than_inputs=bool(ignore_longer_outputs_than_inputs))
    return op.outputs[0]


def _blank_last(logits, labels_values, blank_index, classes):
    """Logits with class blank_index moved last and label values renumbered to match."""
    if blank_index == classes - 1:
        return logits, labels_values
    logits = array.concat([logits[:, :, :blank_index], logits[:, :, blank_index + 1:],
                           logits[:, :, blank_index:blank_index + 1]], axis=2)
    shifted = array.where(labels_values < blank_index, labels_values, labels_values - 1)
    return logits, shifted


def dense_labels_to_sparse(labels, label_length):
    """A SparseTensor of the first label_length[b] entries of each row of dense `labels`."""
    labels = convert_to_tensor(labels)
    width = _dim(labels, 1)
    mask = sequence_mask(label_length, maxlen=width)
    indices = array.where(mask)
    flat = indices[:, 0] * array.cast(width, dtypes.int64) + indices[:, 1]
    values = array.gather(array.reshape(labels, [-1]), flat)
    shape = array.cast(array.shape(labels), dtypes.int64)
    return SparseTensor(indices, values, shape)


def ctc_loss_v2(labels, logits, label_length, logit_length, logits_time_major=True,
                unique=None, blank_index=None, name=None):
    """CTC loss with dense labels [batch, max_label_length] (and label_length) or a sparse
    tensor; the blank is class blank_index (0 by default for dense labels; required for
    sparse ones)."""
    with name_scope(name, "ctc_loss_dense" if not isinstance(labels, SparseTensor)
                    else "ctc_loss", [logits, labels]):
        logits = convert_to_tensor(logits, name="logits")
        classes = logits.shape[2].value if logits.shape.ndims == 3 else None
        if isinstance(labels, SparseTensor):
            if blank_index is None:
                raise ValueError("blank_index must be given when using SparseTensor labels.")
        else:
            blank_index = 0 if blank_index is None else blank_index
            if not logits_time_major:
                logits = array.transpose(logits, [1, 0, 2])
                logits_time_major = True
            labels = dense_labels_to_sparse(labels, label_length)
        if classes is None:
            raise ValueError("ctc_loss_v2 needs the number of classes while building the graph")
        if blank_index < 0:
            blank_index += classes
        if not logits_time_major:
            logits = array.transpose(logits, [1, 0, 2])
        logits, values = _blank_last(logits, labels.values, blank_index, classes)
        labels = SparseTensor(labels.indices, values, labels.dense_shape)
        return ctc_loss(labels, logits, logit_length, time_major=True)


# --- decoders -------------------------------------------------------------------------------------
def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """Best path decoding: the most likely class at each step, repeats merged (if
    merge_repeated) and blanks dropped. Returns ([SparseTensor], -sum of the max logits
    [batch, 1])."""
    op = create_op("CTCGreedyDecoder", [convert_to_tensor(inputs),
                                        convert_to_tensor(sequence_length, dtype=dtypes.int32)],
                   name="CTCGreedyDecoder", merge_repeated=bool(merge_repeated),
                   blank_index=-1 if blank_index is None else int(blank_index))
    indices, values, shape, log_probability = op.outputs
    return [SparseTensor(indices, values, shape)], log_probability


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1,
                            merge_repeated=True):
    """Beam search decoding (TF's, without a language model): the top_paths best label
    sequences as SparseTensors and their log probabilities [batch, top_paths]."""
    op = create_op("CTCBeamSearchDecoder",
                   [convert_to_tensor(inputs),
                    convert_to_tensor(sequence_length, dtype=dtypes.int32)],
                   name="CTCBeamSearchDecoder", beam_width=int(beam_width),
                   top_paths=int(top_paths), merge_repeated=bool(merge_repeated))
    out = op.outputs
    n = int(top_paths)
    decoded = [SparseTensor(out[i], out[n + i], out[2 * n + i]) for i in range(n)]
    return decoded, out[3 * n]


def ctc_beam_search_decoder_v2(inputs, sequence_length, beam_width=100, top_paths=1):
    """ctc_beam_search_decoder without merging repeated labels of a path."""
    return ctc_beam_search_decoder(inputs, sequence_length, beam_width, top_paths,
                                   merge_repeated=False)


# --- label helpers -------------------------------------------------------------------------------
def _inclusive_cumsum(x, length):
    """Cumulative sums along the last axis of float [batch, length] x (a triangular matmul)."""
    upper = array.reshape(array.cast(
        math_ops.less_equal(array.expand_dims(array.range_(length), 1),
                            array.expand_dims(array.range_(length), 0)), x.dtype),
        [length, length])
    return math_ops.matmul(x, upper)


def collapse_repeated(labels, seq_length, name=None):
    """Merges runs of repeated labels of [batch, max_len] `labels` (the first seq_length of
    each row): returns (collapsed labels padded with 0 to the longest, new lengths)."""
    with name_scope(name, "collapse_repeated_labels", [labels, seq_length]):
        labels = convert_to_tensor(labels, name="labels")
        seq_length = convert_to_tensor(seq_length, name="seq_length")
        maxlen = _dim(labels, 1)
        keep = array.concat([array.ones_like(labels[:, :1], dtype=dtypes.bool),
                             math_ops.not_equal(labels[:, 1:], labels[:, :-1])], axis=1)
        keep = math_ops.logical_and(keep, sequence_mask(seq_length, maxlen=maxlen))
        keep_f = array.cast(keep, dtypes.float64)
        new_len = array.cast(math_ops.reduce_sum(keep_f, axis=1), dtypes.int32)
        new_max = math_ops.reduce_max(new_len)
        target = array.cast(_inclusive_cumsum(keep_f, maxlen), dtypes.int32) - 1
        placed = array.one_hot(array.where(keep, target, array.fill(array.shape(target), -1)),
                               new_max, dtype=dtypes.float64)  # [batch, maxlen, new_max]
        values = array.cast(labels, dtypes.float64)
        collapsed = math_ops.reduce_sum(placed * array.expand_dims(values, 2), axis=1)
        return (array.cast(collapsed, labels.dtype),
                array.cast(new_len, seq_length.dtype))


def ctc_unique_labels(labels, name=None):
    """For each row of [batch, max_len] `labels`: its distinct values in order of first
    appearance padded with 0 (int64), and each entry's index into them (int32)."""
    with name_scope(name, "ctc_unique_labels", [labels]):
        labels = convert_to_tensor(labels, name="labels")
        length = _dim(labels, 1)
        equal = math_ops.equal(array.expand_dims(labels, 2), array.expand_dims(labels, 1))
        before = math_ops.less(array.expand_dims(array.range_(length), 1),
                               array.expand_dims(array.range_(length), 0))  # j < i at [j, i]
        seen = math_ops.logical_and(equal, array.expand_dims(array.transpose(before), 0))
        first = math_ops.logical_not(math_ops.reduce_any(seen, axis=2))  # [batch, length]
        first_f = array.cast(first, dtypes.float64)
        rank = _inclusive_cumsum(first_f, length) - 1  # slot of each first occurrence
        origin = math_ops.argmax(array.cast(equal, dtypes.int32), axis=2,
                                 output_type=dtypes.int32)  # first j with labels[j] == x
        idx = math_ops.reduce_sum(array.one_hot(origin, length, dtype=dtypes.float64)
                                  * array.expand_dims(rank, 1), axis=2)
        slot = array.where(first, array.cast(rank, dtypes.int32),
                           array.fill(array.shape(origin), -1))
        spread = array.one_hot(slot, length, dtype=dtypes.float64)  # [batch, length, length]
        values = array.cast(labels, dtypes.float64)
        unique = math_ops.reduce_sum(spread * array.expand_dims(values, 2), axis=1)
        return array.cast(unique, dtypes.int64), array.cast(idx, dtypes.int32)
