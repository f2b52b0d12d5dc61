"""tf.contrib.layers' legacy fully connected layer (TF 0.x's form, still in TF 1.15):
`legacy_fully_connected(x, num_output_units, weight_init=..., bias_init=...)` with variables
`weights` and `bias` under a `fully_connected` scope, and its partials `legacy_relu` and
`legacy_linear`.

    y = tf.contrib.layers.legacy_relu(x, 64, name="hidden")   # hidden/weights, hidden/bias
"""
import functools

from tensorweave import init_ops
from tensorweave.contrib.layers import initializers
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, add_to_collections
from tensorweave.ops import array, math_ops, nn_ops
from tensorweave.variable_scope import get_variable, variable_scope

__all__ = ["legacy_fully_connected", "legacy_relu", "legacy_linear"]


def legacy_fully_connected(x, num_output_units, activation_fn=None,
                           weight_init=initializers.xavier_initializer(),
                           bias_init=init_ops.zeros_initializer(), name=None,
                           weight_collections=(GraphKeys.WEIGHTS,),
                           bias_collections=(GraphKeys.BIASES,),
                           output_collections=(GraphKeys.ACTIVATIONS,), trainable=True,
                           weight_regularizer=None, bias_regularizer=None):
    """activation_fn(x @ weights + bias) over the last axis of `x` (rank >= 2, last dimension
    known); `bias_init=None` leaves the bias out. The variables go to the given collections
    (and the global variables), the output to `output_collections` and ACTIVATIONS."""
    with variable_scope(name, "fully_connected", [x]):
        x = convert_to_tensor(x)
        if x.shape.ndims is None:
            raise ValueError("dims of x must be known but is None")
        rank = x.shape.ndims
        if rank < 2:
            raise ValueError(f"rank of x must be at least 2 not: {rank}")
        num_input_units = x.shape[-1].value
        if num_input_units is None:
            raise ValueError("last dimension of x must be known but is None")
        dtype = x.dtype.base_dtype
        weights = get_variable(
            "weights", shape=[num_input_units, num_output_units], dtype=dtype,
            initializer=weight_init, regularizer=weight_regularizer, trainable=trainable,
            collections=list(set(list(weight_collections or []) +
                                 [GraphKeys.GLOBAL_VARIABLES])))
        flat = x if rank <= 2 else array.reshape(x, [-1, num_input_units])
        y = math_ops.matmul(flat, weights)
        if bias_init is not None:
            bias = get_variable(
                "bias", shape=[num_output_units], dtype=dtype, initializer=bias_init,
                regularizer=bias_regularizer, trainable=trainable,
                collections=list(set(list(bias_collections or []) +
                                     [GraphKeys.GLOBAL_VARIABLES])))
            y = nn_ops.bias_add(y, bias)
        if rank > 2:
            out_shape = array.unstack(array.shape(x))
            out_shape[-1] = num_output_units
            y = array.reshape(y, array.stack(out_shape))
            static_shape = x.shape.as_list()
            static_shape[-1] = num_output_units
            y.set_shape(static_shape)
        if activation_fn is not None:
            y = activation_fn(y)
        add_to_collections(list(output_collections or []) + [GraphKeys.ACTIVATIONS], y)
        return y


legacy_relu = functools.partial(legacy_fully_connected, activation_fn=nn_ops.relu)
legacy_linear = functools.partial(legacy_fully_connected, activation_fn=None)
