"""Floor 2: the op types a graph can contain, one family per module. Importing this package
registers every op type (the op families are imported here, lowest first)."""
from tensorweave.ops import array, control  # noqa: F401
from tensorweave.ops import math_ops, state_ops, random_ops, tensor_array_ops  # noqa: F401
from tensorweave.ops import nn_ops, conv_ops, norm_ops  # noqa: F401
from tensorweave.ops import lstm_ops, candidate_sampling_ops, io_ops, training_ops  # noqa: F401
from tensorweave.ops.array import dynamic  # noqa: F401
from tensorweave.ops import dataset, feature_column, iterator, parsing, summary  # noqa: F401
from tensorweave.ops import special_math, complex_ops, scatter_ops, segment_ops, sort_ops  # noqa
from tensorweave.ops import linalg_ops, check_ops, script_ops, spectral_ops, bitwise_ops  # noqa
from tensorweave.ops import random_distributions, sparse_ops, time_ops  # noqa: F401
from tensorweave.ops.array import rearrange  # noqa: F401
from tensorweave.ops import conv3d_ops, pool_ops, dilation_ops, ctc_ops  # noqa: F401
from tensorweave.ops import string_ops, queue_ops, reader_ops, example_parsing  # noqa: F401
from tensorweave.ops import image_color_ops, clustering_ops  # noqa: F401
from tensorweave.ops import lookup_ops, set_ops, ragged_ops  # noqa: F401
from tensorweave.ops import image_ops, image_codec_ops, image_box_ops  # noqa: F401
from tensorweave.ops import seq2seq_ops  # noqa: F401
from tensorweave.ops import mpi_ops  # noqa: F401
from tensorweave.ops import quantization_ops, accumulator_ops  # noqa: F401
from tensorweave.ops import tensor_forest_ops  # noqa: F401
