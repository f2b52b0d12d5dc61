"""tf.test: TestCase, gradient checks and test utilities."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
})
