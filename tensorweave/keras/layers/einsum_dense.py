"""EinsumDense: a dense layer whose product with the kernel is an einsum equation.

    layer = tf.keras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")
    y = layer(x)      # x: (batch, steps, c) -> y: (batch, steps, 64)
"""
import re

from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import resolve
from tensorweave.keras.engine.base_layer import Layer
from tensorweave.keras.layers.base import config_of, options
from tensorweave.ops import math_ops
from tensorweave.ops.linalg.einsum import einsum

# The three equation forms: plain, `...` before the input's letters, `...` after them.
_FORMS = (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", None),
          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", "left"),
          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", "right"))


def _dims(shape):
    shape = TensorShape(shape)
    return [None if d is None else int(d) for d in shape.as_list()]


def einsum_shapes(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape) of an EinsumDense layer whose
    `output_shape` leaves out the batch axis; ValueErrors as Keras words them."""
    marked = equation.replace("...", "0")
    for pattern, elided_side in _FORMS:
        found = re.fullmatch(pattern, marked)
        if found:
            break
    else:
        raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                         "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")
    input_spec, weight_spec, output_spec = found.groups()
    input_shape = _dims(input_shape)
    rank = len(input_shape)
    elided = rank - len(input_spec)
    partial = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    if elided > 0 and elided_side == "left":
        full = [input_shape[0]] + input_shape[1:elided] + partial
    elif elided > 0:
        full = [input_shape[0]] + partial + input_shape[rank - elided:]
    else:
        full = [input_shape[0]] + partial
    if elided_side == "left":
        input_axis = {c: i + elided for i, c in enumerate(input_spec)}
        output_axis = {c: i + elided for i, c in enumerate(output_spec)}
    else:
        input_axis = {c: i for i, c in enumerate(input_spec)}
        output_axis = {c: i for i, c in enumerate(output_spec)}
    for c in input_spec:
        if c in output_axis:
            have, want = input_shape[input_axis[c]], full[output_axis[c]]
            if want is not None and want != have:
                raise ValueError(f"Input shape and output shape do not match at shared "
                                 f"dimension '{c}'. Input shape is {have}, and output shape "
                                 f"is {want}.")
    for c in output_spec:
        if c not in input_spec and c not in weight_spec:
            raise ValueError(f"Dimension '{c}' was specified in the output '{output_spec}' but "
                             f"has no corresponding dim in the input spec '{input_spec}' or "
                             f"weight spec '{output_spec}'")
    kernel_shape = []
    for c in weight_spec:
        if c in input_axis:
            kernel_shape.append(input_shape[input_axis[c]])
        elif c in output_axis:
            kernel_shape.append(full[output_axis[c]])
        else:
            raise ValueError(f"Weight dimension '{c}' did not have a match in either the input "
                             f"spec '{input_spec}' or the output spec '{output_spec}'. For this "
                             "layer, the weight must be fully specified.")
    bias_shape = None
    if bias_axes is not None:
        for c in bias_axes:
            if c not in output_spec:
                raise ValueError(f"Bias dimension '{c}' was requested, but is not part of the "
                                 f"output spec '{output_spec}'")
        # The bias spans the output from its first biased axis on, 1 on the unbiased ones.
        first = min(output_spec.index(c) for c in bias_axes)
        bias_shape = [full[output_axis[c]] if c in bias_axes else 1
                      for c in output_spec[first:]]
        if elided_side != "left":
            bias_shape += [1] * max(elided, 0)
    return kernel_shape, bias_shape, full


class EinsumDense(Layer):
    """A dense layer: einsum(equation, inputs, kernel) (+ bias over `bias_axes`), then the
    activation. `output_shape` gives the output's axes after the batch axis (None: as the
    input's)."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.equation = equation
        self.partial_output_shape = [output_shape] if isinstance(output_shape, int) \
            else list(output_shape)
        self.bias_axes = bias_axes
        options(self, activation=activation, kernel_initializer=kernel_initializer,
                bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                bias_constraint=bias_constraint)
        self.full_output_shape = None

    def build(self, input_shape):
        kernel_shape, bias_shape, self.full_output_shape = einsum_shapes(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        self.kernel = self.add_weight("kernel", shape=kernel_shape,
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None if bias_shape is None else self.add_weight(
            "bias", shape=bias_shape, initializer=self.bias_initializer,
            regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        outputs = einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = math_ops.add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        if self.full_output_shape is None:
            return TensorShape(einsum_shapes(self.equation, self.bias_axes, input_shape,
                                             self.partial_output_shape)[2])
        return TensorShape(self.full_output_shape)

    def get_config(self):
        config = {"output_shape": list(self.partial_output_shape), "equation": self.equation,
                  **config_of(self, "activation"), "bias_axes": self.bias_axes,
                  **config_of(self, "kernel_initializer", "bias_initializer",
                              "kernel_regularizer", "bias_regularizer"),
                  "activity_regularizer": resolve.serialize("regularizers",
                                                            self.activity_regularizer),
                  **config_of(self, "kernel_constraint", "bias_constraint")}
        return {**super().get_config(), **config}
