"""tf.contrib.tfprof: TF 1.x's first names of the profiler (tf.profiler since TF 1.3).

    stats = tf.contrib.tfprof.model_analyzer.print_model_analysis(
        tf.get_default_graph(),
        tfprof_options=tf.contrib.tfprof.model_analyzer.TRAINABLE_VARS_PARAMS_STAT_OPTIONS)
    print("total_params: %d" % stats.total_parameters)
"""
from tensorweave.contrib.tfprof import model_analyzer, tfprof_logger

__all__ = ["model_analyzer", "tfprof_logger"]
