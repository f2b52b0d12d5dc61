"""Graph inputs: Placeholder (a value Session.run must be fed) and PlaceholderWithDefault."""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import as_shape, unknown_shape
from tensorweave.ops._common import identity_kernel, one, passthrough_grad


def _placeholder_shape(*, dtype, shape):
    return [(dtype, shape)]


def _placeholder_kernel(*, dtype, shape):
    raise AssertionError("Placeholder kernels never run: the Plan requires a feed.")


register_op("Placeholder", shape=_placeholder_shape, kernel=_placeholder_kernel,
            grad=NOT_DIFFERENTIABLE, must_feed=True)


def placeholder(dtype, shape=None, name=None):
    """A tensor whose value must be fed to Session.run (TF's tf.placeholder)."""
    shape = unknown_shape() if shape is None else as_shape(shape)
    return one(create_op("Placeholder", [], name=name or "Placeholder",
                          dtype=dtypes.as_dtype(dtype), shape=shape))


def _placeholder_with_default_shape(x, *, shape):
    if not shape.is_compatible_with(x.shape):
        raise ValueError(f"PlaceholderWithDefault requires a default compatible with shape "
                         f"{shape}, got {x.shape}")
    return [(x.dtype, shape)]


register_op("PlaceholderWithDefault", shape=_placeholder_with_default_shape,
            kernel=identity_kernel, grad=passthrough_grad, shares_memory=True, is_alias=True,
            fed_by_default=True)


def placeholder_with_default(input, shape, name=None):  # noqa: A002 - TF's argument name
    """`input` unless a value is fed (TF's tf.placeholder_with_default)."""
    x = convert_to_tensor(input)
    return one(create_op("PlaceholderWithDefault", [x], name=name or "PlaceholderWithDefault",
                          shape=as_shape(shape)))
