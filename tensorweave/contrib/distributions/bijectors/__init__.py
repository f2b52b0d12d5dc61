"""tf.contrib.distributions.bijectors: invertible maps with log det Jacobians, for
TransformedDistribution (TF 1.15's names, arguments and formulas).

    bijectors = tf.contrib.distributions.bijectors
    log_normal = tf.contrib.distributions.TransformedDistribution(
        tf.distributions.Normal(0., 1.), bijectors.Exp())

Provided: Bijector, Identity, Exp, AffineScalar, Softplus, Sigmoid, Chain, Invert; contrib's
other bijectors (Affine, MaskedAutoregressiveFlow, RealNVP, ...) are not.
"""
from tensorweave.contrib.distributions.bijectors.bijector import Bijector  # noqa: F401
from tensorweave.contrib.distributions.bijectors.composite import Chain, Invert  # noqa: F401
from tensorweave.contrib.distributions.bijectors.scalar import (  # noqa: F401
    AffineScalar, Exp, Identity, Sigmoid, Softplus)

__all__ = ["Bijector", "Identity", "Exp", "AffineScalar", "Softplus", "Sigmoid", "Chain",
           "Invert"]
