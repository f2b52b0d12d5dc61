"""tf.keras.activations: activation functions by object or by name.

    tf.keras.activations.get("relu")(x)
"""
from tensorweave.keras import backend_math, backend_nn
import math

from tensorweave.ops import math_ops, nn_ops, special_math
from tensorweave.keras.utils import generic_utils


def softmax(x, axis=-1):
    """Softmax over `axis` (a 1D tensor is refused, as Keras does)."""
    rank = backend_math.ndim(x)
    if rank == 2:
        return nn_ops.softmax(x)
    if rank is not None and rank > 2:
        e = math_ops.exp(x - math_ops.reduce_max(x, axis=axis, keepdims=True))
        return e / math_ops.reduce_sum(e, axis=axis, keepdims=True)
    raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")


def elu(x, alpha=1.0):
    return backend_nn.elu(x, alpha)


def selu(x):
    """Scaled exponential linear unit: scale * elu(x, alpha) with TF's constants."""
    return nn_ops.selu(x)


def softplus(x):
    return nn_ops.softplus(x)


def softsign(x):
    return nn_ops.softsign(x)


def swish(x):
    """x * sigmoid(x)."""
    return x * math_ops.sigmoid(x)


def mish(x):
    """x * tanh(softplus(x))."""
    return x * math_ops.tanh(nn_ops.softplus(x))


def gelu(x, approximate=False):
    """The Gaussian error linear unit x * Phi(x); with `approximate`, its tanh form."""
    if approximate:
        cube = 0.044715 * math_ops.pow(x, 3.0)
        return 0.5 * x * (1.0 + math_ops.tanh(math.sqrt(2.0 / math.pi) * (x + cube)))
    return 0.5 * x * (1.0 + special_math.erf(x * (1.0 / math.sqrt(2.0))))


def relu(x, alpha=0.0, max_value=None, threshold=0):
    return backend_nn.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def tanh(x):
    return math_ops.tanh(x)


def sigmoid(x):
    return math_ops.sigmoid(x)


def exponential(x):
    return math_ops.exp(x)


def hard_sigmoid(x):
    return backend_nn.hard_sigmoid(x)


def linear(x):
    """The identity."""
    return x


_NAMES = {f.__name__: f for f in (softmax, elu, selu, softplus, softsign, swish, mish, gelu,
                                   relu, tanh, sigmoid, exponential, hard_sigmoid, linear)}


def serialize(activation):
    """The activation's name."""
    if hasattr(activation, "__name__") and activation.__name__ in _NAMES:
        return activation.__name__
    return generic_utils.serialize_keras_object(activation)


def deserialize(name, custom_objects=None):
    """The activation function called `name`."""
    return generic_utils.deserialize_keras_object(
        name, module_objects=_NAMES, custom_objects=custom_objects,
        printable_module_name="activation function")


def get(identifier):
    """None -> linear; a name or config -> that function; a callable -> itself."""
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")
