"""tf.random: random draws and candidate samplers under their TF 1.15 `tf.random` names."""
from tensorweave.core.seeds import get_seed  # noqa: F401
from tensorweave.ops.candidate_sampling_ops import (  # noqa: F401
    learned_unigram_candidate_sampler, log_uniform_candidate_sampler, uniform_candidate_sampler)
from tensorweave.ops.random_ops import (categorical, multinomial, set_random_seed,  # noqa: F401
                                        truncated_normal)
from tensorweave.ops.random_ops import random_normal as normal  # noqa: F401
from tensorweave.ops.random_ops import random_shuffle as shuffle  # noqa: F401
from tensorweave.ops.random_ops import random_uniform as uniform  # noqa: F401
