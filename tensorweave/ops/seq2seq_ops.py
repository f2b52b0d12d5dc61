"""The op type of tf.contrib.seq2seq's beam search: GatherTree, which follows each beam's
parent pointers back from its last step to give the whole sequence of ids it chose.

    beams = gather_tree(step_ids, parent_ids, max_sequence_lengths, end_token)
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.errors import InvalidArgumentError
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops._common import one

__all__ = []


def _gather_tree_shape(step_ids, parent_ids, max_sequence_lengths, end_token):
    for t in (step_ids, parent_ids, end_token):
        if t.dtype not in (dtypes.int32, dtypes.int64):
            raise TypeError(f"GatherTree requires int32 or int64 ids, got {t.dtype.name}")
    if not step_ids.dtype is parent_ids.dtype is end_token.dtype:
        raise TypeError("GatherTree requires step_ids, parent_ids and end_token of one dtype, "
                        f"got {step_ids.dtype.name}, {parent_ids.dtype.name} and "
                        f"{end_token.dtype.name}")
    if max_sequence_lengths.dtype is not dtypes.int32:
        raise TypeError("GatherTree requires int32 max_sequence_lengths, got "
                        f"{max_sequence_lengths.dtype.name}")
    try:
        shape = step_ids.shape.with_rank(3).merge_with(parent_ids.shape.with_rank(3))
        lengths = max_sequence_lengths.shape.with_rank(1)
        end_token.shape.with_rank(0)
        shape = TensorShape([shape[0], shape[1].merge_with(lengths[0]), shape[2]])
    except ValueError as e:
        raise ValueError(f"GatherTree: {e} (step_ids {step_ids.shape}, parent_ids "
                         f"{parent_ids.shape}, max_sequence_lengths "
                         f"{max_sequence_lengths.shape}, end_token {end_token.shape})") from None
    return [(step_ids.dtype, shape)]


def _gather_tree_kernel(step_ids, parent_ids, max_sequence_lengths, end_token):
    if step_ids.shape != parent_ids.shape:
        raise InvalidArgumentError(f"step_ids.shape must match parent_ids.shape but shapes "
                                   f"are: {list(step_ids.shape)} and {list(parent_ids.shape)}")
    max_time, batch, beam_width = step_ids.shape
    if max_sequence_lengths.shape != (batch,):
        raise InvalidArgumentError("batch_size dimensions of step_ids and max_sequence_lengths "
                                   f"don't match: {batch} vs. {max_sequence_lengths.shape}")
    end = end_token.item()
    beams = np.full(step_ids.shape, end, dtype=step_ids.dtype)
    for b in range(batch):
        length = min(max_time, int(max_sequence_lengths[b]))
        if length <= 0:
            continue
        for k in range(beam_width):
            beams[length - 1, b, k] = step_ids[length - 1, b, k]
            parent = parent_ids[length - 1, b, k]
            for level in range(length - 2, -1, -1):
                if parent < 0 or parent >= beam_width:
                    beams[level, b, k] = -1
                    break
                beams[level, b, k] = step_ids[level, b, parent]
                parent = parent_ids[level, b, parent]
            # after the first end token, a beam holds end tokens only
            ended = np.cumsum(beams[:length, b, k] == end) > 0
            after = np.concatenate([[False], ended[:-1]])
            beams[:length, b, k][after] = end
    return beams


register_op("GatherTree", shape=_gather_tree_shape, kernel=_gather_tree_kernel,
            grad=NOT_DIFFERENTIABLE)


def gather_tree(step_ids, parent_ids, max_sequence_lengths, end_token, name=None):
    """The full id sequences [max_time, batch, beam] of the beams of a beam search, from each
    step's ids and parent beams, each beam ending at its batch row's max sequence length and
    padded with `end_token` after its first end token."""
    step_ids = convert_to_tensor(step_ids, name="step_ids")
    parent_ids = convert_to_tensor(parent_ids, dtype=step_ids.dtype, name="parent_ids")
    max_sequence_lengths = convert_to_tensor(max_sequence_lengths, dtype=dtypes.int32,
                                             name="max_sequence_lengths")
    end_token = convert_to_tensor(end_token, dtype=step_ids.dtype, name="end_token")
    return one(create_op("GatherTree", [step_ids, parent_ids, max_sequence_lengths, end_token],
                         name=name or "GatherTree"))
