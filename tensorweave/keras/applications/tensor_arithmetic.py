"""The layer TF's graph-mode Keras inserts (TensorFlowOpLayer) when a model applies arithmetic to
Keras tensors: two of them (`inputs + x`, `tf.math.multiply(x, inputs)`), or one and a Python
constant (`x + 3.0`, `x * (1 / 6)`); named tf_op_layer_add, tf_op_layer_Mul, tf_op_layer_mul, ..."""
from tensorweave.keras.engine import session
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer

# operation -> TF's op name (Python's `*` makes "mul", tf.math.multiply "Mul")
_OP_NAMES = {"add": "add", "mul": "mul", "multiply": "Mul"}


class TensorArithmetic(Layer):
    """a + b ("add") or a * b ("mul", "multiply") of the two inputs [a, b], broadcasting; with
    `value`, of the one input and that constant."""

    def __init__(self, operation, value=None, **kwargs):
        if operation not in _OP_NAMES:
            raise ValueError(f"operation must be one of {sorted(_OP_NAMES)}, got {operation!r}")
        if not kwargs.get("name"):
            kwargs["name"] = session.unique_object_name(f"tf_op_layer_{_OP_NAMES[operation]}")
        super().__init__(**kwargs)
        self.operation = operation
        self.value = value

    def call(self, inputs):
        if self.value is None:
            a, b = inputs
        else:
            a, b = inputs, T.cast(self.value, inputs.dtype.base_dtype)
        if self.operation == "add":
            return T.add(a, b)
        return T.multiply(a, b)

    def compute_output_shape(self, input_shape):
        if self.value is not None:
            return input_shape
        a, b = (T.TensorShape(s).as_list() for s in input_shape)
        if len(a) != len(b):
            return T.TensorShape(a if len(a) > len(b) else b)
        return T.TensorShape([x if y == 1 else y if x == 1 else (x or y)
                              for x, y in zip(a, b)])

    def get_config(self):
        config = {**super().get_config(), "operation": self.operation}
        if self.value is not None:
            config["value"] = self.value
        return config


def add(a, b):
    """a + b as TF's graph-mode Keras records it."""
    return TensorArithmetic("add")([a, b])


def multiply(a, b):
    """a * b as TF's graph-mode Keras records it."""
    return TensorArithmetic("multiply")([a, b])
