"""tf.keras.layers: every core Keras layer of TF 1.15, plus serialize/deserialize."""
from tensorweave.keras.engine import base_layer
from tensorweave.keras.engine.base_layer import (InputSpec, Layer, deserialize,  # noqa: F401
                                                 serialize)
from tensorweave.keras.engine.input_layer import Input, InputLayer  # noqa: F401
from tensorweave.keras.layers.advanced_activations import (ELU, LeakyReLU, PReLU,  # noqa: F401
                                                           ReLU, Softmax, ThresholdedReLU)
from tensorweave.keras.layers.convolutional import *  # noqa: F401,F403
from tensorweave.keras.layers.convolutional import (Conv, Cropping1D, Cropping2D,  # noqa: F401
                                                    Cropping3D, SeparableConv)
from tensorweave.keras.layers.core import (Activation, ActivityRegularization,  # noqa: F401
                                           Dense, Dropout, Flatten, Lambda, Masking, Permute,
                                           RepeatVector, Reshape, SpatialDropout1D,
                                           SpatialDropout2D, SpatialDropout3D)
from tensorweave.keras.layers.embeddings import Embedding  # noqa: F401
from tensorweave.keras.layers.merge import (Add, Average, Concatenate, Dot,  # noqa: F401
                                            Maximum, Minimum, Multiply, Subtract, add,
                                            average, concatenate, dot, maximum, minimum,
                                            multiply, subtract)
from tensorweave.keras.layers.noise import (AlphaDropout, GaussianDropout,  # noqa: F401
                                            GaussianNoise)
from tensorweave.keras.layers.normalization import (BatchNormalization,  # noqa: F401
                                                    LayerNormalization)
from tensorweave.keras.layers.pooling import *  # noqa: F401,F403
from tensorweave.keras.layers.recurrent import (GRU, LSTM, RNN, CuDNNGRU,  # noqa: F401
                                                CuDNNLSTM, GRUCell, LSTMCell, SimpleRNN,
                                                SimpleRNNCell, StackedRNNCells)
from tensorweave.keras.layers.wrappers import Bidirectional, TimeDistributed, Wrapper  # noqa
from tensorweave.keras.layers.pooling import GlobalPooling, Pooling  # noqa: F401


def disable_v2_dtype_behavior():
    """TF 1.x's dtype behaviour is the only one here; nothing to change."""


def enable_v2_dtype_behavior():
    raise NotImplementedError("tensorweave's Keras layers follow TF 1.x dtype behaviour only.")


from tensorweave.util import lazy  # noqa: E402

_PACKAGE = "tensorweave.keras.layers"

__getattr__ = lazy.attributes(__name__, {
    # attention and dense forms
    **lazy.names_from(f"{_PACKAGE}.attention", "Attention", "AdditiveAttention"),
    "MultiHeadAttention": f"{_PACKAGE}.multi_head_attention:MultiHeadAttention",
    "EinsumDense": f"{_PACKAGE}.einsum_dense:EinsumDense",
    "Identity": f"{_PACKAGE}.core:Identity",
    "AbstractRNNCell": f"{_PACKAGE}.recurrent:AbstractRNNCell",
    # convolutions without shared weights, 1-D transposes, convolutional recurrences
    **lazy.names_from(f"{_PACKAGE}.local", "LocallyConnected1D", "LocallyConnected2D"),
    **lazy.names_from(f"{_PACKAGE}.convolutional_1d", "Conv1DTranspose",
                      "Convolution1DTranspose", "DepthwiseConv1D"),
    **lazy.names_from(f"{_PACKAGE}.convolutional_recurrent", "ConvLSTM1D", "ConvLSTM2D",
                      "ConvLSTM3D"),
    "DenseFeatures": f"{_PACKAGE}.dense_features:DenseFeatures",
    # preprocessing layers
    **lazy.names_from(f"{_PACKAGE}.preprocessing_image", "Rescaling", "Resizing",
                      "CenterCrop"),
    "Normalization": f"{_PACKAGE}.preprocessing_normalization:Normalization",
    **lazy.names_from(f"{_PACKAGE}.preprocessing_categorical", "CategoryEncoding",
                      "Discretization", "Hashing"),
})


def _find_layer(class_name):
    """A layer class of this namespace by name, its module loaded on first use."""
    return globals().get(class_name) or (__getattr__(class_name)
                                         if class_name in __getattr__.table else None)


base_layer.LAYER_FINDERS.append(_find_layer)
