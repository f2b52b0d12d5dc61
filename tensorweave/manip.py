"""tf.manip: array manipulation (TF 1.x's older home of the top-level names).

Names load on first use from where they are defined; most are the top-level `tf.` names.
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "batch_to_space_nd": "tensorweave:batch_to_space_nd",
    "gather_nd": "tensorweave:gather_nd",
    "reshape": "tensorweave:reshape",
    "reverse": "tensorweave:reverse",
    "roll": "tensorweave:roll",
    "scatter_nd": "tensorweave:scatter_nd",
    "space_to_batch_nd": "tensorweave:space_to_batch_nd",
    "tile": "tensorweave:tile",
})
