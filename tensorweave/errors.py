"""tf.errors: the runtime error classes and codes."""
from tensorweave.core.errors import *  # noqa: F401,F403
from tensorweave.core.errors import OpError  # noqa: F401
