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
})
