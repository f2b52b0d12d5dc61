"""tf.random: random draws and candidate samplers under their TF 1.15 `tf.random` names."""
from tensorweave.core.seeds import get_seed  # noqa: F401
from tensorweave.ops.candidate_sampling_ops import (  # noqa: F401
    all_candidate_sampler, fixed_unigram_candidate_sampler, learned_unigram_candidate_sampler,
    log_uniform_candidate_sampler, uniform_candidate_sampler)
from tensorweave.ops.random_ops import (categorical, multinomial, set_random_seed,  # noqa: F401
                                        truncated_normal)
from tensorweave.ops.random_ops import random_normal as normal  # noqa: F401
from tensorweave.ops.random_ops import random_shuffle as shuffle  # noqa: F401
from tensorweave.ops.random_ops import random_uniform as uniform  # noqa: F401
from tensorweave.ops.random_distributions import (  # noqa: F401
    fold_in, split, stateless_categorical, stateless_multinomial)
from tensorweave.ops.random_distributions import random_gamma as gamma  # noqa: F401
from tensorweave.ops.random_distributions import random_poisson as poisson  # noqa: F401
from tensorweave.ops.random_distributions import (  # noqa: F401
    stateless_random_binomial as stateless_binomial)
from tensorweave.ops.random_distributions import (  # noqa: F401
    stateless_random_gamma as stateless_gamma)
from tensorweave.ops.random_distributions import (  # noqa: F401
    stateless_random_normal as stateless_normal)
from tensorweave.ops.random_distributions import (  # noqa: F401
    stateless_random_poisson as stateless_poisson)
from tensorweave.ops.random_distributions import (  # noqa: F401
    stateless_random_uniform as stateless_uniform)
from tensorweave.ops.random_distributions import (  # noqa: F401
    stateless_truncated_normal, stateless_parameterized_truncated_normal)
