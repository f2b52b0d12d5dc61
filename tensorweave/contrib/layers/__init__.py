"""tf.contrib.layers: TF-slim's layers, initializers, regularizers, optimize_loss and summary
helpers under TF 1.15's names (see layers.py for the variable names they create), and its
feature columns (real_valued_column, sparse_column_with_hash_bucket, ...) as tf.feature_column's."""
from tensorweave.contrib.framework.arg_scope import arg_scope  # noqa: F401
from tensorweave.contrib.layers import utils  # noqa: F401
from tensorweave.contrib.layers.initializers import (  # noqa: F401
    variance_scaling_initializer, xavier_initializer, xavier_initializer_conv2d)
from tensorweave.contrib.layers.layers import (  # noqa: F401
    avg_pool2d, avg_pool3d, bias_add, bow_encoder, conv1d, conv2d, conv2d_in_plane,
    conv2d_transpose, conv3d, conv3d_transpose, convolution, convolution1d, convolution2d,
    convolution2d_in_plane, convolution2d_transpose, convolution3d, convolution3d_transpose,
    dense_to_sparse, dropout, elu, embed_sequence, embedding_lookup_unique, flatten,
    fully_connected, images_to_sequence, linear, max_pool2d, max_pool3d, maxout,
    one_hot_encoding, relu, relu6, repeat, scale_gradient, separable_conv2d,
    separable_convolution2d, sequence_to_images, softmax, spatial_softmax, stack, unit_norm)
from tensorweave.contrib.layers.legacy import (  # noqa: F401
    legacy_fully_connected, legacy_linear, legacy_relu)
from tensorweave.contrib.layers.normalization import (  # noqa: F401
    batch_norm, group_norm, instance_norm, layer_norm)
from tensorweave.contrib.layers.pooling import pool  # noqa: F401
from tensorweave.contrib.layers.optimizers import (  # noqa: F401
    OPTIMIZER_CLS_NAMES, OPTIMIZER_SUMMARIES, optimize_loss)
from tensorweave.contrib.layers.regularizers import (  # noqa: F401
    apply_regularization, l1_l2_regularizer, l1_regularizer, l2_regularizer, sum_regularizer)
from tensorweave.contrib.layers.summaries import (  # noqa: F401
    summarize_activation, summarize_activations, summarize_biases, summarize_collection,
    summarize_tensor, summarize_tensors, summarize_variables, summarize_weights)

from tensorweave.nn.embedding import safe_embedding_lookup_sparse  # noqa: F401,E402
from tensorweave.contrib import not_provided  # noqa: E402
from tensorweave.util import lazy  # noqa: E402

# contrib's feature columns are tf.feature_column's (floor 5), looked up on first use
__getattr__ = lazy.attributes(__name__, lazy.names_from(
    "tensorweave.contrib.layers.feature_column", "bucketized_column", "embedding_column",
    "one_hot_column", "real_valued_column", "sparse_column_with_hash_bucket",
    "sparse_column_with_keys"))
# TF 1.15 names of tf.contrib.layers that tensorweave does not provide
NOT_PROVIDED = ("gdn", "GDN", "rev_block", "RevBlock", "recompute_grad",
                "input_from_feature_columns", "sparse_column_with_integerized_feature",
                # TF 1.x's legacy feature columns and targets beyond the ones provided
                "check_feature_columns", "create_feature_spec_for_parsing", "crossed_column",
                "infer_real_valued_columns", "joint_weighted_sum_from_feature_columns",
                "make_place_holder_tensors_for_base_features", "multi_class_target",
                "parse_feature_columns_from_examples",
                "parse_feature_columns_from_sequence_examples", "regression_target",
                "scattered_embedding_column", "sequence_input_from_feature_columns",
                "shared_embedding_columns", "sparse_column_with_vocabulary_file",
                "transform_features", "weighted_sparse_column",
                "weighted_sum_from_feature_columns")
__getattr__ = not_provided(__name__, NOT_PROVIDED, fallback=__getattr__)
