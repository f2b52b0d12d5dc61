"""tf.signal's composites: framing, windows, STFTs, mel filterbanks, DCTs and MDCTs.

Everything here is built from primitive ops (the FFTs are in ops/spectral_ops.py), so gradients
come from theirs. Windows, mel matrices and DCT bases whose sizes are known while building are
computed in NumPy and become constants; their sizes must be known (TensorFlow also computes
them at run time, which graphs here do not need).
"""
import math

import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, constant_value, convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.core.operation import Tensor
from tensorweave.ops import array, math_ops, spectral_ops


def _static_int(value, what):
    """`value` as a Python int when it is known while building, else None."""
    if isinstance(value, Tensor):
        value = constant_value(value)
        if value is None:
            return None
    value = np.asarray(value)
    if value.ndim != 0 or value.dtype.kind not in "iu":
        raise ValueError(f"{what} must be an integer scalar, got {value!r}")
    return int(value)


def _known_int(value, what):
    result = _static_int(value, what)
    if result is None:
        raise ValueError(f"{what} must be known while building the graph")
    return result


def _shift_axes(x, axes, inverse):
    """fftshift / ifftshift: rolls each of `axes` by half its length (a static shape)."""
    dims = x.shape.as_list() if x.shape.ndims is not None else None
    if dims is None:
        raise ValueError("fftshift requires an input of known rank")
    if axes is None:
        axes = range(len(dims))
    elif isinstance(axes, (int, np.integer)):
        axes = [axes]
    for axis in axes:
        axis = int(axis) % len(dims)
        n = dims[axis]
        if n is None:
            raise ValueError(f"fftshift requires the length of axis {axis} known while "
                             f"building, got shape {x.shape}")
        shift = n // 2 if not inverse else n - n // 2  # the roll amount to the right
        if n == 0 or shift % n == 0:
            continue
        cut = n - shift
        head = (slice(None),) * axis
        x = array.concat([array.getitem(x, head + (slice(cut, None),)),
                          array.getitem(x, head + (slice(0, cut),))], axis)
    return x


def fftshift(x, axes=None, name=None):
    """Shifts the zero frequency to the middle of `axes` (all by default), as numpy's."""
    with name_scope(name, "fftshift"):
        return _shift_axes(convert_to_tensor(x), axes, False)


def ifftshift(x, axes=None, name=None):
    """The inverse of fftshift."""
    with name_scope(name, "ifftshift"):
        return _shift_axes(convert_to_tensor(x), axes, True)


# --- framing ----------------------------------------------------------------------------------
def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Frames of `frame_length` samples every `frame_step` samples along `axis`: that axis
    becomes [num_frames, frame_length]. With `pad_end`, the end is padded with `pad_value` so
    that every sample is in a frame."""
    with name_scope(name, "frame"):
        signal = convert_to_tensor(signal, name="signal")
        if signal.shape.ndims is None:
            raise ValueError("frame requires a signal of known rank")
        if signal.shape.ndims < 1:
            raise ValueError(f"Shape {signal.shape} must have rank at least 1")
        ndims = signal.shape.ndims
        axis = _known_int(axis, "axis") % ndims
        length = _known_int(frame_length, "frame_length")
        step = _known_int(frame_step, "frame_step")
        samples = signal.shape.as_list()[axis]
        if samples is None:
            samples = array.shape(signal)[axis]
        if pad_end:
            frames = -(-samples // step)
            extra = math_ops.maximum(0, length + step * (frames - 1) - samples) \
                if isinstance(samples, Tensor) else max(0, length + step * (frames - 1) - samples)
            if isinstance(extra, Tensor):
                after = array.stack([0] * axis + [extra] + [0] * (ndims - axis - 1))
                pads = array.stack([array.zeros_like(after), after], axis=1)
            else:
                pads = [[0, 0]] * axis + [[0, extra]] + [[0, 0]] * (ndims - axis - 1)
            if isinstance(extra, Tensor) or extra > 0:
                signal = array.pad(signal, pads,
                                   constant_values=_pad_constant(pad_value, signal.dtype))
        else:
            frames = 1 + (samples - length) // step
            frames = math_ops.maximum(0, frames) if isinstance(frames, Tensor) \
                else max(0, frames)
        starts = array.expand_dims(array.range_(0, frames) * step, 1)
        selector = starts + constant(np.arange(length, dtype=np.int32)[None, :])
        # through a reshape, so the signal's gradient is dense, as TF's slicing frame gives
        source = array.reshape(signal, array.shape(signal))
        return array.gather(source, selector, axis=axis)


def _pad_constant(value, dtype):
    value = constant_value(value) if isinstance(value, Tensor) else value
    return np.asarray(value, dtype.as_numpy_dtype).item()


def overlap_and_add(signal, frame_step, name=None):
    """Adds frames [..., frames, frame_length] back together `frame_step` samples apart:
    [..., frame_step * (frames - 1) + frame_length]."""
    with name_scope(name, "overlap_and_add"):
        signal = convert_to_tensor(signal, name="signal")
        if signal.shape.ndims is not None and signal.shape.ndims < 2:
            raise ValueError(f"Shape {signal.shape} must have rank at least 2")
        if isinstance(frame_step, Tensor) and not frame_step.dtype.is_integer:
            raise ValueError(f"frame_step must be an integer. Got {frame_step.dtype}")
        step = _known_int(frame_step, "frame_step")
        if signal.shape.ndims is None or None in signal.shape.as_list()[-2:]:
            raise ValueError(f"overlap_and_add requires the frame count and length known while "
                             f"building, got shape {signal.shape}")
        frames, length = signal.shape.as_list()[-2:]
        outer = signal.shape.ndims - 2
        out_length = length + step * (frames - 1)
        outer_shape = array.strided_slice(array.shape(signal), [0], [-2], begin_mask=1)
        full = signal.shape.as_list()[:-2]

        def shaped(t, inner):
            if None not in full:
                return array.reshape(t, full + inner)
            return array.reshape(t, array.concat([outer_shape, constant(
                np.array(inner, np.int32))], 0))

        if step == length:
            return shaped(signal, [out_length])
        segments = -(-length // step)
        padded = array.pad(signal, [[0, 0]] * outer + [[0, segments],
                                                       [0, segments * step - length]])
        x = shaped(padded, [frames + segments, segments, step])
        x = array.transpose(x, list(range(outer)) + [outer + 1, outer, outer + 2])
        x = shaped(x, [(frames + segments) * segments, step])
        x = array.getitem(x, (Ellipsis, slice(0, (frames + segments - 1) * segments),
                              slice(None)))
        x = shaped(x, [segments, frames + segments - 1, step])
        x = math_ops.reduce_sum(x, -3)
        x = shaped(x, [(frames + segments - 1) * step])
        return array.getitem(x, (Ellipsis, slice(0, out_length)))


# --- windows ----------------------------------------------------------------------------------
def _window_dtype(dtype):
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"dtype must be a floating point type. Found {dtype}")
    return dtype


def _raised_cosine(name, default_name, window_length, periodic, dtype, a, b):
    dtype = _window_dtype(dtype)
    with name_scope(name, default_name):
        length = _known_int(window_length, "window_length")
        if length == 1:
            return array.ones([1], dtype=dtype)
        periodic = bool(constant_value(periodic) if isinstance(periodic, Tensor) else periodic)
        denominator = length + (1 if periodic and length % 2 == 0 else 0) - 1
        count = array.cast(array.range_(0, length), dtype)
        angle = constant(np.asarray(2 * np.pi, dtype.as_numpy_dtype)) * count / \
            constant(np.asarray(denominator, dtype.as_numpy_dtype))
        return a - b * math_ops.cos(angle)


def hann_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """The Hann window 0.5 - 0.5 cos(2 pi n / N) (N = length, or length - 1 if not periodic)."""
    return _raised_cosine(name, "hann_window", window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(window_length, periodic=True, dtype=dtypes.float32, name=None):
    """The Hamming window 0.54 - 0.46 cos(2 pi n / N)."""
    return _raised_cosine(name, "hamming_window", window_length, periodic, dtype, 0.54, 0.46)


def vorbis_window(window_length, dtype=dtypes.float32, name=None):
    """The Vorbis power-complementary window sin(pi / 2 sin^2(pi (n + 0.5) / N))."""
    dtype = _window_dtype(dtype)
    with name_scope(name, "vorbis_window"):
        length = _known_int(window_length, "window_length")
        n = array.cast(array.range_(0, length), dtype)
        inner = math_ops.sin(np.pi / constant(np.asarray(length, dtype.as_numpy_dtype)) *
                             (n + 0.5))
        return math_ops.sin(np.pi / 2.0 * math_ops.square(inner))


def bessel_i0e(x):
    """exp(-|x|) I0(x) in float64 from I0's power series (every term positive, so accurate to
    rounding for the moderate |x| windows use)."""
    x = np.abs(np.asarray(x, np.float64))
    quarter = (x / 2.0) ** 2
    term = np.ones_like(x)
    total = np.ones_like(x)
    k = 0
    while True:
        k += 1
        term = term * quarter / (k * k)
        total = total + term
        if np.all(term <= 1e-17 * total):
            break
    return total * np.exp(-x)


def _kaiser_values(length, beta):
    if length == 1:
        return np.ones(1)
    half = (length - 1) / 2.0
    arg = np.arange(length, dtype=np.float64) - half
    num = beta * np.sqrt(np.maximum(0.0, 1.0 - (arg / half) ** 2))
    return np.exp(num - beta) * bessel_i0e(num) / bessel_i0e(beta)


def kaiser_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """The Kaiser window I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta)."""
    dtype = _window_dtype(dtype)
    with name_scope(name, "kaiser_window"):
        length = _known_int(window_length, "window_length")
        beta = float(constant_value(beta) if isinstance(beta, Tensor) else beta)
        return constant(_kaiser_values(length, beta).astype(dtype.as_numpy_dtype))


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=dtypes.float32, name=None):
    """The Kaiser-Bessel derived window (power complementary, for MDCTs)."""
    dtype = _window_dtype(dtype)
    with name_scope(name, "kaiser_bessel_derived_window"):
        length = _known_int(window_length, "window_length")
        beta = float(constant_value(beta) if isinstance(beta, Tensor) else beta)
        kaiser = _kaiser_values(length // 2 + 1, beta).astype(dtype.as_numpy_dtype)
        cumulative = np.cumsum(kaiser, dtype=dtype.as_numpy_dtype)
        half = np.sqrt(cumulative[:-1] / cumulative[-1])
        return constant(np.concatenate([half, half[::-1]]).astype(dtype.as_numpy_dtype))


# --- short-time Fourier transforms ------------------------------------------------------------
def _enclosing_power_of_two(value):
    return int(2 ** np.ceil(np.log(value) / np.log(2.0)))


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end=False, name=None):
    """The short-time Fourier transform of real `signals` [..., samples]:
    [..., frames, fft_length // 2 + 1] (fft_length: the smallest power of 2 >= frame_length)."""
    with name_scope(name, "stft"):
        signals = convert_to_tensor(signals, name="signals")
        if signals.shape.ndims is not None and signals.shape.ndims < 1:
            raise ValueError(f"Shape {signals.shape} must have rank at least 1")
        frame_length = _known_int(frame_length, "frame_length")
        frame_step = _known_int(frame_step, "frame_step")
        fft_length = _enclosing_power_of_two(frame_length) if fft_length is None else \
            _known_int(fft_length, "fft_length")
        framed = frame(signals, frame_length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed = framed * window_fn(frame_length, dtype=framed.dtype)
        return spectral_ops.rfft(framed, [fft_length])


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """A window_fn for inverse_stft that undoes `forward_window_fn`'s overlapping windows."""
    def inverse_window(frame_length, dtype):
        with name_scope(name, "inverse_stft_window_fn"):
            step = _known_int(frame_step, "frame_step")
            length = _known_int(frame_length, "frame_length")
            forward = forward_window_fn(length, dtype=dtype)
            overlaps = -(-length // step)
            denominator = array.pad(math_ops.square(forward), [(0, overlaps * step - length)])
            denominator = math_ops.reduce_sum(array.reshape(denominator, [overlaps, step]), 0,
                                              keepdims=True)
            denominator = array.reshape(array.tile(denominator, [overlaps, 1]),
                                        [overlaps * step])
            return forward / array.getitem(denominator, (slice(0, length),))
    return inverse_window


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window,
                 name=None):
    """Real signals from their STFTs [..., frames, fft_length // 2 + 1]; with
    window_fn=inverse_stft_window_fn(frame_step) it inverts stft exactly."""
    with name_scope(name, "inverse_stft"):
        stfts = convert_to_tensor(stfts, name="stfts")
        if stfts.shape.ndims is not None and stfts.shape.ndims < 2:
            raise ValueError(f"Shape {stfts.shape} must have rank at least 2")
        frame_length = _known_int(frame_length, "frame_length")
        frame_step = _known_int(frame_step, "frame_step")
        fft_length = _enclosing_power_of_two(frame_length) if fft_length is None else \
            _known_int(fft_length, "fft_length")
        frames = spectral_ops.irfft(stfts, [fft_length])
        if fft_length > frame_length:
            frames = array.getitem(frames, (Ellipsis, slice(0, frame_length)))
        elif fft_length < frame_length:
            frames = array.pad(frames, [[0, 0]] * (frames.shape.ndims - 1) +
                               [[0, frame_length - fft_length]])
        if window_fn is not None:
            frames = frames * window_fn(frame_length, dtype=frames.dtype)
        return overlap_and_add(frames, frame_step)


# --- mel filterbanks --------------------------------------------------------------------------
def _hertz_to_mel(hertz):
    return 1127.0 * np.log(1.0 + hertz / 700.0)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0,
                                dtype=dtypes.float32, name=None):
    """A [num_spectrogram_bins, num_mel_bins] matrix of triangular filters that maps linear
    spectrogram bins to mel bins (HTK's mel scale); the DC bin maps to nothing."""
    dtype = dtypes.as_dtype(dtype)
    with name_scope(name, "linear_to_mel_weight_matrix") as scope:
        if isinstance(sample_rate, Tensor):
            known = constant_value(sample_rate)
            if known is None:
                raise ValueError("sample_rate must be known while building the graph")
            sample_rate = known.item()
        if num_mel_bins <= 0:
            raise ValueError(f"num_mel_bins must be positive. Got: {num_mel_bins}")
        if lower_edge_hertz < 0.0:
            raise ValueError(f"lower_edge_hertz must be non-negative. Got: {lower_edge_hertz}")
        if lower_edge_hertz >= upper_edge_hertz:
            raise ValueError("lower_edge_hertz %.1f >= upper_edge_hertz %.1f" %
                             (lower_edge_hertz, upper_edge_hertz))
        if sample_rate <= 0.0:
            raise ValueError(f"sample_rate must be positive. Got: {sample_rate}")
        if upper_edge_hertz > sample_rate / 2:
            raise ValueError(f"upper_edge_hertz must not be larger than the Nyquist frequency "
                             f"(sample_rate / 2). Got {upper_edge_hertz} for sample_rate: "
                             f"{sample_rate}")
        if not dtype.is_floating:
            raise ValueError(f"dtype must be a floating point type. Got: {dtype}")
        kind = dtype.as_numpy_dtype
        nyquist = kind(sample_rate) / kind(2.0)
        linear = np.linspace(0.0, nyquist, num_spectrogram_bins).astype(kind)[1:]
        bins_mel = _hertz_to_mel(linear).astype(kind)[:, None]
        edges = np.linspace(_hertz_to_mel(kind(lower_edge_hertz)),
                            _hertz_to_mel(kind(upper_edge_hertz)), num_mel_bins + 2).astype(kind)
        lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
        lower_slopes = (bins_mel - lower) / (center - lower)
        upper_slopes = (upper - bins_mel) / (upper - center)
        weights = np.maximum(0, np.minimum(lower_slopes, upper_slopes)).astype(kind)
        return constant(np.pad(weights, [[1, 0], [0, 0]]), name=scope[:-1])


# --- discrete cosine transforms ---------------------------------------------------------------
def _dct_basis(kind, size, norm):
    """C with dct(x) = x @ C for a length-`size` x, in float64 (scipy's conventions)."""
    n = np.arange(size, dtype=np.float64)[:, None]
    k = np.arange(size, dtype=np.float64)[None, :]
    if kind == 1:
        basis = 2.0 * np.cos(np.pi * n * k / (size - 1))
        basis[0, :] = 1.0
        basis[-1, :] = (-1.0) ** np.arange(size)
        return basis
    if kind == 2:
        basis = 2.0 * np.cos(np.pi * k * (2 * n + 1) / (2 * size))
        if norm == "ortho":
            basis[:, 0] *= np.sqrt(1.0 / (4 * size))
            basis[:, 1:] *= np.sqrt(1.0 / (2 * size))
        return basis
    if kind == 3:
        basis = 2.0 * np.cos(np.pi * n * (2 * k + 1) / (2 * size))
        if norm == "ortho":
            basis[0, :] = 1.0 / np.sqrt(size)
            basis[1:, :] *= np.sqrt(1.0 / (2 * size))
        else:
            basis[0, :] = 1.0
        return basis
    basis = 2.0 * np.cos(np.pi * (2 * n + 1) * (2 * k + 1) / (4 * size))
    if norm == "ortho":
        basis *= np.sqrt(1.0 / (2 * size))
    return basis


def _validate_dct(x, kind, n, axis, norm):
    if axis != -1:
        raise NotImplementedError(f"axis must be -1. Got: {axis}")
    if n is not None and n < 1:
        raise ValueError("n should be a positive integer or None")
    if kind not in (1, 2, 3, 4):
        raise ValueError("Types I, II, III and IV (I)DCT are supported.")
    if kind == 1:
        if norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        last = x.shape.as_list()[-1] if x.shape.ndims else None
        if last is not None and last < 2:
            raise ValueError("Type-I DCT requires the dimension to be greater than one.")
    if norm not in (None, "ortho"):
        raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")


def _apply_dct(x, kind, n, norm, name):
    with name_scope(name, "dct"):
        x = convert_to_tensor(x)
        if x.shape.ndims is None or x.shape.as_list()[-1] is None:
            raise ValueError(f"dct requires the last dimension known while building, got "
                             f"shape {x.shape}")
        size = x.shape.as_list()[-1]
        if n is not None and n < size:
            x = array.getitem(x, (Ellipsis, slice(0, n)))
        elif n is not None and n > size:
            x = array.pad(x, [[0, 0]] * (x.shape.ndims - 1) + [[0, n - size]])
        size = x.shape.as_list()[-1]
        basis = constant(_dct_basis(kind, size, norm).astype(x.dtype.as_numpy_dtype))
        if x.shape.ndims == 2:
            return math_ops.matmul(x, basis)
        dims = x.shape.as_list()
        flat = math_ops.matmul(array.reshape(x, [-1, size]), basis)
        if None not in dims:
            return array.reshape(flat, dims)
        return array.reshape(flat, array.shape(x))


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002 - TF's names
    """The type I, II, III or IV discrete cosine transform of the last dimension (scipy's
    scaling; norm='ortho' for orthonormal types II-IV); `n` crops or zero-pads it first."""
    x = convert_to_tensor(input)
    _validate_dct(x, type, n, axis, norm)
    return _apply_dct(x, type, n, norm, name)


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002 - TF's names
    """The inverse DCT (up to a factor 2 * N unless norm='ortho'): a DCT of the inverse type."""
    x = convert_to_tensor(input)
    _validate_dct(x, type, n, axis, norm)
    return _apply_dct(x, {1: 1, 2: 3, 3: 2, 4: 4}[type], n, norm, name)


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """Mel-frequency cepstral coefficients: an orthonormally scaled DCT-II of log mel
    spectrograms [..., num_mel_bins] (HTK's scaling)."""
    with name_scope(name, "mfccs_from_log_mel_spectrograms"):
        x = convert_to_tensor(log_mel_spectrograms)
        bins = x.shape.as_list()[-1] if x.shape.ndims else None
        if bins == 0:
            raise ValueError(f"num_mel_bins must be positive. Got: {x}")
        coefficients = dct(x, type=2)
        return coefficients * constant(np.asarray(1.0 / math.sqrt(2.0 * bins),
                                                  x.dtype.as_numpy_dtype))


# --- modified discrete cosine transforms ------------------------------------------------------
def mdct(signals, frame_length, window_fn=vorbis_window, pad_end=False, norm=None, name=None):
    """The MDCT of frames of `frame_length` (a multiple of 4) samples, half a frame apart:
    [..., frames, frame_length // 2]."""
    with name_scope(name, "mdct"):
        signals = convert_to_tensor(signals, name="signals")
        length = _known_int(frame_length, "frame_length")
        if length % 4 != 0:
            raise ValueError("The frame length must be a multiple of 4.")
        framed = frame(signals, length, length // 2, pad_end=pad_end)
        if window_fn is not None:
            framed = framed * window_fn(length, dtype=framed.dtype)
        else:
            framed = framed * (1.0 / np.sqrt(2))
        q = length // 4
        parts = [array.getitem(framed, (Ellipsis, slice(i * q, (i + 1) * q))) for i in range(4)]
        reverse = (Ellipsis, slice(None, None, -1))
        first = -array.getitem(parts[2], reverse) - parts[3]
        second = parts[0] - array.getitem(parts[1], reverse)
        return dct(array.concat([first, second], -1), type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name=None):
    """Signals from their MDCTs [..., frames, half_len]; with a power-complementary window
    (vorbis, Kaiser-Bessel derived) it inverts mdct."""
    with name_scope(name, "inverse_mdct"):
        mdcts = convert_to_tensor(mdcts, name="mdcts")
        if mdcts.shape.ndims is not None and mdcts.shape.ndims < 2:
            raise ValueError(f"Shape {mdcts.shape} must have rank at least 2")
        half = mdcts.shape.as_list()[-1] if mdcts.shape.ndims else None
        if half is None:
            raise ValueError("inverse_mdct requires the last dimension known while building")
        if norm is None:
            result = dct(mdcts, type=4) * (0.5 / half)
        elif norm == "ortho":
            result = dct(mdcts, type=4, norm="ortho")
        else:
            raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")
        q = half // 2
        low = array.getitem(result, (Ellipsis, slice(0, q)))
        high = array.getitem(result, (Ellipsis, slice(q, None)))
        reverse = (Ellipsis, slice(None, None, -1))
        frames = array.concat([high, -array.getitem(high, reverse),
                               -array.getitem(low, reverse), -low], -1)
        if window_fn is not None:
            frames = frames * window_fn(2 * half, dtype=mdcts.dtype)
        else:
            frames = frames * (1.0 / np.sqrt(2))
        return overlap_and_add(frames, half)
