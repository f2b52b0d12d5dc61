"""InputLayer and Input: the placeholders a functional model starts from.

    x = tf.keras.Input(shape=(784,))          # input_1:0, shape (?, 784)
"""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras.engine import session as K
from tensorweave.keras.engine.base_layer import Layer, Node
from tensorweave.ops.array.inputs import placeholder


class InputLayer(Layer):
    """A layer whose output is a placeholder (or the `input_tensor` given)."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None,
                 sparse=False, name=None, **kwargs):
        if "batch_input_shape" in kwargs:
            batch_input_shape = kwargs.pop("batch_input_shape")
            if input_shape is not None and batch_input_shape is not None:
                raise ValueError("Only provide the input_shape OR batch_input_shape argument "
                                 "to InputLayer, not both at the same time.")
            if batch_input_shape is not None:
                batch_size = batch_input_shape[0]
                input_shape = batch_input_shape[1:]
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {list(kwargs)}")
        if not name:
            name = f"input_{K.get_uid('input')}"
        if input_tensor is not None and dtype is None:
            dtype = input_tensor.dtype.base_dtype.name
        dtype = K.as_dtype(dtype).name
        super().__init__(dtype=dtype, name=name)
        self.built = True
        self.sparse = sparse
        self.batch_size = batch_size
        self.supports_masking = True
        if input_tensor is None:
            if input_shape is not None:
                batch_input_shape = (batch_size,) + tuple(input_shape)
            else:
                batch_input_shape = None
            input_tensor = placeholder(dtype, shape=batch_input_shape, name=self.name)
            self.is_placeholder = True
            self._batch_input_shape = batch_input_shape
        else:
            self.is_placeholder = False
            shape = TensorShape(input_tensor.shape)
            self._batch_input_shape = None if shape.ndims is None else tuple(shape.as_list())
        Node(self, [], [], [], [input_tensor], [input_tensor])
        K.set_keras_history(input_tensor, (self, 0, 0))

    def get_config(self):
        return {"batch_input_shape": self._batch_input_shape, "dtype": self._dtype,
                "sparse": self.sparse, "name": self.name}


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=False, tensor=None,
          **kwargs):
    """A Keras tensor: the output of a new InputLayer (`shape` excludes the batch axis)."""
    batch_shape = kwargs.pop("batch_shape", None)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {list(kwargs)}")
    if shape is None and tensor is None and batch_shape is None:
        raise ValueError("Please provide to Input either a `shape` or a `tensor` argument. "
                         "Note that `shape` does not include the batch dimension.")
    if batch_shape is not None:
        layer = InputLayer(batch_input_shape=tuple(batch_shape), name=name, dtype=dtype,
                           sparse=sparse, input_tensor=tensor)
    else:
        if shape is not None:
            shape = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
        layer = InputLayer(input_shape=shape, batch_size=batch_size, name=name, dtype=dtype,
                           sparse=sparse, input_tensor=tensor)
    outputs = layer._inbound_nodes[0].output_tensors  # noqa: SLF001 - the engine's own
    return outputs[0] if len(outputs) == 1 else outputs
