"""tf.nn: neural-network ops."""
from tensorweave.util import lazy
from tensorweave.ops.math_ops import sigmoid, tanh  # noqa: F401
from tensorweave.ops.nn_ops import (bias_add, dropout, elu, in_top_k, l2_loss,  # noqa: F401
                                    l2_normalize, leaky_relu, log_softmax, moments, relu,
                                    relu6, selu, sigmoid_cross_entropy_with_logits, softmax,
                                    softmax_cross_entropy_with_logits,
                                    softmax_cross_entropy_with_logits_v2, softplus, softsign,
                                    sparse_softmax_cross_entropy_with_logits, top_k,
                                    weighted_cross_entropy_with_logits, zero_fraction)
from tensorweave.ops.conv_ops import (avg_pool, avg_pool2d, conv2d,  # noqa: F401
                                      conv2d_backprop_filter, conv2d_backprop_input,
                                      conv2d_transpose, depthwise_conv2d,
                                      depthwise_conv2d_native, max_pool, max_pool2d,
                                      separable_conv2d)
from tensorweave.ops.norm_ops import (batch_normalization, embedding_lookup,  # noqa: F401
                                      fused_batch_norm, local_response_normalization, lrn)
from tensorweave.ops.dilation_ops import dilation2d  # noqa: F401
from tensorweave.ops.pool_ops import (fractional_avg_pool, fractional_max_pool,  # noqa: F401
                                      max_pool_with_argmax)
from tensorweave.ops.array.rearrange import (depth_to_space, space_to_batch,  # noqa: F401
                                             space_to_depth)
from tensorweave.ops.special_math import approx_max_k, approx_min_k  # noqa: F401
from tensorweave.ops.candidate_sampling_ops import (all_candidate_sampler,  # noqa: F401
                                                    compute_accidental_hits,
                                                    fixed_unigram_candidate_sampler,
                                                    learned_unigram_candidate_sampler,
                                                    log_uniform_candidate_sampler,
                                                    uniform_candidate_sampler)

# Composites (library code) load on first use.
__getattr__ = lazy.attributes(__name__, {
    "rnn_cell": "tensorweave.nn.rnn_cell",
    **lazy.names_from("tensorweave.nn.impl", "batch_norm_with_global_normalization",
                      "compute_average_loss", "crelu", "log_poisson_loss", "normalize_moments",
                      "relu_layer", "scale_regularization_loss", "silu", "sufficient_statistics",
                      "swish", "weighted_moments", "xw_plus_b"),
    **lazy.names_from("tensorweave.nn.conv_nd", "atrous_conv2d", "atrous_conv2d_transpose",
                      "avg_pool1d", "avg_pool3d", "avg_pool_v2", "conv1d", "conv1d_transpose",
                      "conv3d", "conv3d_backprop_filter", "conv3d_backprop_filter_v2",
                      "conv3d_transpose", "conv_transpose", "convolution",
                      "depthwise_conv2d_backprop_filter", "depthwise_conv2d_backprop_input",
                      "depthwise_conv2d_native_backprop_filter",
                      "depthwise_conv2d_native_backprop_input", "erosion2d", "max_pool1d",
                      "max_pool3d", "max_pool_v2", "pool", "with_space_to_batch"),
    **lazy.names_from("tensorweave.nn.ctc", "collapse_repeated", "ctc_beam_search_decoder",
                      "ctc_beam_search_decoder_v2", "ctc_greedy_decoder", "ctc_loss",
                      "ctc_loss_v2", "ctc_unique_labels"),
    **lazy.names_from("tensorweave.nn.embedding", "embedding_lookup_sparse",
                      "safe_embedding_lookup_sparse"),
    **lazy.names_from("tensorweave.nn.rnn", "bidirectional_dynamic_rnn", "dynamic_rnn",
                      "static_rnn"),
    **lazy.names_from("tensorweave.nn.rnn_loops", "raw_rnn", "static_bidirectional_rnn",
                      "static_state_saving_rnn"),
    **lazy.names_from("tensorweave.nn.sampled_losses", "nce_loss", "sampled_softmax_loss"),
})
