"""tf.signal and tf.spectral against TensorFlow's numbers (tests/fixtures/signal_reference.npz,
made by tests/fixtures/make_signal_reference.py), and the FFTs' gradients."""
import pathlib

import numpy as np
import pytest

import tensorweave as tf

REF = np.load(pathlib.Path(__file__).resolve().parent / "fixtures" / "signal_reference.npz")


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def close(actual, key, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(actual, REF[key], rtol=rtol, atol=atol, err_msg=key)


# --- spectrograms -----------------------------------------------------------------------------
def test_stft_of_a_chirp_and_its_inverse():
    chirp = tf.constant(REF["chirp"])
    spec = tf.signal.stft(chirp, 64, 16)
    padded = tf.signal.stft(chirp, 50, 20, fft_length=64, pad_end=True)
    assert spec.dtype is tf.complex64 and spec.shape.as_list() == [22, 33]
    assert padded.shape.as_list() == [20, 33]
    inverse = tf.signal.inverse_stft(spec, 64, 16,
                                     window_fn=tf.signal.inverse_stft_window_fn(16))
    plain = tf.signal.inverse_stft(padded, 50, 20, fft_length=64)
    values = run([spec, padded, inverse, plain])
    for value, key in zip(values, ["stft", "stft_pad", "istft", "istft_plain"]):
        close(value, key, rtol=1e-4, atol=2e-4)
    np.testing.assert_allclose(values[2][64:-64], REF["chirp"][64:400 - 64], atol=1e-5)


def test_mel_matrix_and_mfccs():
    mel = tf.signal.linear_to_mel_weight_matrix()
    mel2 = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 7600.0, dtype=tf.float64)
    assert mel.shape.as_list() == [129, 20] and mel2.dtype is tf.float64
    mfcc = tf.signal.mfccs_from_log_mel_spectrograms(tf.constant(REF["x"]))
    values = run([mel, mel2, mfcc])
    close(values[0], "mel", rtol=1e-5, atol=1e-6)
    close(values[1], "mel2", rtol=1e-10, atol=1e-12)
    close(values[2], "mfcc", rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="Nyquist"):
        tf.signal.linear_to_mel_weight_matrix(upper_edge_hertz=5000.0)
    with pytest.raises(ValueError, match="lower_edge_hertz"):
        tf.signal.linear_to_mel_weight_matrix(lower_edge_hertz=4000.0)


@pytest.mark.parametrize("kind", [1, 2, 3, 4])
def test_dct_and_idct_types(kind):
    x = tf.constant(REF["x"])
    fetches = {f"dct{kind}": tf.signal.dct(x, type=kind),
               f"idct{kind}": tf.signal.idct(x, type=kind)}
    if kind != 1:
        fetches[f"dct{kind}_ortho"] = tf.signal.dct(x, type=kind, norm="ortho")
    for key, value in run(fetches).items():
        close(value, key, rtol=1e-9, atol=1e-10)
    if kind != 1:  # the orthonormal transforms invert each other
        back = tf.signal.idct(tf.signal.dct(x, type=kind, norm="ortho"), type=kind,
                              norm="ortho")
        np.testing.assert_allclose(run(back), REF["x"], atol=1e-12)


def test_dct_length_and_errors():
    x = tf.constant(REF["x"])
    close(run(tf.signal.dct(x, n=12)), "dct2_n12", rtol=1e-9, atol=1e-10)
    close(run(tf.signal.dct(x, n=25)), "dct2_n25", rtol=1e-9, atol=1e-10)
    assert tf.spectral.dct is tf.signal.dct
    with pytest.raises(ValueError, match="Type-I DCT"):
        tf.signal.dct(x, type=1, norm="ortho")
    with pytest.raises(NotImplementedError, match="axis must be -1"):
        tf.signal.dct(x, axis=0)
    with pytest.raises(ValueError, match="Types I, II, III and IV"):
        tf.signal.dct(x, type=5)


def test_mdct_and_inverse():
    chirp = tf.constant(REF["chirp"])
    mdct = tf.signal.mdct(chirp, 32)
    kbd = tf.signal.mdct(chirp, 16, window_fn=tf.signal.kaiser_bessel_derived_window,
                         norm="ortho", pad_end=True)
    inverse = tf.signal.inverse_mdct(mdct)
    ortho = tf.signal.inverse_mdct(kbd, norm="ortho",
                                   window_fn=tf.signal.kaiser_bessel_derived_window)
    values = run([mdct, kbd, inverse, ortho])
    for value, key in zip(values, ["mdct", "mdct_kbd", "imdct", "imdct_ortho"]):
        close(value, key, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(values[2][16:-16], REF["chirp"][16:400 - 16], atol=1e-5)
    with pytest.raises(ValueError, match="multiple of 4"):
        tf.signal.mdct(chirp, 30)


def test_windows():
    fetches = {
        "hann": tf.signal.hann_window(10),
        "hann_sym": tf.signal.hann_window(9, periodic=False),
        "hamming": tf.signal.hamming_window(10, dtype=tf.float64),
        "vorbis": tf.signal.vorbis_window(12),
        "kaiser": tf.signal.kaiser_window(11, dtype=tf.float64),
        "kaiser_b3": tf.signal.kaiser_window(8, beta=3.0),
        "kbd": tf.signal.kaiser_bessel_derived_window(12, dtype=tf.float64),
    }
    for key, value in run(fetches).items():
        assert value.dtype == REF[key].dtype, key
        close(value, key, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(run(tf.signal.hann_window(1)), [1.0])
    with pytest.raises(ValueError, match="floating point"):
        tf.signal.hann_window(4, dtype=tf.int32)


def test_bessel_i0e_series():
    from tensorweave.signal_ops import bessel_i0e
    # I0(x) e^-x from its integral form, by the trapezoid rule on a fine grid
    theta = np.linspace(0, np.pi, 200001)
    for x in (0.0, 0.5, 3.0, 12.0, 40.0):
        integral = np.trapezoid(np.exp(x * (np.cos(theta) - 1)), theta) / np.pi
        np.testing.assert_allclose(bessel_i0e(x), integral, rtol=1e-9)


def test_frame_and_overlap_and_add():
    x = tf.constant(REF["x"])
    frames = tf.constant(REF["frames"])
    fetches = {
        "frame": tf.signal.frame(x, 6, 4),
        "frame_pad": tf.signal.frame(x, 6, 4, pad_end=True, pad_value=7.0),
        "frame_axis0": tf.signal.frame(x, 2, 1, axis=0),
        "ola": tf.signal.overlap_and_add(frames, 5),
        "ola12": tf.signal.overlap_and_add(frames, 12),
    }
    assert fetches["frame"].shape.as_list() == [3, 4, 6]
    assert fetches["frame_pad"].shape.as_list() == [3, 5, 6]
    assert fetches["ola"].shape.as_list() == [2, 32]
    for key, value in run(fetches).items():
        close(value, key, rtol=1e-12, atol=1e-12)
    # a signal of unknown length frames at run time
    p = tf.placeholder(tf.float64, [3, None])
    np.testing.assert_array_equal(run(tf.signal.frame(p, 6, 4, pad_end=True, pad_value=7.0),
                                      {p: REF["x"]}), REF["frame_pad"])
    np.testing.assert_array_equal(run(tf.signal.frame(p, 6, 4), {p: REF["x"]}), REF["frame"])


def test_fftshift():
    x = tf.constant(REF["x"])
    close(run(tf.signal.fftshift(x)), "fftshift", rtol=0, atol=0)
    close(run(tf.signal.ifftshift(x, axes=1)), "ifftshift", rtol=0, atol=0)
    odd = np.arange(7.0)
    np.testing.assert_array_equal(run(tf.signal.ifftshift(tf.signal.fftshift(odd))), odd)


def test_gradients_through_stft():
    """A loss on |stft|^2 is differentiable with respect to the signal (frame's gather, the
    window product and RFFT's gradient), checked against central differences."""
    signal = np.random.RandomState(0).standard_normal(40)
    x = tf.placeholder(tf.float64, [40])
    spec = tf.signal.stft(x, 16, 8)
    loss = tf.reduce_sum(tf.square(tf.abs(spec))) if spec.dtype.is_complex else None
    grad = tf.gradients(loss, x)[0]
    with tf.Session() as sess:
        analytic = sess.run(grad, {x: signal})
        numeric = np.zeros(40)
        for i in range(40):
            e = np.zeros(40)
            e[i] = 1e-6
            numeric[i] = (sess.run(loss, {x: signal + e}) - sess.run(loss, {x: signal - e})) / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6)


# --- the FFTs ---------------------------------------------------------------------------------
def test_fft_names_and_errors():
    c = tf.placeholder(tf.complex64, [3, 5, 6])
    y = tf.fft(c)
    assert y.op.type == "FFT" and y.op.name == "FFT" and y.dtype is tf.complex64
    assert tf.signal.fft3d is tf.fft3d and tf.spectral.ifft2d is tf.ifft2d
    y = tf.signal.rfft(tf.placeholder(tf.float32, [4, 10]), [8])
    assert y.op.type == "RFFT" and y.op.name == "rfft" and y.shape.as_list() == [4, 5]
    assert y.dtype is tf.complex64
    z = tf.signal.irfft2d(tf.placeholder(tf.complex128, [2, 3, 4]))
    assert z.dtype is tf.float64 and z.shape.as_list() == [2, 3, 6]
    with pytest.raises(ValueError, match="RFFT requires tf.float32 or tf.float64"):
        tf.signal.rfft(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="FFT requires a complex64 or complex128"):
        tf.fft(tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="rank at least 2"):
        tf.fft2d(tf.constant([1j, 2j]))


def test_nd_transforms_against_numpy():
    xc = REF["xc"]
    x3 = REF["x3"]
    fetches = [tf.signal.fftnd(xc, axes=[0, 2]), tf.signal.ifftnd(xc, norm="ortho"),
               tf.signal.rfftnd(x3, fft_length=[4, 8], axes=[1, 2]),
               tf.signal.irfftnd(xc, fft_length=[6, 8], axes=[1, 2], norm="forward"),
               tf.fftnd(xc)]
    expected = [np.fft.fftn(xc, axes=[0, 2]), np.fft.ifftn(xc, norm="ortho"),
                np.fft.rfftn(x3.astype(np.float32), s=[4, 8], axes=[1, 2]),
                np.fft.irfftn(xc, s=[6, 8], axes=[1, 2], norm="forward"), np.fft.fftn(xc)]
    for t, value, e in zip(fetches, run(fetches), expected):
        assert t.shape.as_list() == list(e.shape)
        np.testing.assert_allclose(value, e, rtol=1e-5, atol=1e-5)


def _loss(y, w1, w2):
    n = y.shape.as_list()[-1]
    return tf.reduce_sum(tf.real(y) * w1[..., :n] + tf.imag(y) * w2[..., :n])


def test_fft_gradients_match_tensorflow():
    x, w1, w2 = (tf.constant(REF[k]) for k in ("x", "w1", "w2"))
    fetches = {"grad_rfft": tf.gradients(_loss(tf.signal.rfft(x), w1, w2), x)[0],
               "grad_rfft_odd": tf.gradients(_loss(tf.signal.rfft(x[:, :15]), w1, w2), x)[0]}
    spectrum = tf.complex(x[:, :11], w2[:, :11])
    fetches["grad_irfft"] = tf.gradients(tf.reduce_sum(tf.signal.irfft(spectrum) * w1), x)[0]
    odd = tf.gradients(tf.reduce_sum(tf.signal.irfft(spectrum, [21]) *
                                     tf.concat([w1, w1[:, :1]], 1)), [x, w2])
    fetches["grad_irfft_odd_0"], fetches["grad_irfft_odd_1"] = odd
    x2 = tf.reshape(x, [3, 4, 5])
    rows = tf.signal.rfft2d(x2)
    fetches["grad_rfft2d"] = tf.gradients(tf.reduce_sum(
        tf.real(rows) * tf.reshape(w1[:, :12], [3, 4, 3]) +
        tf.imag(rows) * tf.reshape(w2[:, :12], [3, 4, 3])), x)[0]
    spectrum2 = tf.complex(tf.reshape(x[:, :12], [3, 4, 3]), tf.reshape(w2[:, :12], [3, 4, 3]))
    fetches["grad_irfft2d_0"], fetches["grad_irfft2d_1"] = tf.gradients(tf.reduce_sum(
        tf.signal.irfft2d(spectrum2, [4, 4]) * tf.reshape(w1[:, :16], [3, 4, 4])), [x, w2])
    z = tf.complex(x, w1)
    fetches["grad_fft_0"], fetches["grad_fft_1"] = tf.gradients(_loss(tf.fft(z), w1, w2),
                                                                [x, w1])
    fetches["grad_ifft2d_0"], fetches["grad_ifft2d_1"] = tf.gradients(tf.reduce_sum(
        tf.real(tf.ifft2d(tf.reshape(z, [3, 4, 5]))) * tf.reshape(w2, [3, 4, 5])), [x, w1])
    for key, value in run(fetches).items():
        close(value, key, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("op, length, inner", [
    ("rfft", [6], (3, 9)), ("rfft", [13], (3, 9)), ("rfft2d", [2, 7], (2, 3, 4)),
    ("irfft", [7], (3, 6)), ("irfft", [12], (3, 4)), ("irfft2d", [5, 6], (2, 3, 3)),
])
def test_real_fft_gradients_when_fft_length_crops_or_pads(op, length, inner):
    """Where TensorFlow's gradient fails (fft_length other than the input's size), ours is
    the true one: checked against central differences in float64."""
    rng = np.random.RandomState(3)
    inverse = op.startswith("i")
    values = [rng.standard_normal(inner)] + ([rng.standard_normal(inner)] if inverse else [])
    ins = [tf.placeholder(tf.float64, inner) for _ in values]
    arg = tf.complex(ins[0], ins[1]) if inverse else ins[0]
    out = getattr(tf.signal, op)(arg, length)
    weights = [tf.constant(rng.standard_normal(out.shape.as_list())) for _ in range(2)]
    if inverse:
        loss = tf.reduce_sum(out * weights[0])
    else:
        loss = tf.reduce_sum(tf.real(out) * weights[0] + tf.imag(out) * weights[1])
    grads = tf.gradients(loss, ins)
    feed = dict(zip(ins, values))
    with tf.Session() as sess:
        analytic = sess.run(grads, feed)
        for p, v, a in zip(ins, values, analytic):
            numeric = np.zeros(v.shape)
            for index in np.ndindex(*v.shape):
                plus, minus = v.copy(), v.copy()
                plus[index] += 1e-6
                minus[index] -= 1e-6
                numeric[index] = (sess.run(loss, {**feed, p: plus}) -
                                  sess.run(loss, {**feed, p: minus})) / 2e-6
            np.testing.assert_allclose(a, numeric, rtol=1e-6, atol=1e-6)


def test_fft_gradient_of_gradient():
    """The FFTs' gradients are FFT ops: second order works (d/dx of |fft(x)|^2's gradient)."""
    x = tf.placeholder(tf.float64, [8])
    y = tf.signal.rfft(x)
    power = tf.reduce_sum(tf.real(y) ** 2 + tf.imag(y) ** 2)
    g = tf.gradients(power, x)[0]
    h = tf.gradients(tf.reduce_sum(g * tf.constant(np.arange(8.0))), x)[0]
    value = np.random.RandomState(1).standard_normal(8)
    # power = sum_k w_k |X_k|^2 is a quadratic form x^T A x: its Hessian 2A, A = F^H W F real
    basis = np.fft.rfft(np.eye(8), axis=1)
    a = np.real(basis @ np.conj(basis).T)
    np.testing.assert_allclose(run(h, {x: value}), 2 * a @ np.arange(8.0), atol=1e-9)


def test_no_gradient_where_tensorflow_has_none():
    x = tf.constant(np.ones((2, 2, 2)))
    with pytest.raises(LookupError, match="RFFT3D"):
        tf.gradients(tf.real(tf.signal.rfft3d(x)), x)
