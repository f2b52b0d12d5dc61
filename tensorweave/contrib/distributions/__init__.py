"""tf.contrib.distributions: the core distributions of tf.distributions (the same classes).
contrib's further distributions and bijectors (MultivariateNormal*, Mixture, bijectors, ...)
are not provided."""
from tensorweave.distributions import *  # noqa: F401,F403
from tensorweave.distributions import __all__  # noqa: F401
