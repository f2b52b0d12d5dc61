"""tf.bitwise: bitwise ops on integers."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    **lazy.names_from("tensorweave.ops.bitwise_ops", "bitwise_and", "bitwise_or", "bitwise_xor",
                      "invert", "left_shift", "right_shift"),
})
