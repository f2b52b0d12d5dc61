"""The layer TF's graph-mode Keras inserts when a model adds or multiplies two Keras tensors
(`inputs + x`, `tf.math.multiply(x, inputs)`): named tf_op_layer_add, tf_op_layer_Mul, ..."""
from tensorweave.keras.engine import session
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer

_OP_NAMES = {"add": "add", "multiply": "Mul"}


class TensorArithmetic(Layer):
    """a + b ("add") or a * b ("multiply") of the two inputs [a, b], broadcasting."""

    def __init__(self, operation, **kwargs):
        if operation not in _OP_NAMES:
            raise ValueError(f"operation must be 'add' or 'multiply', got {operation!r}")
        if not kwargs.get("name"):
            kwargs["name"] = session.unique_object_name(f"tf_op_layer_{_OP_NAMES[operation]}")
        super().__init__(**kwargs)
        self.operation = operation

    def call(self, inputs):
        a, b = inputs
        if self.operation == "add":
            return T.add(a, b)
        return T.multiply(a, b)

    def compute_output_shape(self, input_shape):
        a, b = (T.TensorShape(s).as_list() for s in input_shape)
        if len(a) != len(b):
            return T.TensorShape(a if len(a) > len(b) else b)
        return T.TensorShape([x if y == 1 else y if x == 1 else (x or y)
                              for x, y in zip(a, b)])

    def get_config(self):
        return {**super().get_config(), "operation": self.operation}


def add(a, b):
    """a + b as TF's graph-mode Keras records it."""
    return TensorArithmetic("add")([a, b])


def multiply(a, b):
    """a * b as TF's graph-mode Keras records it."""
    return TensorArithmetic("multiply")([a, b])
