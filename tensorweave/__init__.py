"""tensorweave: the TensorFlow 1.x programming model in Python on NumPy.

    import tensorweave as tf
    x = tf.placeholder(tf.float32, [None, 784])
    ...
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())

This module only hands names on: it is the `tf.` namespace users see. Libraries that need
more than NumPy (flags, summaries, ...) load on first use.
"""
from tensorweave import errors, nn  # noqa: F401
# Op families whose `__all__` lists the tf. names they define (loaded with the registry).
from tensorweave.ops.special_math import *  # noqa: F401,F403
from tensorweave.ops.complex_ops import *  # noqa: F401,F403
from tensorweave.ops.scatter_ops import *  # noqa: F401,F403
from tensorweave.ops.segment_ops import *  # noqa: F401,F403
from tensorweave.ops.sort_ops import *  # noqa: F401,F403
from tensorweave.ops.array.rearrange import *  # noqa: F401,F403
from tensorweave.ops.linalg_ops import *  # noqa: F401,F403
from tensorweave.ops.check_ops import *  # noqa: F401,F403
from tensorweave.ops.script_ops import *  # noqa: F401,F403
from tensorweave.ops.spectral_ops import *  # noqa: F401,F403
from tensorweave.ops.bitwise_ops import *  # noqa: F401,F403
from tensorweave.ops.random_distributions import *  # noqa: F401,F403
from tensorweave.ops.sparse_ops import *  # noqa: F401,F403
from tensorweave.ops.time_ops import *  # noqa: F401,F403
from tensorweave.ops.string_ops import *  # noqa: F401,F403
from tensorweave.ops.example_parsing import *  # noqa: F401,F403
from tensorweave.ops.reader_ops import *  # noqa: F401,F403
from tensorweave.ops.quantization_ops import *  # noqa: F401,F403
from tensorweave.util import lazy as _lazy
from tensorweave.core.constants import constant, convert_to_tensor  # noqa: F401
from tensorweave.core.dtypes import (DType, as_dtype, bool, complex64,  # noqa: F401,A004
                                     complex128, double, float16, float32, float64, half,
                                     int8, int16, int32, int64, string, uint8, uint16,
                                     uint32, uint64)
from tensorweave.core.dtypes import (QUANTIZED_DTYPES, bfloat16, qint8, qint16,  # noqa: F401
                                     qint32, quint8, quint16, resource, variant)
from tensorweave.core.devices import DeviceSpec  # noqa: F401
from tensorweave.core.indexed_slices import IndexedSlices  # noqa: F401
from tensorweave.core.errors import OpError  # noqa: F401
from tensorweave.core.graph import (Graph, GraphKeys, add_to_collection,  # noqa: F401
                                    add_to_collections, colocate_with, container,
                                    control_dependencies, device,
                                    get_collection, get_collection_ref, get_default_graph,
                                    init_scope, name_scope, op_scope, reset_default_graph)
from tensorweave.core.operation import Operation, Tensor  # noqa: F401
from tensorweave.core.registry import NOT_DIFFERENTIABLE  # noqa: F401
from tensorweave.core.seeds import get_seed  # noqa: F401
from tensorweave.core.tensor_shape import (Dimension, TensorShape,  # noqa: F401
                                           dimension_value)
from tensorweave.gradients import (AggregationMethod, NoGradient,  # noqa: F401
                                   NotDifferentiable, RegisterGradient,
                                   UnconnectedGradients, gradients, hessians,
                                   no_gradient)
from tensorweave.init_ops import (constant_initializer, glorot_normal_initializer,  # noqa: F401
                                  glorot_uniform_initializer, ones_initializer,
                                  orthogonal_initializer, random_normal_initializer,
                                  random_uniform_initializer, truncated_normal_initializer,
                                  uniform_unit_scaling_initializer,
                                  variance_scaling_initializer, zeros_initializer)
from tensorweave.ops.array import (broadcast_to, cast, concat, expand_dims, fill,  # noqa: F401
                                   gather, identity, newaxis, one_hot, ones, ones_like, pad,
                                   placeholder, placeholder_with_default, rank, reshape,
                                   shape, size, split, squeeze, stack,
                                   stop_gradient, strided_slice, tile, to_double, to_float,
                                   to_int32, to_int64, transpose, unsorted_segment_sum, unstack,
                                   where, zeros, zeros_like)
from tensorweave.ops.array import reverse_sequence  # noqa: F401
from tensorweave.ops.array import range_ as range  # noqa: F401,A004
from tensorweave.ops.array import slice_ as slice  # noqa: F401,A004
from tensorweave.ops.control import group, no_op  # noqa: F401
from tensorweave.ops.control import tuple_ as tuple  # noqa: F401,A004
from tensorweave.ops.control import case, cond, while_loop  # noqa: F401
from tensorweave.ops.control.switch_case import switch_case  # noqa: F401
from tensorweave.ops.math_ops import arg_max, arg_min, saturate_cast  # noqa: F401
from tensorweave.ops.math_ops import (abs, accumulate_n, add, add_n, argmax,  # noqa: F401,A004
                                      argmin, ceil, clip_by_average_norm,
                                      clip_by_global_norm, clip_by_norm,
                                      clip_by_value, cos, count_nonzero, div, divide, equal,
                                      exp, floor, floor_div, floordiv, floormod, global_norm,
                                      greater, greater_equal, is_finite, is_nan, less,
                                      less_equal, log, log1p, logical_and, logical_not,
                                      logical_or, logical_xor, matmul, maximum, minimum, mod,
                                      multiply, negative, not_equal, pow, reciprocal,
                                      reduce_all, reduce_any, reduce_logsumexp, reduce_max,
                                      reduce_mean, reduce_min, reduce_prod, reduce_sum, round,
                                      rsqrt, scalar_mul, sigmoid, sign, sin, sqrt, square,
                                      squared_difference, subtract, tanh, truediv)
from tensorweave.ops.random_ops import (multinomial, random_normal,  # noqa: F401
                                        random_shuffle, random_uniform, set_random_seed,
                                        truncated_normal)
from tensorweave.ops.state_ops import assign, assign_add, assign_sub  # noqa: F401
from tensorweave.ops.tensor_array_ops import TensorArray  # noqa: F401
from tensorweave.runtime.config import ConfigProto, GPUOptions, GraphOptions  # noqa: F401
from tensorweave.runtime.session import (InteractiveSession, Session,  # noqa: F401
                                         get_default_session)
from tensorweave.variable_scope import (AUTO_REUSE, VariableAggregation,  # noqa: F401
                                        VariableScope, VariableSynchronization,
                                        get_local_variable, get_variable, get_variable_scope,
                                        no_regularizer, variable_op_scope, variable_scope)
from tensorweave.variables import (Variable, all_variables,  # noqa: F401
                                   assert_variables_initialized, global_variables,
                                   global_variables_initializer, initialize_all_tables,
                                   initialize_all_variables, initialize_local_variables,
                                   initialize_variables, is_variable_initialized,
                                   local_variables, local_variables_initializer,
                                   model_variables, moving_average_variables,
                                   report_uninitialized_variables, tables_initializer,
                                   trainable_variables, variables_initializer)

# The TensorFlow API version tensorweave follows, with tensorweave's own release as a PEP 440
# local label: programs that check `tf.__version__.startswith("1.")` see TF 1.15.
VERSION = "1.15.0"
__version__ = VERSION + "+tensorweave.0.1.0"
GIT_VERSION = "tensorweave-0.1.0"
COMPILER_VERSION = "none (pure Python on NumPy)"
GRAPH_DEF_VERSION = 134  # the GraphDef producer version tensorweave writes (TF 1.15's)
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0
CXX11_ABI_FLAG = 0  # no C++ in tensorweave; TF's values for a build without the C++11 ABI
CXX_VERSION = 0
MONOLITHIC_BUILD = 0


_LAZY_MODULES = {
    "app": "tensorweave.platform.app",
    "flags": "tensorweave.platform.flags",
    "gfile": "tensorweave.platform.gfile",
    "logging": "tensorweave.platform.tf_logging",
    "examples": "tensorweave.examples",
    "contrib": "tensorweave.contrib",
    "compat": "tensorweave.compat",
    "data": "tensorweave.data",
    "io": "tensorweave.io",
    "python_io": "tensorweave.io.tf_record",
    "random": "tensorweave.random",
    "decode_csv": "tensorweave.io.parsing_ops:decode_csv",  # module:attribute
    "summary": "tensorweave.summary",
    "layers": "tensorweave.layers",
    "metrics": "tensorweave.metrics",
    "estimator": "tensorweave.estimator",
    "feature_column": "tensorweave.estimator.feature_column",
    "keras": "tensorweave.keras",
    "RunOptions": "tensorweave.runtime.trace:RunOptions",  # config_pb2 protos (tensorboard)
    "RunMetadata": "tensorweave.runtime.trace:RunMetadata",
    "import_graph_def": "tensorweave.core.importer:import_graph_def",
    "losses": "tensorweave.losses",
    "train": "tensorweave.train",
    # libraries whose tf. names load on first use
    **_lazy.names_from("tensorweave.nn.functional", "foldl", "foldr", "map_fn", "scan"),
    **_lazy.names_from("tensorweave.nn.conv_nd", "conv", "conv2d_backprop_filter_v2",
                       "conv2d_backprop_input_v2"),
    **_lazy.names_from("tensorweave.nn.rnn", "sequence_mask"),
    **_lazy.names_from("tensorweave.accumulators", "ConditionalAccumulator",
                       "ConditionalAccumulatorBase", "SparseConditionalAccumulator"),
    **_lazy.names_from("tensorweave.gradient_overrides", "custom_gradient", "grad_pass_through",
        "recompute_grad"),
    **_lazy.names_from("tensorweave.template", "make_template"),
    **_lazy.names_from("tensorweave.tensor_util", "make_tensor_proto", "make_ndarray",
        "get_static_value", "is_tensor", "register_tensor_conversion_function",
        "convert_to_tensor_or_sparse_tensor", "convert_to_tensor_or_indexed_slices",
        "dimension_at_index", "is_symbolic_tensor"),
    **_lazy.names_from("tensorweave.v2_behavior", "enable_eager_execution",
        "disable_eager_execution", "executing_eagerly", "executing_eagerly_outside_functions",
        "enable_v2_behavior", "disable_v2_behavior", "enable_control_flow_v2",
        "disable_control_flow_v2", "control_flow_v2_enabled", "enable_resource_variables",
        "disable_resource_variables", "resource_variables_enabled", "enable_tensor_equality",
        "disable_tensor_equality", "enable_v2_tensorshape", "disable_v2_tensorshape"),
    **_lazy.names_from("tensorweave.partitioners", "fixed_size_partitioner",
        "min_max_variable_partitioner", "variable_axis_size_partitioner"),
    **_lazy.names_from("tensorweave.graph_function", "function", "TensorSpec", "TypeSpec",
                       "type_spec_from_value"),
    **_lazy.names_from("tensorweave.module", "Module"),
    **_lazy.names_from("tensorweave.queues", "FIFOQueue", "FixedLengthRecordReader",
        "IdentityReader", "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue",
        "ReaderBase", "TFRecordReader", "TextLineReader", "WholeFileReader"),
    **_lazy.names_from("tensorweave.gradient_tape", "GradientTape"),
    **_lazy.names_from("tensorweave.parallel_for", "vectorized_map"),
    **_lazy.names_from("tensorweave.partitioned_variables", "create_partitioned_variables"),
    **_lazy.names_from("tensorweave.op_libraries", "load_file_system_library", "load_library",
        "load_op_library"),
    **_lazy.names_from("tensorweave.batch_ops", "nondifferentiable_batch_function"),
    "math": "tensorweave.math",
    "linalg": "tensorweave.linalg",
    "dtypes": "tensorweave.dtypes",
    "debugging": "tensorweave.debugging",
    "manip": "tensorweave.manip",
    "version": "tensorweave.version",
    "signal": "tensorweave.signal",
    "spectral": "tensorweave.spectral",
    "initializers": "tensorweave.initializers",
    "bitwise": "tensorweave.bitwise",
    "test": "tensorweave.test",
    "sparse": "tensorweave.sparse",
    "nest": "tensorweave.nest",
    "resource_loader": "tensorweave.resource_loader",
    "config": "tensorweave.config",
    "graph_util": "tensorweave.graph_util",
    "strings": "tensorweave.strings",
    "image": "tensorweave.image",
    "distributions": "tensorweave.distributions",
    "lookup": "tensorweave.lookup",
    "saved_model": "tensorweave.saved_model",
    "sets": "tensorweave.sets",
    "ragged": "tensorweave.ragged",
    "RaggedTensor": "tensorweave.ragged.ragged_tensor:RaggedTensor",
    "RaggedTensorSpec": "tensorweave.ragged.ragged_tensor:RaggedTensorSpec",
    "queue": "tensorweave.queue",
    "quantization": "tensorweave.quantization",
    "profiler": "tensorweave.profiler",
    "xla": "tensorweave.xla",
    "get_logger": "tensorweave.platform.tf_logging:get_logger",
    **{name: f"tensorweave.lib.tf_protos:{name}" for name in (
        "AttrValue", "NameAttrList", "GraphDef", "NodeDef", "MetaGraphDef", "TensorInfo",
        "Event", "SessionLog", "LogMessage", "Summary", "SummaryMetadata", "HistogramProto")},
    "OptimizerOptions": "tensorweave.runtime.config:OptimizerOptions",
}


__getattr__ = _lazy.attributes(__name__, _LAZY_MODULES)  # optional libraries on first use
