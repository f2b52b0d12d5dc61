"""tf.keras.layers: every core Keras layer of TF 1.15, plus serialize/deserialize."""
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
