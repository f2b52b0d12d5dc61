"""tf.xla: TF 1.15's XLA controls, `tf.xla.experimental.jit_scope` and
`tf.xla.experimental.compile` (the functions tf.contrib.compiler exports; tensorweave has no
XLA compiler, see there)."""
from tensorweave.xla import experimental  # noqa: F401
