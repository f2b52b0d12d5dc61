"""Encoders behind the summary kernels (ops/summary.py): TF's histogram buckets, PNG images
and WAV audio.

Pure NumPy and the standard library (zlib, struct, wave); no protobuf here.
"""
import functools
import io
import struct
import sys
import zlib

import numpy as np

DBL_MAX = sys.float_info.max


def _default_bucket_limits():
    """TF's default histogram bucket limits: 0, then +-1e-12 growing by 10% per bucket up to
    1e20, closed by +-DBL_MAX. Bucket i counts values in [limit[i-1], limit[i])."""
    positive = []
    v = 1.0e-12
    while v < 1.0e20:
        positive.append(v)
        v *= 1.1  # the same rounding, step by step, as TF's double arithmetic
    positive.append(DBL_MAX)
    negative = [-p for p in reversed(positive)]
    limits = np.array(negative + [0.0] + positive, dtype=np.float64)
    limits.setflags(write=False)
    return limits


DEFAULT_BUCKET_LIMITS = _default_bucket_limits()
_PREFIX_SHIFT = np.uint64(48)  # a float64's sign, exponent and 4 leading mantissa bits
_TOP_HALF_WORD = 3 if sys.byteorder == "little" else 0  # where those 16 bits lie


def _bucket_of(values, limits):
    """TF's bucket of each float64 value: the number of limits <= it (upper_bound), at most
    the last bucket (which takes infinity)."""
    return np.minimum(np.searchsorted(limits, values, side="right"), limits.size - 1)


@functools.lru_cache(maxsize=1)
def _default_prefix_buckets():
    """The default limits' prefix table, made on the first histogram (~6 ms)."""
    return _prefix_buckets(DEFAULT_BUCKET_LIMITS)


def _prefix_buckets(limits):
    """For each of the 2**16 leading-bit prefixes of a float64, the lowest bucket a number
    with that prefix falls in. The numbers of one prefix span under 6.25% (relative), the
    default buckets 10%, so each prefix meets at most two buckets: the lowest, or the next one
    for numbers from the lowest bucket's upper limit on. (NaN is left to the caller.)"""
    prefixes = np.arange(1 << 16, dtype=np.uint64) << _PREFIX_SHIFT
    first = prefixes.view(np.float64)  # 0 or infinity where the others are NaN
    last = (prefixes | np.uint64((1 << 48) - 1)).view(np.float64)
    last = np.where(np.isnan(last), first, last)
    low, high = _bucket_of(first, limits), _bucket_of(last, limits)
    assert (np.abs(low - high) <= 1).all(), "a prefix spans more than two buckets"
    return np.minimum(low, high)


# each bucket's upper limit, NaN for the last (no comparison with it is true)
_UPPER_LIMITS = np.append(DEFAULT_BUCKET_LIMITS[:-1], np.nan)


def _bucket_counts(wide, any_nan, chunk=1 << 16):
    """How many of the float64 values `wide` fall in each default bucket: each value's
    bucket from its leading bits (a table) and one comparison, then counted, over
    cache-sized chunks; NaN (when `any_nan`) in the last bucket."""
    last = DEFAULT_BUCKET_LIMITS.size - 1
    counts = np.zeros(last + 1, np.intp)
    table = _default_prefix_buckets()
    prefixes = wide.view(np.uint16)[_TOP_HALF_WORD::4]  # each value's leading 16 bits
    with np.errstate(invalid="ignore"):
        for start in range(0, wide.size, chunk):
            part = wide[start:start + chunk]
            buckets = table[prefixes[start:start + chunk]]
            buckets += part >= _UPPER_LIMITS[buckets]
            if any_nan:
                buckets[np.isnan(part)] = last
            counts += np.bincount(buckets, minlength=last + 1)
    return counts


def _sequential_sum(wide, chunk=1 << 16):
    """wide[0] + wide[1] + ... added one at a time, as TF adds them (not NumPy's pairwise
    sum): running sums over cache-sized chunks, each starting from the sum so far."""
    total = np.zeros(1)
    for start in range(0, wide.size, chunk):
        total = np.cumsum(np.concatenate([total, wide[start:start + chunk]]))[-1:]
    return float(total[0])


class Histogram:
    """The statistics TF's summary histogram records for a set of values.

    `limits` and `counts` are already in TF's sparse form: each run of empty buckets is
    collapsed into one bucket at the run's last limit (so the list is never empty).
    """

    __slots__ = ("min", "max", "num", "sum", "sum_squares", "limits", "counts")

    def __init__(self, values):
        values = np.asarray(values).reshape(-1)
        wide = values.astype(np.float64)
        limits = DEFAULT_BUCKET_LIMITS
        self.num = float(values.size)
        if values.size:
            self.min = float(np.fmin.reduce(wide))  # NaN only when every value is NaN
            self.max = float(np.max(wide))  # NaN when any value is
            self.sum = _sequential_sum(wide)
            self.sum_squares = _sequential_sum(np.square(wide))
        else:
            self.min, self.max, self.sum, self.sum_squares = DBL_MAX, -DBL_MAX, 0.0, 0.0
        counts = _bucket_counts(wide, bool(values.size) and np.isnan(self.max)).astype(
            np.float64)
        filled = counts > 0
        keep = filled.copy()
        keep[:-1] |= filled[1:]  # an empty bucket right before a filled one ends its run
        keep[-1] = True
        self.limits = limits[keep]
        self.counts = counts[keep]


def encode_png(image):
    """PNG bytes of a uint8 image [height, width, channels] (1 gray, 3 RGB, 4 RGBA channels)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width, channels = image.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = np.empty((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "None" for every scanline
    rows[:, 1:] = image.reshape(height, width * channels)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + chunk(b"IEND", b""))


def float_image_to_uint8(image, bad_color):
    """TF's float-to-uint8 image mapping: non-negative images scale so the maximum is 255;
    images with negative values scale by the largest magnitude and center at 128. Pixels with
    any non-finite channel become `bad_color`. The arithmetic stays in the image's dtype."""
    dtype = image.dtype
    finite = np.isfinite(image).all(axis=-1)
    good = image[finite]
    lo = float(good.min()) if good.size else np.inf
    hi = float(good.max()) if good.size else -np.inf
    if lo < 0:
        largest = max(abs(lo), abs(hi))
        scale = dtype.type(0.0 if largest < 1e-6 else np.float32(127.0) / np.float32(largest))
        offset = dtype.type(128.0)
    else:
        scale = dtype.type(0.0 if hi < 1e-6 else np.float32(255.0) / np.float32(hi))
        offset = dtype.type(0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = image * scale + offset
        out = np.where(finite[..., None], scaled, 0).astype(np.uint8)
    out[~finite] = np.asarray(bad_color, dtype=np.uint8)[:image.shape[-1]]
    return out


def encode_wav(samples, sample_rate):
    """16-bit PCM WAV bytes of float samples [frames, channels] in [-1, 1] (clipped)."""
    scaled = np.asarray(samples, dtype=np.float32) * np.float32(32768.0)
    rounded = np.copysign(np.floor(np.abs(scaled) + np.float32(0.5)), scaled)  # half away from 0
    pcm = np.clip(rounded, -32768, 32767).astype("<i2")
    import wave  # here, not at the top: `import tensorweave` loads this module
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(pcm.shape[1])
        out.setsampwidth(2)
        out.setframerate(int(sample_rate))
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()
