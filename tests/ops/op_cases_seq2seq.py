"""Op table rows for tf.contrib.seq2seq's op type (ops/seq2seq_ops.py): GatherTree. The
reference walks each beam back recursively from its last step, independently of the kernel."""
import numpy as np

import tensorweave.ops.seq2seq_ops  # noqa: F401  (registers GatherTree)

from op_case import Case, ints


def _gather_tree(step_ids, parent_ids, lengths, end_token):
    max_time, batch, width = step_ids.shape
    end = int(end_token)
    out = np.full(step_ids.shape, end, dtype=step_ids.dtype)

    def walk(level, b, k, row):  # the ids of beam k from step `level` down to step 0
        if level < 0:
            return row
        return walk(level - 1, b, parent_ids[level, b, k], [step_ids[level, b, k]] + row)

    for b in range(batch):
        n = min(max_time, int(lengths[b]))
        for k in range(width):
            ids = walk(n - 2, b, parent_ids[n - 1, b, k], [step_ids[n - 1, b, k]]) if n > 0 \
                else []
            done = False
            for t, token in enumerate(ids):
                out[t, b, k] = end if done else token
                done = done or token == end
    return out


_rng = np.random.RandomState(7)
_STEP = _rng.randint(0, 6, size=(5, 2, 3)).astype(np.int32)
_PARENT = _rng.randint(0, 3, size=(5, 2, 3)).astype(np.int32)

CASES = [
    Case("GatherTree", [_STEP, _PARENT, ints(5, 3), np.int32(4)], _gather_tree),
    Case("GatherTree", [_STEP.astype(np.int64), _PARENT.astype(np.int64), ints(0, 7),
                        np.int64(2)], _gather_tree, tag="int64-lengths-0-and-past-time"),
]
