"""tf.contrib.tfprof.tfprof_logger: write_op_log, as tf.profiler.write_op_log."""
from tensorweave.profiler.model_analyzer import write_op_log
from tensorweave.profiler.option_builder import TRAINABLE_VARIABLES

__all__ = ["TRAINABLE_VARIABLES", "write_op_log"]
