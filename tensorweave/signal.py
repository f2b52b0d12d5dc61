"""tf.signal: FFTs, windows, framing and spectrograms.

Names load on first use from where they are defined; most are the top-level `tf.` names.
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "fft": "tensorweave:fft",
    "fft2d": "tensorweave:fft2d",
    "fft3d": "tensorweave:fft3d",
    "fftnd": "tensorweave:fftnd",
    "ifft": "tensorweave:ifft",
    "ifft2d": "tensorweave:ifft2d",
    "ifft3d": "tensorweave:ifft3d",
    "ifftnd": "tensorweave:ifftnd",
    "irfftnd": "tensorweave:irfftnd",
    "rfftnd": "tensorweave:rfftnd",
    **lazy.names_from("tensorweave.ops.spectral_ops", "rfft", "irfft", "rfft2d", "irfft2d",
                      "rfft3d", "irfft3d"),
    **lazy.names_from("tensorweave.signal_ops", "dct", "idct", "fftshift", "ifftshift",
                      "frame", "overlap_and_add", "hann_window", "hamming_window",
                      "kaiser_window", "kaiser_bessel_derived_window", "vorbis_window", "stft",
                      "inverse_stft", "inverse_stft_window_fn", "linear_to_mel_weight_matrix",
                      "mfccs_from_log_mel_spectrograms", "mdct", "inverse_mdct"),
})
