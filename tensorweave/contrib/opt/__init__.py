"""tf.contrib.opt: more optimizers and optimizer wrappers (TF 1.15's contrib names).

    opt = tf.contrib.opt.LazyAdamOptimizer(1e-3)        # sparse rows only
    opt = tf.contrib.opt.AdamWOptimizer(1e-4, 1e-3)     # decoupled weight decay
    opt = tf.contrib.opt.MovingAverageOptimizer(opt)    # + opt.swapping_saver()

Not provided (listed in docs/compatibility.md): the distributed ElasticAverage/ModelAverage/
AGN optimizers and their custom getters, DropStaleGradientOptimizer, GGT, Shampoo,
LARS, RegAdagrad, AdamGS/LazyAdamGS, DelayCompensatedGradientDescent and
VariableClippingOptimizer.
"""
from tensorweave.contrib.opt.ada_max import AdaMaxOptimizer
from tensorweave.contrib.opt.external_optimizer import (ExternalOptimizerInterface,
                                                        ScipyOptimizerInterface)
from tensorweave.contrib.opt.lazy_adam_optimizer import LazyAdamOptimizer
from tensorweave.contrib.opt.moving_average_optimizer import MovingAverageOptimizer
from tensorweave.contrib.opt.multitask_optimizer_wrapper import (
    MultitaskOptimizerWrapper, clip_gradients_by_global_norm)
from tensorweave.contrib.opt.nadam_optimizer import NadamOptimizer
from tensorweave.contrib.opt.sign_optimizers import (
    AddSignOptimizer, PowerSignOptimizer, get_cosine_decay_fn, get_linear_decay_fn,
    get_restart_decay_fn)
from tensorweave.contrib.opt.weight_decay_optimizers import (
    AdamWOptimizer, DecoupledWeightDecayExtension, MomentumWOptimizer,
    extend_with_decoupled_weight_decay)

__all__ = ["AdaMaxOptimizer", "AddSignOptimizer", "PowerSignOptimizer", "get_cosine_decay_fn",
           "get_linear_decay_fn", "get_restart_decay_fn", "AdamWOptimizer",
           "DecoupledWeightDecayExtension", "ExternalOptimizerInterface",
           "LazyAdamOptimizer", "MomentumWOptimizer", "MovingAverageOptimizer",
           "MultitaskOptimizerWrapper", "NadamOptimizer", "ScipyOptimizerInterface",
           "clip_gradients_by_global_norm", "extend_with_decoupled_weight_decay"]
