"""Op table rows: FFTs, bitwise ops, RandomGamma(Grad), RandomPoissonV2 and the stateless random
ops. The FFTs' gradients (complex values, which the harness does not differentiate) are checked
in tests/test_signal.py; the stateless draws against TensorFlow's numbers where they are its."""
import math
import pathlib

import numpy as np

import tensorweave as tf
from tensorweave.core.graph import create_op
from tensorweave.ops import philox

from op_case import Case, ints, rand

REFERENCE = np.load(pathlib.Path(__file__).resolve().parents[1] / "fixtures" /
                    "signal_reference.npz")


def crand(*shape):
    return rand(*shape) + 1j * rand(*shape)


def _fft_rows():
    rows = []
    for op_type, rank, fn in (("FFT", 1, np.fft.fftn), ("IFFT", 1, np.fft.ifftn),
                              ("FFT2D", 2, np.fft.fftn), ("IFFT2D", 2, np.fft.ifftn),
                              ("FFT3D", 3, np.fft.fftn), ("IFFT3D", 3, np.fft.ifftn)):
        axes = tuple(range(-rank, 0))
        rows.append(Case(op_type, [crand(2, 3, 4, 5)],
                         lambda x, fn=fn, axes=axes: fn(x, axes=axes)))
        rows.append(Case(op_type, [crand(2, 3, 4).astype(np.complex64)],
                         lambda x, fn=fn, axes=axes: fn(x, axes=axes).astype(np.complex64),
                         tag="complex64", ref_tol=(1e-5, 1e-5)))
    rows.append(Case("FFT", [np.zeros((2, 0), np.complex128)], lambda x: x.copy(), tag="empty"))
    for op_type, rank, lengths in (("RFFT", 1, [8]), ("RFFT2D", 2, [3, 6]),
                                   ("RFFT3D", 3, [2, 3, 5])):
        axes = tuple(range(-rank, 0))
        rows.append(Case(op_type, [rand(2, 3, 4, 6), ints(*lengths)],
                         lambda x, n, axes=axes: np.fft.rfftn(x, s=n, axes=axes), wrt=()))
    for op_type, rank, lengths, inner in (("IRFFT", 1, [8], (5,)), ("IRFFT", 1, [7], (3,)),
                                          ("IRFFT2D", 2, [3, 6], (3, 4)),
                                          ("IRFFT3D", 3, [2, 3, 5], (2, 3, 3))):
        axes = tuple(range(-rank, 0))
        rows.append(Case(op_type, [crand(2, *inner), ints(*lengths)],
                         lambda x, n, axes=axes: np.fft.irfftn(x, s=n, axes=axes),
                         tag=f"n{lengths[-1]}"))
    rows.append(Case("RFFT", [rand(3, 5).astype(np.float32), ints(6)],
                     lambda x, n: np.fft.rfft(x, 6).astype(np.complex64), tag="float32",
                     ref_tol=(1e-5, 1e-5), wrt=()))
    unknown = "TF 2.15's N-d FFTs take axes: the input's rank must be known"
    rows += [
        Case("FFTND", [crand(2, 3, 4), ints(3, 6), ints(0, 2)],
             lambda x, n, a: np.fft.fftn(x, s=n, axes=a), unknown_rank=unknown),
        Case("IFFTND", [crand(2, 3, 4), ints(2, 3, 4), ints(0, 1, 2)],
             lambda x, n, a: np.fft.ifftn(x, s=n, axes=a), unknown_rank=unknown),
        Case("RFFTND", [rand(2, 3, 4), ints(5, 6), ints(1, 2)],
             lambda x, n, a: np.fft.rfftn(x, s=n, axes=a), unknown_rank=unknown),
        Case("IRFFTND", [crand(2, 3, 4), ints(3, 6), ints(1, 2)],
             lambda x, n, a: np.fft.irfftn(x, s=n, axes=a), unknown_rank=unknown),
    ]
    return rows


def _bitwise_rows():
    a = np.array([[0, 1, 5, -3, 127, -128]], np.int8)
    b = np.array([3, 1, 2, 7, 9, -1], np.int8)
    u = np.array([1, 3, 65535, 1024], np.uint16)
    return [
        Case("BitwiseAnd", [a, b], np.bitwise_and),
        Case("BitwiseOr", [a, b], np.bitwise_or),
        Case("BitwiseXor", [ints(5, -9, 1 << 30), ints(3)], np.bitwise_xor),
        Case("BitwiseAnd", [u, np.uint16(255)], np.bitwise_and, tag="uint16"),
        Case("Invert", [a], np.invert),
        Case("Invert", [u], np.invert, tag="uint16"),
        Case("LeftShift", [a, b], lambda x, y: REFERENCE["bit_left"][None]),
        Case("RightShift", [a, b], lambda x, y: REFERENCE["bit_right"][None]),
        Case("LeftShift", [u[:3], np.array([15, 16, 1], np.uint16)],
             lambda x, y: REFERENCE["bit_left_u16"], tag="uint16"),
        Case("RightShift", [ints(-8, 1 << 20, 7, dtype=np.int64), ints(1, 70, -2, dtype=np.int64)],
             lambda x, y: np.array([-4, 0, 7]), tag="int64"),
    ]


def _stateless(op_type, inputs, ref, tag=None, **attrs):
    def build(*tensors):
        return create_op(op_type, list(tensors), **attrs)
    return Case(op_type, inputs, ref, build=build, tag=tag)


_SHAPE, _SEED = ints(3, 5), np.array([7, 11], np.int64)


def _generator_draw(draw):
    """A reference draw from the seed's NumPy generator on the Philox stream."""
    return lambda shape, seed, *params: draw(philox.generator(seed), tuple(shape), *params)


def _stateless_rows():
    uniform, normal = REFERENCE["stateless_uniform"], REFERENCE["stateless_normal"]
    return [
        _stateless("StatelessRandomUniform", [_SHAPE, _SEED], lambda s, k: uniform,
                   dtype=tf.float32),
        _stateless("StatelessRandomUniform", [ints(7), _SEED],
                   lambda s, k: REFERENCE["stateless_uniform64"], tag="float64",
                   dtype=tf.float64),
        _stateless("StatelessRandomUniform", [ints(2, 2), _SEED],
                   lambda s, k: REFERENCE["stateless_uniform16"],
                   tag="float16", dtype=tf.float16),
        Case("StatelessRandomNormal", [_SHAPE, _SEED], lambda s, k: normal,
             build=lambda s, k: create_op("StatelessRandomNormal", [s, k], dtype=tf.float32),
             ref_tol=(1e-6, 1e-6)),
        _stateless("StatelessRandomNormal", [ints(5), np.array([1, 2], np.int64)],
                   lambda s, k: REFERENCE["stateless_normal64"], tag="float64",
                   dtype=tf.float64),
        _stateless("StatelessRandomUniformInt", [ints(9), _SEED, ints(-3)[0], ints(10)[0]],
                   lambda *a: REFERENCE["stateless_uniform_int"], dtype=tf.int32),
        _stateless("StatelessRandomUniformInt",
                   [ints(5), _SEED, np.int64(-3), np.int64(10)],
                   lambda *a: REFERENCE["stateless_uniform_int64"], tag="int64",
                   dtype=tf.int64),
        _stateless("StatelessRandomUniformFullInt", [ints(2, 2), _SEED],
                   lambda *a: REFERENCE["split"], dtype=tf.int64),
        _stateless("StatelessRandomUniformFullInt", [ints(6), ints(3, 4)],
                   lambda *a: REFERENCE["full_int32"], tag="int32", dtype=tf.int32),
        _stateless("StatelessTruncatedNormal", [_SHAPE, _SEED],
                   lambda s, k: _truncated_reference(tuple(s), k), dtype=tf.float64),
        _stateless("StatelessMultinomial", [np.log([[0.2, 0.8], [0.5, 0.5]]), ints(6)[0],
                                            _SEED],
                   _multinomial_reference, output_dtype=tf.int64),
        # wrt=(): a draw is not a smooth function of alpha for a fixed stream (rejection
        # sampling), so finite differences cannot check the implicit-reparameterization
        # gradient; tests/test_random_distributions.py checks it against its expectation
        Case("StatelessRandomGammaV2", [_SHAPE, _SEED, np.array([0.5, 1, 2, 4, 9.0])],
             _generator_draw(lambda g, s, a: g.standard_gamma(np.broadcast_to(a, s))), wrt=()),
        _stateless("StatelessRandomPoisson", [_SHAPE, _SEED, np.array([[0.5], [3], [40.0]])],
                   _generator_draw(lambda g, s, lam: g.poisson(np.broadcast_to(lam, s)).astype(
                       np.int32)), dtype=tf.int32),
        _stateless("StatelessRandomBinomial", [_SHAPE, _SEED, np.array(10.0), np.array(0.3)],
                   _generator_draw(lambda g, s, n, p: g.binomial(
                       np.broadcast_to(np.int64(n), s), np.broadcast_to(p, s)).astype(
                       np.int64)), dtype=tf.int64),
        Case("StatelessParameterizedTruncatedNormal",
             [ints(4, 3), _SEED, np.array([0.0, 1.0, -1.0]), np.array(2.0), np.array(-1.0),
              np.array([0.5, 3.0, 1.0])], _parameterized_truncated_reference,
             ref_tol=(1e-9, 1e-9)),
    ]


def _truncated_reference(shape, seed):
    """TF's float64 kernel, one group of 2 values at a time: group g reads calls 128 g on,
    each a Box-Muller pair (u1 from words 0-1, u2 from 2-3), keeping values under 2 in size."""
    stream, size = philox.stateless_stream(seed), int(np.prod(shape))
    out = []
    for group in range(-(-size // 2)):
        kept, call = [], 128 * group
        while len(kept) < 2:
            w = [int(v) for v in stream.calls(1, call)[0]]
            call += 1
            u1 = max(((w[0] & 0xFFFFF) << 32 | w[1]) / 2.0 ** 52, 1e-7)
            u2 = ((w[2] & 0xFFFFF) << 32 | w[3]) / 2.0 ** 52
            radius = math.sqrt(-2.0 * math.log(u1))
            for z in (math.sin(2 * math.pi * u2) * radius, math.cos(2 * math.pi * u2) * radius):
                if abs(z) < 2 and len(kept) < 2:
                    kept.append(z)
        out += kept
    return np.array(out[:size]).reshape(shape)


def _multinomial_reference(logits, n, seed):
    """TF's kernel: sample j of row b is RandDouble() (words 2 (b n + j) and the next of the
    seed's stream: 20 + 32 mantissa bits) times the row's total, looked up in the cdf."""
    n = int(n)
    words = philox.stateless_stream(seed).words(2 * logits.shape[0] * n).astype(np.uint64)
    high, low = words[0::2] & np.uint64(0xFFFFF), words[1::2]
    u = ((high << np.uint64(32)) | low).astype(np.float64) / 2.0 ** 52
    cdf = np.cumsum(np.exp(logits - logits.max(1, keepdims=True)), 1)
    draws = u.reshape(logits.shape[0], n) * cdf[:, -1:]
    return np.stack([np.searchsorted(c, d, side="right") for c, d in zip(cdf, draws)])


def _parameterized_truncated_reference(shape, seed, means, stddevs, low, high):
    """Inverse-CDF draws between the bounds, one value at a time (Newton on the normal CDF)."""
    g = philox.generator(seed)
    shape = tuple(shape)
    params = [np.broadcast_to(p, shape).reshape(-1) for p in (means, stddevs, low, high)]
    u = g.random(shape).reshape(-1)
    out = []
    for ui, m, s, lo, hi in zip(u, *params):
        def cdf(z):
            return 0.5 * (1 + math.erf(z / math.sqrt(2)))
        a, b = (lo - m) / s, (hi - m) / s
        target = cdf(a) + ui * (cdf(b) - cdf(a))
        z = (a + b) / 2
        for _ in range(100):
            z -= (cdf(z) - target) / (math.exp(-z * z / 2) / math.sqrt(2 * math.pi))
            z = min(max(z, a), b)
        out.append(m + s * z)
    return np.array(out).reshape(shape)


CASES = _fft_rows() + _bitwise_rows() + _stateless_rows() + [
    Case("RandomGammaGrad", [REFERENCE["alpha"], REFERENCE["sample"]],
         lambda a, x: REFERENCE["gamma_grad"], ref_tol=(1e-6, 1e-9)),
]


# --- stateful draws ---------------------------------------------------------------------------
def _check_gamma(x):
    assert x.shape == (3000, 2) and np.all(x > 0)
    np.testing.assert_allclose(x.mean(0), [0.5, 4.0], rtol=0.08)
    np.testing.assert_allclose(x.var(0), [0.5, 4.0], rtol=0.15)


def _check_poisson(x):
    assert x.shape == (3000, 2) and x.dtype == np.int64
    np.testing.assert_allclose(x.mean(0), [1.5, 20.0], rtol=0.06)
    np.testing.assert_allclose(x.var(0), [1.5, 20.0], rtol=0.15)


RANDOM_CASES = {
    "RandomGamma": (lambda: tf.random_gamma([3000], [0.5, 4.0], dtype=tf.float64, seed=3),
                    _check_gamma),
    "RandomPoissonV2": (lambda: tf.random_poisson([1.5, 20.0], [3000], dtype=tf.int64, seed=3),
                        _check_poisson),
}
