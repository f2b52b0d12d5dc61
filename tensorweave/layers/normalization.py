"""The BatchNormalization layer and its functional form.

Training normalizes with the batch's statistics and adds ops updating the moving mean and
variance to UPDATE_OPS (run them with the train op:
`with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)): ...`); inference
normalizes with the moving statistics. 4-D inputs normalized over their channel axis use the
fused kernel (its moving variance carries Bessel's correction, as in TF).
"""
from tensorweave import init_ops
from tensorweave.layers.base import Layer
from tensorweave.layers.core import cond_on_training, training_flag
from tensorweave.ops import array, nn_ops, norm_ops, state_ops


class BatchNormalization(Layer):
    """Normalizes `inputs` over every axis but `axis`, then scales by gamma and adds beta."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer=init_ops.zeros_initializer(),
                 gamma_initializer=init_ops.ones_initializer(),
                 moving_mean_initializer=init_ops.zeros_initializer(),
                 moving_variance_initializer=init_ops.ones_initializer(),
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, fused=None, trainable=True, virtual_batch_size=None,
                 adjustment=None, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("BatchNormalization: renorm, virtual_batch_size and "
                                      "adjustment are not supported by tensorweave")
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if len(axes) != 1:
            raise NotImplementedError("BatchNormalization over several axes is not supported")
        self.axis = int(axes[0])
        self.momentum, self.epsilon = momentum, epsilon
        self.center, self.scale = center, scale
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.fused = fused
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        ndims = input_shape.ndims
        if ndims is None:
            raise ValueError(f"Input has undefined rank: {input_shape}")
        if not -ndims <= self.axis < ndims:
            raise ValueError(f"Invalid axis: {self.axis}")
        self.axis %= ndims
        depth = input_shape[self.axis].value
        if depth is None:
            raise ValueError(f"Input has undefined `axis` dimension. Input shape: {input_shape}")
        fusable = ndims == 4 and self.axis in (1, 3)
        if self.fused and not fusable:
            raise ValueError("fused=True needs a 4-D input normalized over axis 1 or 3")
        self.fused = fusable if self.fused is None else bool(self.fused)
        if self.scale:
            self.gamma = self.add_weight("gamma", [depth], initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", [depth], initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", [depth],
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", [depth],
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.built = True

    def _normalize(self, inputs, is_training):
        """(outputs, batch mean, batch variance); the statistics are None for inference."""
        if self.fused:
            data_format = "NCHW" if self.axis == 1 else "NHWC"
            depth = self.moving_mean.shape.as_list()
            gamma = self.gamma if self.gamma is not None else array.ones(depth, inputs.dtype)
            beta = self.beta if self.beta is not None else array.zeros(depth, inputs.dtype)
            if is_training:
                return norm_ops.fused_batch_norm(inputs, gamma, beta, epsilon=self.epsilon,
                                                 data_format=data_format)
            return norm_ops.fused_batch_norm(inputs, gamma, beta, self.moving_mean,
                                             self.moving_variance, epsilon=self.epsilon,
                                             data_format=data_format, is_training=False)[0], \
                None, None
        ndims = inputs.shape.ndims
        shape = [1] * ndims
        shape[self.axis] = -1

        def broadcast(v):
            return None if v is None else array.reshape(v, shape)
        if is_training:
            axes = [a for a in range(ndims) if a != self.axis]
            mean, variance = nn_ops.moments(inputs, axes)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        outputs = norm_ops.batch_normalization(inputs, broadcast(mean), broadcast(variance),
                                               broadcast(self.beta), broadcast(self.gamma),
                                               self.epsilon)
        return (outputs, mean, variance) if is_training else (outputs, None, None)

    def _inference(self, inputs):
        """(outputs, moving mean, moving variance): the moving statistics then stay put."""
        return (self._normalize(inputs, False)[0], self.moving_mean.read_value(),
                self.moving_variance.read_value())

    def call(self, inputs, training=False):
        flag = training_flag(training)
        if flag is False:
            return self._normalize(inputs, False)[0]
        if flag:
            outputs, mean, variance = self._normalize(inputs, True)
        else:
            outputs, mean, variance = cond_on_training(
                training, lambda: self._normalize(inputs, True), lambda: self._inference(inputs))
        decay = 1.0 - self.momentum
        self.add_update([state_ops.assign_sub(v._as_graph_element(), (v - value) * decay)
                         for v, value in ((self.moving_mean, mean),
                                          (self.moving_variance, variance))])
        return outputs


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=init_ops.zeros_initializer(),
                        gamma_initializer=init_ops.ones_initializer(),
                        moving_mean_initializer=init_ops.zeros_initializer(),
                        moving_variance_initializer=init_ops.ones_initializer(),
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                        fused=None, virtual_batch_size=None, adjustment=None):
    """Functional BatchNormalization: `tf.layers.batch_normalization(x, training=True)`."""
    layer = BatchNormalization(
        axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
        beta_initializer=beta_initializer, gamma_initializer=gamma_initializer,
        moving_mean_initializer=moving_mean_initializer,
        moving_variance_initializer=moving_variance_initializer,
        beta_regularizer=beta_regularizer, gamma_regularizer=gamma_regularizer,
        beta_constraint=beta_constraint, gamma_constraint=gamma_constraint, renorm=renorm,
        renorm_clipping=renorm_clipping, renorm_momentum=renorm_momentum, fused=fused,
        trainable=trainable, virtual_batch_size=virtual_batch_size, adjustment=adjustment,
        name=name, _scope=name, _reuse=reuse)
    return layer(inputs, training=training)


BatchNorm = BatchNormalization
