"""tf.layers: objects that own variables and apply themselves to tensors (TF 1.x's tf.layers).

    conv = tf.layers.conv2d(images, filters=32, kernel_size=[5, 5], padding="same",
                            activation=tf.nn.relu)
    pool = tf.layers.max_pooling2d(conv, pool_size=[2, 2], strides=2)
    logits = tf.layers.dense(tf.layers.flatten(pool), 10)
"""
from tensorweave.layers.base import Layer  # noqa: F401
from tensorweave.layers.convolutional import (Conv1D, Conv2D, Conv2DTranspose,  # noqa: F401
                                              Conv3D, Conv3DTranspose, SeparableConv1D,
                                              SeparableConv2D, conv1d, conv2d,
                                              conv2d_transpose, conv3d, conv3d_transpose,
                                              separable_conv1d, separable_conv2d)
from tensorweave.layers.core import (Dense, Dropout, Flatten, dense, dropout,  # noqa: F401
                                     flatten)
from tensorweave.layers.normalization import (BatchNormalization,  # noqa: F401
                                              batch_normalization)
from tensorweave.layers.pooling import (AveragePooling1D, AveragePooling2D,  # noqa: F401
                                        AveragePooling3D, MaxPooling1D, MaxPooling2D,
                                        MaxPooling3D, average_pooling1d, average_pooling2d,
                                        average_pooling3d, max_pooling1d, max_pooling2d,
                                        max_pooling3d)
from tensorweave.util import lazy

Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
Deconvolution2D = Deconv2D = Conv2DTranspose
Deconvolution3D = Deconv3D = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AveragePool1D = AveragePooling1D
AveragePool2D = AveragePooling2D
AveragePool3D = AveragePooling3D
convolution1d = conv1d
convolution2d = conv2d
convolution3d = conv3d

# tf.layers.InputSpec is Keras's class; it loads with Keras's engine on first use.
__getattr__ = lazy.attributes(__name__, {
    "InputSpec": "tensorweave.keras.engine.base_layer:InputSpec"})
