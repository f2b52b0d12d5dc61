"""tf.nn: neural-network ops."""
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
from tensorweave.nn.impl import (batch_norm_with_global_normalization,  # noqa: F401
                                  compute_average_loss, crelu, log_poisson_loss,
                                  normalize_moments, relu_layer, scale_regularization_loss,
                                  silu, sufficient_statistics, swish, weighted_moments,
                                  xw_plus_b)
from tensorweave.nn.conv_nd import (atrous_conv2d, atrous_conv2d_transpose,  # noqa: F401
                                        avg_pool1d, avg_pool3d, avg_pool_v2, conv1d,
                                        conv1d_transpose, conv3d, conv3d_backprop_filter,
                                        conv3d_backprop_filter_v2, conv3d_transpose,
                                        conv_transpose, convolution,
                                        depthwise_conv2d_backprop_filter,
                                        depthwise_conv2d_backprop_input,
                                        depthwise_conv2d_native_backprop_filter,
                                        depthwise_conv2d_native_backprop_input, erosion2d,
                                        max_pool1d,
                                        max_pool3d, max_pool_v2, pool, with_space_to_batch)
from tensorweave.ops.dilation_ops import dilation2d  # noqa: F401
from tensorweave.ops.pool_ops import (fractional_avg_pool, fractional_max_pool,  # noqa: F401
                                      max_pool_with_argmax)
from tensorweave.nn.ctc import (collapse_repeated, ctc_beam_search_decoder,  # noqa: F401
                                 ctc_beam_search_decoder_v2, ctc_greedy_decoder, ctc_loss,
                                 ctc_loss_v2, ctc_unique_labels)
from tensorweave.ops.array.rearrange import (depth_to_space, space_to_batch,  # noqa: F401
                                             space_to_depth)
from tensorweave.ops.special_math import approx_max_k, approx_min_k  # noqa: F401
from tensorweave.nn.embedding import (embedding_lookup_sparse,  # noqa: F401
                                       safe_embedding_lookup_sparse)
from tensorweave.nn import rnn_cell  # noqa: F401
from tensorweave.nn.rnn import (bidirectional_dynamic_rnn, dynamic_rnn,  # noqa: F401
                                 static_rnn)
from tensorweave.nn.rnn_loops import (raw_rnn, static_bidirectional_rnn,  # noqa: F401
                                      static_state_saving_rnn)
from tensorweave.ops.candidate_sampling_ops import (all_candidate_sampler,  # noqa: F401
                                                    compute_accidental_hits,
                                                    fixed_unigram_candidate_sampler,
                                                    learned_unigram_candidate_sampler,
                                                    log_uniform_candidate_sampler,
                                                    uniform_candidate_sampler)
from tensorweave.nn.sampled_losses import nce_loss, sampled_softmax_loss  # noqa: F401

# The composites that moved here from ops/ answer to their old module paths too, for programs
# that import them there (tensorweave.ops.rnn, or tensorflow.python.ops.rnn through the runner).
import sys as _sys  # noqa: E402
from tensorweave.nn import functional as _functional  # noqa: E402
from tensorweave.nn import rnn as _rnn  # noqa: E402
from tensorweave.nn import sampled_losses as _sampled_losses  # noqa: E402

for _old, _module in (("rnn_cell", rnn_cell), ("rnn", _rnn), ("sampled_losses", _sampled_losses),
                      ("functional_ops", _functional)):
    _sys.modules.setdefault(f"tensorweave.ops.{_old}", _module)
