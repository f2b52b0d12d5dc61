"""Fast Fourier transforms (through NumPy) and their gradients.

FFT, IFFT, FFT2D, ... transform the innermost 1-3 dimensions of a complex tensor. RFFT* take a
real tensor and `fft_length` (the inner dimensions are cropped or zero-padded to it) and give the
`fft_length[-1] // 2 + 1` non-negative frequencies of the last one; IRFFT* invert them. FFTND,
IFFTND, RFFTND and IRFFTND (TensorFlow 2.15's) transform the dimensions `axes` instead.

Gradients follow TensorFlow's (fft_ops.py): the transpose of a complex FFT is the inverse FFT
times the transform size; RFFT's and IRFFT's weigh the frequencies TensorFlow's way (DC and
Nyquist once, the others twice, as Hermitian symmetry counts them). As in TensorFlow, RFFT3D,
IRFFT3D and the N-d ops have no gradient. Unlike TensorFlow's, these gradients also hold when
`fft_length` crops or pads the input.
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, constant_value, convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.core.registry import register_op
from tensorweave.ops import array, math_ops
from tensorweave.ops._common import one

__all__ = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d",
           "fftnd", "ifftnd", "rfftnd", "irfftnd"]

_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}
_REAL_OF = {c: r for r, c in _COMPLEX_OF.items()}


def _empty_safe(transform, out_dtype, out_shape):
    """NumPy's FFTs refuse zero lengths; TensorFlow gives zeros (or an empty tensor)."""
    if any(d == 0 for d in out_shape):
        return np.zeros(out_shape, out_dtype)
    return transform().astype(out_dtype, copy=False)


def _inner_rank_check(op_type, x, rank):
    if x.shape.ndims is not None and x.shape.ndims < rank:
        raise ValueError(f"{op_type} requires an input of rank at least {rank}, got shape "
                         f"{x.shape}")


# --- complex to complex: FFT, IFFT, FFT2D, IFFT2D, FFT3D, IFFT3D -------------------------------
def _inner_size(t, rank, dtype):
    """The product of `t`'s innermost `rank` dimensions as a scalar of `dtype`."""
    dims = t.shape.as_list()[-rank:] if t.shape.ndims is not None else [None]
    if None not in dims:
        return constant(np.asarray(np.prod(dims, dtype=np.int64), dtype.as_numpy_dtype))
    inner = array.strided_slice(array.shape(t), [-rank], [0], end_mask=1)
    return array.cast(math_ops.reduce_prod(inner), dtype)


def _register_complex_fft(op_type, rank, inverse):
    axes = tuple(range(-rank, 0))
    transform_name = "ifftn" if inverse else "fftn"  # np.fft loads on first use, not here

    def shape(x):
        if not x.dtype.is_complex:
            raise TypeError(f"{op_type} requires a complex64 or complex128 input, got "
                            f"{x.dtype.name}")
        _inner_rank_check(op_type, x, rank)
        return [(x.dtype, x.shape)]

    def kernel(x):
        numpy_transform = getattr(np.fft, transform_name)
        return _empty_safe(lambda: numpy_transform(x, axes=axes), x.dtype, x.shape)

    def grad(op, dy):
        size = _inner_size(dy, rank, dy.dtype)
        if inverse:
            return [_COMPLEX_FFT[rank][0](dy) / size]
        return [_COMPLEX_FFT[rank][1](dy) * size]

    register_op(op_type, shape=shape, kernel=kernel, grad=grad)

    def builder(input, name=None):  # noqa: A002 - TF's argument name
        return one(create_op(op_type, [convert_to_tensor(input)], name=name or op_type))
    builder.__name__ = op_type.lower()
    builder.__doc__ = (f"The {'inverse ' if inverse else ''}{rank}-D discrete Fourier transform "
                       f"over the innermost {rank} dimension(s) of complex `input`.")
    return builder


fft = _register_complex_fft("FFT", 1, False)
ifft = _register_complex_fft("IFFT", 1, True)
fft2d = _register_complex_fft("FFT2D", 2, False)
ifft2d = _register_complex_fft("IFFT2D", 2, True)
fft3d = _register_complex_fft("FFT3D", 3, False)
ifft3d = _register_complex_fft("IFFT3D", 3, True)
_COMPLEX_FFT = {1: (fft, ifft), 2: (fft2d, ifft2d), 3: (fft3d, ifft3d)}


# --- real to complex and back: RFFT, IRFFT, RFFT2D, ... ----------------------------------------
def _fft_lengths(op_type, fft_length, rank):
    """fft_length's value as ints (None when computed at run time), checked for its shape."""
    if fft_length.dtype is not dtypes.int32:
        raise TypeError(f"{op_type} requires an int32 fft_length, got {fft_length.dtype.name}")
    if not fft_length.shape.is_compatible_with([rank]):
        raise ValueError(f"{op_type} requires fft_length of shape [{rank}], got "
                         f"{fft_length.shape}")
    value = constant_value(fft_length)
    return None if value is None else [int(v) for v in np.reshape(value, -1)]


def _transformed_shape(x, rank, inner):
    """x's shape with its innermost `rank` dimensions replaced by `inner` (None: unknown)."""
    if x.shape.ndims is None:
        return unknown_shape()
    outer = x.shape.as_list()[:-rank] if rank else x.shape.as_list()
    return TensorShape(outer + (list(inner) if inner is not None else [None] * rank))


def _register_real_fft(op_type, rank, inverse):
    axes = tuple(range(-rank, 0))

    def shape(x, fft_length):
        if inverse and not x.dtype.is_complex:
            raise TypeError(f"{op_type} requires a complex64 or complex128 input, got "
                            f"{x.dtype.name}")
        if not inverse and x.dtype not in _COMPLEX_OF:
            raise TypeError(f"{op_type} requires a float32 or float64 input, got "
                            f"{x.dtype.name}")
        _inner_rank_check(op_type, x, rank)
        lengths = _fft_lengths(op_type, fft_length, rank)
        if lengths is not None and any(n < 0 for n in lengths):
            raise ValueError(f"{op_type} requires non-negative fft_length, got {lengths}")
        if inverse:
            return [(_REAL_OF[x.dtype], _transformed_shape(x, rank, lengths))]
        inner = None if lengths is None else lengths[:-1] + [lengths[-1] // 2 + 1]
        return [(_COMPLEX_OF[x.dtype], _transformed_shape(x, rank, inner))]

    def kernel(x, fft_length):
        lengths = [int(n) for n in fft_length]
        out_shape = x.shape[:-rank] + tuple(lengths)
        if inverse:
            real = np.dtype(_REAL_OF[dtypes.as_dtype(x.dtype)].as_numpy_dtype)
            return _empty_safe(lambda: np.fft.irfftn(x, s=lengths, axes=axes), real, out_shape)
        out_shape = out_shape[:-1] + (lengths[-1] // 2 + 1,)
        complex_ = np.dtype(_COMPLEX_OF[dtypes.as_dtype(x.dtype)].as_numpy_dtype)
        return _empty_safe(lambda: np.fft.rfftn(x, s=lengths, axes=axes), complex_, out_shape)

    grad = None
    if rank < 3:  # TensorFlow defines no gradient for RFFT3D and IRFFT3D
        grad = _irfft_grad(rank) if inverse else _rfft_grad(rank)
    register_op(op_type, shape=shape, kernel=kernel, grad=grad)
    return op_type


def _edge_bins(fft_length, dtype):
    """1 for the DC and Nyquist bins of the last dimension, 0 for the others, as `dtype`
    ([fft_length[-1] // 2 + 1] values)."""
    n = fft_length[-1]
    k = array.range_(0, n // 2 + 1)
    edges = math_ops.logical_or(math_ops.equal(k, 0), math_ops.equal(2 * k, n))
    return array.cast(edges, dtype)


def _fit_inner(t, target, rank):
    """`t` with its innermost `rank` dimensions cropped or zero-padded to `target` (ints or
    an int32 tensor)."""
    dims = t.shape.as_list()[-rank:] if t.shape.ndims is not None else None
    if dims is not None and None not in dims and not isinstance(target, Tensor):
        target = [int(v) for v in target]
        if dims == target:
            return t
        outer = t.shape.ndims - rank
        key = (Ellipsis,) + tuple(slice(0, n) for n in target)
        cropped = array.getitem(t, key) if any(d > n for d, n in zip(dims, target)) else t
        pads = [(0, 0)] * outer + [(0, max(n - d, 0)) for d, n in zip(dims, target)]
        return array.pad(cropped, pads) if any(p for _, p in pads) else cropped
    target = convert_to_tensor(target, dtype=dtypes.int32)
    inner = array.strided_slice(array.shape(t), [-rank], [0], end_mask=1)
    keep = math_ops.minimum(inner, target)
    outer = array.expand_dims(array.rank(t) - rank, 0)
    size = array.concat([array.fill(outer, -1), keep], 0)
    cropped = array.slice_(t, array.zeros_like(size), size)
    after = array.concat([array.zeros(outer, dtypes.int32), target - keep], 0)
    return array.pad(cropped, array.stack([array.zeros_like(after), after], axis=1))


def _fft_length_input(op):
    value = constant_value(op.inputs[1])
    return op.inputs[1] if value is None else [int(v) for v in np.reshape(value, -1)]


def _length_tensor(lengths):
    return lengths if not isinstance(lengths, list) else constant(np.array(lengths, np.int32))


def _rfft_grad(rank):
    def grad(op, dy):
        lengths = _fft_length_input(op)
        length_tensor = _length_tensor(lengths)
        # the DC and Nyquist bins count once, the others stand for themselves and their mirror
        weights = 0.5 + 0.5 * _edge_bins(length_tensor, _REAL_OF[dy.dtype])
        size = math_ops.reduce_prod(array.cast(length_tensor, _REAL_OF[dy.dtype]))
        full = _IRFFT[rank](dy * array.cast(weights, dy.dtype), length_tensor) * size
        return [_fit_inner(full, _input_dims(op.inputs[0], rank), rank), None]
    return grad


def _irfft_grad(rank):
    def grad(op, dy):
        lengths = _fft_length_input(op)
        length_tensor = _length_tensor(lengths)
        mask = 2.0 - _edge_bins(length_tensor, dy.dtype)
        size = math_ops.reduce_prod(array.cast(length_tensor, dy.dtype))
        spectrum = _RFFT[rank](dy, length_tensor) * array.cast(mask / size,
                                                                 _COMPLEX_OF[dy.dtype])
        return [_fit_inner(spectrum, _input_dims(op.inputs[0], rank), rank), None]
    return grad


def _input_dims(x, rank):
    dims = x.shape.as_list()[-rank:] if x.shape.ndims is not None else [None]
    if None not in dims:
        return dims
    return array.strided_slice(array.shape(x), [-rank], [0], end_mask=1)


_register_real_fft("RFFT", 1, False)
_register_real_fft("IRFFT", 1, True)
_register_real_fft("RFFT2D", 2, False)
_register_real_fft("IRFFT2D", 2, True)
_register_real_fft("RFFT3D", 3, False)
_register_real_fft("IRFFT3D", 3, True)


def _default_rfft_length(x, rank):
    dims = x.shape.as_list()[-rank:] if x.shape.ndims is not None else [None]
    if None not in dims:
        return constant(np.array(dims, np.int32), name="fft_length")
    return array.strided_slice(array.shape(x), [-rank], [0], end_mask=1)


def _default_irfft_length(x, rank):
    dims = x.shape.as_list()[-rank:] if x.shape.ndims is not None else [None]
    if None not in dims:
        return constant(np.array(dims[:-1] + [max(0, 2 * (dims[-1] - 1))], np.int32),
                        name="fft_length")
    inner = array.strided_slice(array.shape(x), [-rank], [0], end_mask=1)
    last = math_ops.maximum(0, 2 * (inner[-1] - 1))
    return array.concat([inner[:-1], array.expand_dims(last, 0)], 0)


def _real_fft_builder(op_type, rank, inverse, default_name):
    def builder(input_tensor, fft_length=None, name=None):
        with name_scope(name, default_name) as scope:
            if inverse:
                x = convert_to_tensor(input_tensor, dtype=_maybe(input_tensor, dtypes.complex64))
                if not x.dtype.is_complex:
                    raise ValueError(f"IRFFT requires tf.complex64 or tf.complex128 inputs, "
                                     f"got: {x}")
            else:
                x = convert_to_tensor(input_tensor, dtype=_maybe(input_tensor, dtypes.float32))
                if x.dtype not in _COMPLEX_OF:
                    raise ValueError(f"RFFT requires tf.float32 or tf.float64 inputs, got: {x}")
            _inner_rank_check(op_type, x, rank)
            if fft_length is None:
                fft_length = (_default_irfft_length if inverse else _default_rfft_length)(x, rank)
            else:
                fft_length = convert_to_tensor(fft_length, dtype=dtypes.int32)
            return one(create_op(op_type, [x, fft_length], name=scope[:-1] + "/"))
    builder.__name__ = default_name
    builder.__doc__ = (f"The {rank}-D {'inverse ' if inverse else ''}real-input discrete Fourier "
                       f"transform over the innermost {rank} dimension(s) ({op_type}).")
    return builder


def _maybe(value, preferred):
    """The dtype to convert `value` with: None (its own) for tensors and arrays and for complex
    Python values that a real `preferred` dtype cannot hold, else `preferred` (TensorFlow's
    preferred_dtype)."""
    if hasattr(value, "dtype") or (np.iscomplexobj(value) and not preferred.is_complex):
        return None
    return preferred


rfft = _real_fft_builder("RFFT", 1, False, "rfft")
irfft = _real_fft_builder("IRFFT", 1, True, "irfft")
rfft2d = _real_fft_builder("RFFT2D", 2, False, "rfft2d")
irfft2d = _real_fft_builder("IRFFT2D", 2, True, "irfft2d")
rfft3d = _real_fft_builder("RFFT3D", 3, False, "rfft3d")
irfft3d = _real_fft_builder("IRFFT3D", 3, True, "irfft3d")
_RFFT = {1: rfft, 2: rfft2d, 3: rfft3d}
_IRFFT = {1: irfft, 2: irfft2d, 3: irfft3d}


# --- N-d transforms over chosen axes (TensorFlow 2.15's FFTND, ...) ----------------------------
def _register_nd(op_type, kind):
    """kind: 'c' complex to complex (forward or inverse), 'r' real to complex, 'i' back."""
    transform_name = op_type[:-2].lower() + "n"  # FFTND -> fftn; np.fft loads on first use

    def out_dtype(dtype):
        if kind == "r":
            return _COMPLEX_OF[dtype]
        return _REAL_OF[dtype] if kind == "i" else dtype

    def shape(x, fft_length, axes):
        if kind == "r" and x.dtype not in _COMPLEX_OF:
            raise TypeError(f"{op_type} requires a float32 or float64 input, got "
                            f"{x.dtype.name}")
        if kind != "r" and not x.dtype.is_complex:
            raise TypeError(f"{op_type} requires a complex64 or complex128 input, got "
                            f"{x.dtype.name}")
        lengths, axis_values = constant_value(fft_length), constant_value(axes)
        if x.shape.ndims is None or lengths is None or axis_values is None:
            return [(out_dtype(x.dtype), TensorShape([None] * x.shape.ndims)
                     if x.shape.ndims is not None else unknown_shape())]
        dims = x.shape.as_list()
        lengths, axis_values = np.reshape(lengths, -1), np.reshape(axis_values, -1)
        if len(lengths) != len(axis_values):
            raise ValueError(f"{op_type} requires fft_length and axes of one length, got "
                             f"{len(lengths)} and {len(axis_values)}")
        for n, a in zip(lengths, axis_values):
            dims[int(a)] = int(n)
        if kind == "r" and len(axis_values):
            dims[int(axis_values[-1])] = int(lengths[-1]) // 2 + 1
        return [(out_dtype(x.dtype), TensorShape(dims))]

    def kernel(x, fft_length, axes):
        lengths, axis_list = [int(n) for n in fft_length], [int(a) for a in axes]
        dims = list(x.shape)
        for n, a in zip(lengths, axis_list):
            dims[a] = n
        if kind == "r" and axis_list:
            dims[axis_list[-1]] = lengths[-1] // 2 + 1
        result = np.dtype(out_dtype(dtypes.as_dtype(x.dtype)).as_numpy_dtype)
        numpy_transform = getattr(np.fft, transform_name)
        return _empty_safe(lambda: numpy_transform(x, s=lengths, axes=axis_list), result,
                           tuple(dims))

    register_op(op_type, shape=shape, kernel=kernel, grad=None)  # TF defines no gradient


for _op_type, _kind in (("FFTND", "c"), ("IFFTND", "c"), ("RFFTND", "r"), ("IRFFTND", "i")):
    _register_nd(_op_type, _kind)


def _nd_builder(op_type, default_name, real_input, inverse):
    def builder(input_tensor, fft_length=None, axes=None, norm=None, name=None):
        with name_scope(name, default_name) as scope:
            preferred = dtypes.float32 if real_input else dtypes.complex64
            x = convert_to_tensor(input_tensor, dtype=_maybe(input_tensor, preferred))
            if x.shape.ndims is None:
                raise ValueError(f"{default_name} requires an input of known rank")
            ndims = x.shape.ndims
            axes = np.arange(ndims) if axes is None else np.reshape(axes, -1)
            axes = np.asarray(axes, np.int32)
            if fft_length is None:  # the lengths of `axes` (TF's wrapper takes all dims)
                dims = [x.shape.as_list()[a] for a in axes]
                if op_type == "IRFFTND" and dims:
                    dims[-1] = max(0, 2 * (dims[-1] - 1)) if dims[-1] is not None else None
                if None in dims:
                    raise ValueError(f"{default_name} needs fft_length for an input of shape "
                                     f"{x.shape}")
                fft_length = constant(np.array(dims, np.int32), name="fft_length")
            else:
                fft_length = convert_to_tensor(fft_length, dtype=dtypes.int32)
            norm = "backward" if norm is None else norm
            if norm not in ("backward", "forward", "ortho"):
                raise ValueError(f"Invalid norm value {norm}; should be 'backward', 'ortho' or "
                                 f"'forward'.")
            if norm != "backward":
                lengths = constant_value(fft_length)
                if lengths is None:
                    raise ValueError(f"{default_name} with norm={norm!r} needs a constant "
                                     f"fft_length")
                n = float(np.prod(np.asarray(lengths, np.float64)))
                factor = n if norm == "forward" else np.sqrt(n)
                x = x * factor if inverse else x / factor
            return one(create_op(op_type, [x, fft_length, convert_to_tensor(axes)],
                                 name=scope[:-1] + "/"))
    builder.__name__ = default_name
    builder.__doc__ = f"{op_type} over dimensions `axes` (default: all), with numpy's `norm`."
    return builder


fftnd = _nd_builder("FFTND", "fftnd", False, False)
ifftnd = _nd_builder("IFFTND", "ifftnd", False, True)
rfftnd = _nd_builder("RFFTND", "rfftnd", True, False)
irfftnd = _nd_builder("IRFFTND", "irfftnd", False, True)
