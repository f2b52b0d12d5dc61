"""tf.bitwise: bitwise ops on integers."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
})
