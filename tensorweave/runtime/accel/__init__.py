"""Speed variants: faster ways to run some op types, chosen when a Plan binds its kernels.

The kernels under ops/ are the plain NumPy reference. Everything that goes beyond them
(optimizer updates over cache-sized slices shared with helper threads, relu against the zero
page, bias gradients as matrix-vector products, convolutions through the DFT, random draws in
cache-sized blocks of Philox calls and a seeded op's next draw made ahead on an idle core,
OpenBLAS's thread count (through ctypes) following the machine's load and chosen per small
matrix product, elementwise ops writing into their dying inputs' buffers, tuning the process) lives
here, and only here. Switch it with `tf.ConfigProto(accel=False)` or TENSORWEAVE_ACCEL=0
(variants.py); the process is tuned only when asked for (accel=True, TENSORWEAVE_ACCEL=1, or
`tune_process()`).
"""
from tensorweave.runtime.accel import (blas_threads, draws_ahead,  # noqa: F401
                                       leading_sums, process_tuning, random_blocks,
                                       sliced_updates, small_products, spectral_conv,
                                       zero_page)
from tensorweave.runtime.accel.blas_threads import follow_load  # noqa: F401
from tensorweave.runtime.accel.in_place import in_place_kernel, taking  # noqa: F401
from tensorweave.runtime.accel.process_tuning import tune_process  # noqa: F401
from tensorweave.runtime.accel.variants import (ENVIRONMENT_VARIABLE,  # noqa: F401
                                                op_types_with_variants, register_variant,
                                                setting, variant_for, variants_enabled)


def prepare_session(config):
    """Whether a Session with `config` runs variants; tunes the process first when asked."""
    chosen = setting(config)
    if chosen is True:
        tune_process()
    return chosen is not False
