"""tf.math.special: Bessel functions, Dawson's integral, the exponential integral, Fresnel
integrals and Spence's function.

Names load on first use from where they are defined (tensorweave/ops/special_math.py).
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, lazy.names_from(
    "tensorweave.ops.special_math",
    "bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e", "bessel_j0", "bessel_j1",
    "bessel_k0", "bessel_k0e", "bessel_k1", "bessel_k1e", "bessel_y0", "bessel_y1", "dawsn",
    "expint", "fresnel_cos", "fresnel_sin", "spence"))
