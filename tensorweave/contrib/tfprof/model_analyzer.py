"""tf.contrib.tfprof.model_analyzer: print_model_analysis and advise (deprecated in TF 1.15
for tf.profiler.profile and tf.profiler.advise, which they call), with the option dicts TF 1.x
programs pass: TRAINABLE_VARS_PARAMS_STAT_OPTIONS, FLOAT_OPS_OPTIONS and
PRINT_ALL_TIMING_MEMORY."""
from tensorweave.platform import tf_logging as logging
from tensorweave.profiler import model_analyzer as profiler
from tensorweave.profiler.model_analyzer import ALL_ADVICE, Profiler
from tensorweave.profiler.option_builder import TRAINABLE_VARIABLES

__all__ = ["ALL_ADVICE", "FLOAT_OPS_OPTIONS", "PRINT_ALL_TIMING_MEMORY", "Profiler",
           "TRAINABLE_VARS_PARAMS_STAT_OPTIONS", "advise", "print_model_analysis"]

_DEFAULT_OPTIONS = 0


def _options(select, order_by, accounted, minimum_float_ops=0, minimum_bytes=0,
             minimum_micros=0):
    return {"max_depth": 10000, "min_bytes": minimum_bytes, "min_micros": minimum_micros,
            "min_params": 0, "min_float_ops": minimum_float_ops, "order_by": order_by,
            "account_type_regexes": accounted, "start_name_regexes": [".*"],
            "trim_name_regexes": [], "show_name_regexes": [".*"], "hide_name_regexes": [],
            "account_displayed_op_only": True, "select": select, "output": "stdout",
            "dump_to_file": ""}


# the parameters of trainable variables, by name
TRAINABLE_VARS_PARAMS_STAT_OPTIONS = _options(["params"], "name", [TRAINABLE_VARIABLES])
# the float operations of every op that has some
FLOAT_OPS_OPTIONS = _options(["float_ops"], "float_ops", [".*"], minimum_float_ops=1)
# time and memory of the ops a traced run measured
PRINT_ALL_TIMING_MEMORY = _options(["micros", "bytes"], "name", [".*"], minimum_bytes=1,
                                   minimum_micros=1)

_WARNED = set()


def _deprecated(name, instead):
    if name not in _WARNED:  # TF's deprecation notice, once per function
        _WARNED.add(name)
        logging.warning(f"{name} (from tensorflow.contrib.tfprof.model_analyzer) is deprecated "
                        f"and will be removed after 2018-01-01.\nInstructions for updating:\n"
                        f"Use `{instead}`. See README.md")


def _profiler_options(options):
    """A TF 1.x option dict as tf.profiler takes it: 'dump_to_file' is its old name for
    output='file:outfile=...'."""
    if not isinstance(options, dict):
        return options
    options = dict(options)
    dump = options.pop("dump_to_file", "")
    if dump:
        options["output"] = "file:outfile=" + dump
    return options


def advise(graph, run_meta=None, tfprof_options=_DEFAULT_OPTIONS):
    """tf.profiler.advise(graph, run_meta, tfprof_options)."""
    _deprecated("advise", "tf.profiler.advise(graph, run_meta, options)")
    return profiler.advise(graph, run_meta, tfprof_options)


def print_model_analysis(graph, run_meta=None, op_log=None, tfprof_cmd="scope",
                         tfprof_options=_DEFAULT_OPTIONS):
    """tf.profiler.profile(graph, run_meta, op_log, tfprof_cmd, tfprof_options): prints the
    report and returns its root node (total_parameters, total_float_ops, ...)."""
    _deprecated("print_model_analysis",
                "tf.profiler.profile(graph, run_meta, op_log, cmd, options)`. Build `options` "
                "with `tf.profiler.ProfileOptionBuilder")
    return profiler.profile(graph, run_meta, op_log, tfprof_cmd,
                            _profiler_options(tfprof_options))
