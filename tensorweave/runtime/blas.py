"""One-time BLAS warm-up for the process.

OpenBLAS (0.3.x, as NumPy wheels ship it) runs mid-sized single-precision GEMMs such as
[100, 784] x [784, 128] about 2x slower until the process has done one GEMM of a few hundred
rows and columns; a training loop of only such products (the MNIST tutorials) never does one.
The first Session does it, once: about 2 ms.
"""
import numpy as np

_WARM_SIZE = 384
_warmed = False


def warm_up_once():
    """Runs one float32 GEMM of _WARM_SIZE^3 the first time it is called in the process."""
    global _warmed
    if not _warmed:
        _warmed = True
        square = np.ones((_WARM_SIZE, _WARM_SIZE), np.float32)
        np.matmul(square, square)
