"""tf.spectral: TF 1.x's older name for the FFT part of tf.signal.

Names load on first use from where they are defined; most are the top-level `tf.` names.
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "fft": "tensorweave:fft",
    "fft2d": "tensorweave:fft2d",
    "fft3d": "tensorweave:fft3d",
    "ifft": "tensorweave:ifft",
    "ifft2d": "tensorweave:ifft2d",
    "ifft3d": "tensorweave:ifft3d",
    **lazy.names_from("tensorweave.ops.spectral_ops", "rfft", "irfft", "rfft2d", "irfft2d",
                      "rfft3d", "irfft3d"),
    **lazy.names_from("tensorweave.signal_ops", "dct", "idct"),
})
