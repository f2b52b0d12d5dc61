"""tf.xla.experimental: jit_scope (TF's XLA marks on the ops built inside) and compile (the
computation built inline, outputs in TF's forms), as tf.contrib.compiler has them."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "jit_scope": "tensorweave.contrib.compiler.jit:experimental_jit_scope",
    "compile": "tensorweave.contrib.compiler.xla:compile",
})
