"""tf.contrib.layers.pool: N-d max or average pooling (tf.nn.pool) with TF-slim's layer
arguments: one kernel size, stride or dilation for every spatial dimension, or one each.

    y = tf.contrib.layers.pool(x, [2, 2], "MAX", stride=2)   # name scope max_pool
"""
from tensorweave.contrib.framework.arg_scope import add_arg_scope
from tensorweave.contrib.layers import utils
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.nn import conv_nd

__all__ = ["pool"]


@add_arg_scope
def pool(inputs, kernel_size, pooling_type, padding="VALID", data_format=None,
         dilation_rate=1, stride=1, outputs_collections=None, scope=None):
    """Pools `inputs` (rank N + 2, N spatial dimensions) with `pooling_type` "MAX" or "AVG";
    the output is also added to `outputs_collections`."""
    with name_scope(scope, f"{pooling_type.lower()}_pool", [inputs]) as sc:
        inputs = convert_to_tensor(inputs)
        rank = inputs.shape.ndims
        if rank is None:
            raise ValueError("Rank of inputs must be known")
        if rank < 3:
            raise ValueError("Rank of inputs must be >= 3")
        spatial = rank - 2
        output = conv_nd.pool(
            input=inputs, window_shape=utils.n_positive_integers(spatial, kernel_size),
            pooling_type=pooling_type, padding=padding, data_format=data_format,
            dilation_rate=utils.n_positive_integers(spatial, dilation_rate),
            strides=utils.n_positive_integers(spatial, stride), name=sc)
        return utils.collect_named_outputs(outputs_collections, sc, output)
