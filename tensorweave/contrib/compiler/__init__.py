"""tf.contrib.compiler: TF 1.15's controls of the XLA compiler. tensorweave has no XLA: ops
marked for compilation (`jit.experimental_jit_scope`) carry TF's marks and run as every op
does, and `xla.compile` builds the computation inline with TF's inputs and outputs.

    with tf.contrib.compiler.jit.experimental_jit_scope():
        y = tf.matmul(a, b)            # y.op.get_attr("_XlaCompile") is True
    loss, = tf.contrib.compiler.xla.compile(step_fn, [x])
"""
from tensorweave.contrib.compiler import jit, xla  # noqa: F401
