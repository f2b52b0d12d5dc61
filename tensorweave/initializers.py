"""tf.initializers: variable initializers and the initializing ops.

Names load on first use from where they are defined; most are the top-level `tf.` names.
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "constant": "tensorweave:constant_initializer",
    "global_variables": "tensorweave:global_variables_initializer",
    "glorot_normal": "tensorweave:glorot_normal_initializer",
    "glorot_uniform": "tensorweave:glorot_uniform_initializer",
    "local_variables": "tensorweave:local_variables_initializer",
    "ones": "tensorweave:ones_initializer",
    "orthogonal": "tensorweave:orthogonal_initializer",
    "random_normal": "tensorweave:random_normal_initializer",
    "random_uniform": "tensorweave:random_uniform_initializer",
    "tables_initializer": "tensorweave:tables_initializer",
    "truncated_normal": "tensorweave:truncated_normal_initializer",
    "uniform_unit_scaling": "tensorweave:uniform_unit_scaling_initializer",
    "variables": "tensorweave:variables_initializer",
    "variance_scaling": "tensorweave:variance_scaling_initializer",
    "zeros": "tensorweave:zeros_initializer",
    "identity": "tensorweave.init_ops:identity_initializer",
    "he_normal": "tensorweave.init_ops:he_normal",
    "he_uniform": "tensorweave.init_ops:he_uniform",
    "lecun_normal": "tensorweave.init_ops:lecun_normal",
    "lecun_uniform": "tensorweave.init_ops:lecun_uniform",
    "tables_initializer": "tensorweave:tables_initializer",
})
