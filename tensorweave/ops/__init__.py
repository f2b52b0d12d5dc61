"""Floor 2: the op types a graph can contain, one family per module. Importing this package
registers every op type (the op families are imported here, lowest first)."""
from tensorweave.ops import array, control  # noqa: F401
from tensorweave.ops import math_ops, state_ops, random_ops, tensor_array_ops  # noqa: F401
from tensorweave.ops import nn_ops, conv_ops, norm_ops  # noqa: F401
from tensorweave.ops import lstm_ops, candidate_sampling_ops, io_ops, training_ops  # noqa: F401
from tensorweave.ops.array import dynamic  # noqa: F401
from tensorweave.ops import dataset, feature_column, iterator, parsing, summary  # noqa: F401
