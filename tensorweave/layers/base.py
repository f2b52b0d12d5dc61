"""The tf.layers Layer: an object that owns variables and applies itself to tensors.

A layer gets a unique name from its class (`dense`, `dense_1`, ...), creates its variables on
its first call inside a variable scope of that name (`dense/kernel`), and puts its ops under the
matching name scope. Calling it again reuses the variables.

    layer = tf.layers.Dense(10)
    logits = layer(features)
    layer.kernel, layer.trainable_weights
"""
import re

from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.variable_scope import get_variable, get_variable_scope, variable_scope


def snake_case(name):
    """'MaxPooling2D' -> 'max_pooling2d' (the default name of a layer class)."""
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()


def _unique_layer_name(graph, base):
    counts = graph.extension(_unique_layer_name, dict)  # default name -> layers made
    count = counts.get(base, 0)
    counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


class Layer:
    """Base class of tf.layers: subclasses define build(input_shape) and call(inputs, ...)."""

    def __init__(self, trainable=True, name=None, dtype=None, _scope=None, _reuse=None,
                 activity_regularizer=None, **kwargs):
        unknown = set(kwargs) - {"input_shape", "batch_input_shape", "weights"}
        if unknown:
            raise TypeError(f"Keyword argument not understood: {sorted(unknown)[0]}")
        self.trainable = trainable
        self.built = False
        self._dtype = None if dtype is None else convert_to_tensor(0, dtype=dtype).dtype
        self._base_name = name or snake_case(type(self).__name__)
        self._name = name or _unique_layer_name(get_default_graph(), self._base_name)
        self._scope_name = _scope
        self._reuse = _reuse
        self._scope = None
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._losses = []
        self._updates = []
        self.activity_regularizer = activity_regularizer

    # --- what subclasses define -------------------------------------------------------------
    def build(self, input_shape):
        """Creates the layer's variables for inputs of `input_shape` (a TensorShape)."""
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    # --- properties -----------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @property
    def scope_name(self):
        return self._scope.name if self._scope is not None else None

    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    @property
    def losses(self):
        return list(self._losses)

    @property
    def updates(self):
        return list(self._updates)

    def count_params(self):
        return sum(v.count_params() for v in self.weights)

    # --- building blocks for subclasses ---------------------------------------------------------
    def _keep_kernel_options(self, activation, use_bias, kernel_initializer, bias_initializer,
                             kernel_regularizer, bias_regularizer, kernel_constraint,
                             bias_constraint):
        """Stores the activation and kernel_*/bias_* options `_add_kernel_and_bias` reads."""
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.kernel = self.bias = None

    def _add_kernel_and_bias(self, kernel_shape, bias_size):
        """Creates `kernel` (and `bias` when use_bias) from the layer's kernel_*/bias_* options."""
        self.kernel = self.add_weight("kernel", kernel_shape,
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [bias_size], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None,
                   trainable=True, constraint=None, **_):
        """A variable `<layer scope>/<name>` (reused when the scope reuses variables); a
        regularizer's loss goes to `losses` and to REGULARIZATION_LOSSES."""
        graph = get_default_graph()
        full_name = f"{get_variable_scope().name}/{name}"
        existed = any(v.name == full_name + ":0" for v in graph.get_collection(
            GraphKeys.GLOBAL_VARIABLES) + graph.get_collection(GraphKeys.LOCAL_VARIABLES))
        variable = get_variable(name, shape=shape, dtype=dtype or self._dtype,
                                initializer=initializer, trainable=trainable and self.trainable,
                                constraint=constraint)
        if not existed and regularizer is not None:
            with graph.name_scope(full_name + "/Regularizer/"):
                self.add_loss(regularizer(variable))
        if trainable:
            self._trainable_weights.append(variable)
        else:
            self._non_trainable_weights.append(variable)
        return variable

    add_variable = add_weight

    def add_loss(self, loss, inputs=None):
        if loss is None:
            return
        self._losses.append(loss)
        get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def add_update(self, updates, inputs=None):
        updates = updates if isinstance(updates, (list, tuple)) else [updates]
        self._updates.extend(updates)
        for update in updates:
            get_default_graph().add_to_collection(GraphKeys.UPDATE_OPS, update)

    # --- applying ---------------------------------------------------------------------------------
    def _enter_scope(self):
        """The layer's variable scope, captured on the first call (uniquified like TF's)."""
        if self._scope is None:
            if self._reuse:
                scope = variable_scope(self._scope_name or self._base_name)
            else:
                scope = variable_scope(self._scope_name, default_name=self._base_name)
            with scope as captured:
                self._scope = captured
        return variable_scope(self._scope, reuse=True if self.built else self._reuse,
                              auxiliary_name_scope=False)

    def __call__(self, inputs, *args, **kwargs):
        """Builds the layer on first use, then applies it to `inputs`."""
        inputs = convert_to_tensor(inputs)
        if self._dtype is None:
            self._dtype = inputs.dtype
        graph = get_default_graph()
        with self._enter_scope() as scope, graph.name_scope(scope.original_name_scope):
            if not self.built:
                self.build(TensorShape(inputs.shape))
                self.built = True
            outputs = self.call(inputs, *args, **kwargs)
            if self.activity_regularizer is not None:
                with graph.name_scope("ActivityRegularizer"):
                    self.add_loss(self.activity_regularizer(outputs))
        return outputs

    apply = __call__
