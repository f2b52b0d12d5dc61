"""tf.contrib.layers: TF-slim's layers, initializers, regularizers, optimize_loss and summary
helpers under TF 1.15's names (see layers.py for the variable names they create)."""
from tensorweave.contrib.framework.arg_scope import arg_scope  # noqa: F401
from tensorweave.contrib.layers import utils  # noqa: F401
from tensorweave.contrib.layers.initializers import (  # noqa: F401
    variance_scaling_initializer, xavier_initializer, xavier_initializer_conv2d)
from tensorweave.contrib.layers.layers import (  # noqa: F401
    avg_pool2d, avg_pool3d, batch_norm, bias_add, conv1d, conv2d, conv2d_transpose, conv3d,
    convolution, convolution1d, convolution2d, convolution2d_transpose, convolution3d, dropout,
    embed_sequence, flatten, fully_connected, layer_norm, linear, max_pool2d, max_pool3d,
    one_hot_encoding, relu, relu6, repeat, separable_conv2d, separable_convolution2d, softmax,
    stack, unit_norm)
from tensorweave.contrib.layers.optimizers import (  # noqa: F401
    OPTIMIZER_CLS_NAMES, OPTIMIZER_SUMMARIES, optimize_loss)
from tensorweave.contrib.layers.regularizers import (  # noqa: F401
    apply_regularization, l1_l2_regularizer, l1_regularizer, l2_regularizer, sum_regularizer)
from tensorweave.contrib.layers.summaries import (  # noqa: F401
    summarize_activation, summarize_activations, summarize_biases, summarize_collection,
    summarize_tensor, summarize_tensors, summarize_variables, summarize_weights)

legacy_fully_connected = fully_connected
