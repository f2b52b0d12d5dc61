"""tf.debugging: assertions and numeric checks.

Names load on first use from where they are defined; most are the top-level `tf.` names.
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "Assert": "tensorweave:Assert",
    "assert_all_finite": "tensorweave:verify_tensor_all_finite",
    "assert_equal": "tensorweave:assert_equal",
    "assert_greater": "tensorweave:assert_greater",
    "assert_greater_equal": "tensorweave:assert_greater_equal",
    "assert_integer": "tensorweave:assert_integer",
    "assert_less": "tensorweave:assert_less",
    "assert_less_equal": "tensorweave:assert_less_equal",
    "assert_near": "tensorweave:assert_near",
    "assert_negative": "tensorweave:assert_negative",
    "assert_non_negative": "tensorweave:assert_non_negative",
    "assert_non_positive": "tensorweave:assert_non_positive",
    "assert_none_equal": "tensorweave:assert_none_equal",
    "assert_positive": "tensorweave:assert_positive",
    "assert_proper_iterable": "tensorweave:assert_proper_iterable",
    "assert_rank": "tensorweave:assert_rank",
    "assert_rank_at_least": "tensorweave:assert_rank_at_least",
    "assert_rank_in": "tensorweave:assert_rank_in",
    "assert_same_float_dtype": "tensorweave:assert_same_float_dtype",
    "assert_scalar": "tensorweave:assert_scalar",
    "assert_shapes": "tensorweave.ops.check_ops:assert_shapes",
    "assert_type": "tensorweave:assert_type",
    "check_numerics": "tensorweave:check_numerics",
    "is_finite": "tensorweave:is_finite",
    "is_inf": "tensorweave:is_inf",
    "is_nan": "tensorweave:is_nan",
    "is_non_decreasing": "tensorweave:is_non_decreasing",
    "is_numeric_tensor": "tensorweave:is_numeric_tensor",
    "is_strictly_increasing": "tensorweave:is_strictly_increasing",
})
