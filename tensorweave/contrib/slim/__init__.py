"""tf.contrib.slim: TF-slim, the layers of tf.contrib.layers, the variable helpers and
arg_scope of tf.contrib.framework, contrib's losses and metrics, and slim.learning /
slim.evaluation, as TF 1.15 exports them.

    slim = tf.contrib.slim
    with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.relu,
                        weights_regularizer=slim.l2_regularizer(0.0005)):
        net = slim.repeat(images, 2, slim.conv2d, 64, [3, 3], scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
"""
from tensorweave.contrib import losses, metrics  # noqa: F401
from tensorweave.contrib.framework import (  # noqa: F401
    VariableDeviceChooser, add_arg_scope, add_model_variable, arg_scope, arg_scope_func_key,
    arg_scoped_arguments, assert_global_step, assert_or_get_global_step,
    assign_from_checkpoint, assign_from_checkpoint_fn, assign_from_values,
    assign_from_values_fn, create_global_step, current_arg_scope, filter_variables,
    get_global_step, get_local_variables, get_model_variables, get_or_create_global_step,
    get_trainable_variables, get_unique_variable, get_variable_full_name, get_variables,
    get_variables_by_name, get_variables_by_suffix, get_variables_to_restore,
    global_variable, has_arg_scope, local_variable, model_variable, variable,
    zero_initializer)
from tensorweave.contrib.layers import (  # noqa: F401
    apply_regularization, avg_pool2d, avg_pool3d, batch_norm, bias_add, conv1d, conv2d,
    conv2d_in_plane, conv2d_transpose, conv3d, conv3d_transpose, convolution, convolution1d,
    convolution2d, convolution2d_in_plane, convolution2d_transpose, convolution3d,
    convolution3d_transpose, dense_to_sparse, dropout, elu, embed_sequence, flatten,
    fully_connected, group_norm, instance_norm, l1_l2_regularizer, l1_regularizer,
    l2_regularizer, layer_norm, linear, max_pool2d, max_pool3d, maxout, one_hot_encoding,
    optimize_loss, relu, relu6, repeat, separable_conv2d, separable_convolution2d, softmax,
    spatial_softmax, stack, sum_regularizer, summarize_activation, summarize_activations,
    summarize_collection, summarize_tensor, summarize_tensors, unit_norm,
    variance_scaling_initializer, xavier_initializer, xavier_initializer_conv2d)
from tensorweave.contrib.layers import utils  # noqa: F401
from tensorweave.contrib.slim import (evaluation, learning, model_analyzer,  # noqa: F401
                                     nets, queues, summaries)
from tensorweave.contrib.slim.data import (data_decoder, data_provider,  # noqa: F401
                                          dataset, dataset_data_provider, parallel_reader,
                                          prefetch_queue, tfexample_decoder)
