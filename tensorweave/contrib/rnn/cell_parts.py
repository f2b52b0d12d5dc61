"""Building blocks tf.contrib.rnn's research cells share, named as TF 1.15's cells name their
variables: affine maps (`kernel`, `bias`), sharded weights (`W_0`, `W_1`, ...), layer
normalization (`<scope>/gamma`, `<scope>/beta`)."""
from tensorweave import init_ops
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.nn.rnn_cell import LSTMStateTuple
from tensorweave.ops import array, math_ops, nn_ops, norm_ops
from tensorweave.util import nest
from tensorweave.variable_scope import get_variable, get_variable_scope, variable_scope


def known_input_size(inputs):
    size = inputs.shape.with_rank(2)[1].value
    if size is None:
        raise ValueError("Could not infer input size from inputs.get_shape()[-1]")
    return size


def sharded_variable(name, shape, dtype, num_shards):
    """Variable `name` [rows, ...] stored as `name_0` ... `name_<n-1>` (rows split as evenly
    as possible, the first shards one row larger), concatenated (once per scope) when n > 1."""
    if num_shards > shape[0]:
        raise ValueError(f"Too many shards: shape={shape}, num_shards={num_shards}")
    base, extra = divmod(shape[0], num_shards)
    shards = [get_variable(f"{name}_{i}", [base + (1 if i < extra else 0)] + list(shape[1:]),
                           dtype=dtype) for i in range(num_shards)]
    if len(shards) == 1:
        return shards[0]
    concat_name = f"{name}/concat"
    full_name = f"{get_variable_scope().name}/{concat_name}:0"
    graph = get_default_graph()
    for value in graph.get_collection(GraphKeys.CONCATENATED_VARIABLES):
        if value.name == full_name:
            return value
    joined = array.concat(shards, 0, name=concat_name)
    graph.add_to_collection(GraphKeys.CONCATENATED_VARIABLES, joined)
    return joined


def layer_norm(inputs, scope, gain, shift):
    """Layer normalization over the last axis with `<scope>/gamma` (gain) and `<scope>/beta`
    (shift), as tf.contrib.layers.layer_norm computes it (epsilon 1e-12)."""
    shape = inputs.shape[-1:]
    with variable_scope(scope):
        gamma = get_variable("gamma", shape=shape,
                             initializer=init_ops.constant_initializer(gain))
        beta = get_variable("beta", shape=shape, initializer=init_ops.constant_initializer(shift))
        with get_default_graph().name_scope("LayerNorm"):
            mean, variance = nn_ops.moments(inputs, [1], keep_dims=True)
            return norm_ops.batch_normalization(inputs, mean, variance, offset=beta,
                                                scale=gamma, variance_epsilon=1e-12)


def affine(args, output_size, bias, bias_initializer=None):
    """concat(args) @ `kernel` (+ `bias`, zeros by default) of the current variable scope."""
    args = args if nest.is_sequence(args) else [args]
    depth = sum(a.shape[1].value for a in args)
    dtype = args[0].dtype
    kernel = get_variable("kernel", [depth, output_size], dtype=dtype)
    out = math_ops.matmul(args[0] if len(args) == 1 else array.concat(list(args), 1), kernel)
    if not bias:
        return out
    biases = get_variable("bias", [output_size], dtype=dtype, initializer=bias_initializer or
                          init_ops.constant_initializer(0.0, dtype=dtype))
    return nn_ops.bias_add(out, biases)


def lstm_sizes(num_units, num_proj):
    """(state_size, output_size) of an LSTM with an optional projection."""
    out = num_proj or num_units
    return LSTMStateTuple(num_units, out), out


def clip(x, limit):
    return x if limit is None else math_ops.clip_by_value(x, -limit, limit)
