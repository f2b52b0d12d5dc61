"""tf.train: optimizers, learning-rate schedules, the global step, and checkpoints.

The checkpoint names (Saver, latest_checkpoint, ...) load on first use, so `import
tensorweave` does not import protobuf.
"""
from tensorweave.ops import io_ops as _io_ops  # noqa: F401 - registers SaveV2 and RestoreV2
from tensorweave.train.learning_rate_decay import (cosine_decay, exponential_decay,
                                                   inverse_time_decay, natural_exp_decay,
                                                   piecewise_constant, polynomial_decay)
from tensorweave.train.optimizer import (AdadeltaOptimizer, AdagradOptimizer, AdamOptimizer,
                                         FtrlOptimizer, GradientDescentOptimizer,
                                         MomentumOptimizer, Optimizer, RMSPropOptimizer)
from tensorweave.train.training_util import (create_global_step, get_global_step,
                                             get_or_create_global_step, global_step)
from tensorweave.util import lazy

_LAZY = {
    **lazy.names_from("tensorweave.train.saver",
                      "Saver", "export_meta_graph", "import_meta_graph"),
    **lazy.names_from("tensorweave.train.checkpoint_management",
                      "checkpoint_exists", "generate_checkpoint_state_proto",
                      "get_checkpoint_mtimes", "get_checkpoint_state", "latest_checkpoint",
                      "remove_checkpoint", "update_checkpoint_state"),
    **lazy.names_from("tensorweave.train.checkpoint_utils",
                      "NewCheckpointReader", "init_from_checkpoint", "list_variables",
                      "load_checkpoint", "load_variable"),
    **lazy.names_from("tensorweave.core.graph_io", "write_graph"),
    **lazy.names_from("tensorweave.summary.summary_iterator", "summary_iterator"),
    **lazy.names_from("tensorweave.train.session_run_hook",
                      "SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues"),
    **lazy.names_from("tensorweave.train.basic_session_run_hooks",
                      "CheckpointSaverHook", "CheckpointSaverListener", "FeedFnHook",
                      "FinalOpsHook", "LoggingTensorHook", "NanLossDuringTrainingError",
                      "NanTensorHook", "SecondOrStepTimer", "StepCounterHook", "StopAtStepHook",
                      "SummarySaverHook"),
    **lazy.names_from("tensorweave.train.monitored_session",
                      "ChiefSessionCreator", "MonitoredSession", "MonitoredTrainingSession",
                      "Scaffold", "SingularMonitoredSession"),
    **lazy.names_from("tensorweave.train.coordinator", "Coordinator"),
    "SaverDef": "tensorweave.lib.protos:SaverDef",
}

__all__ = ["AdadeltaOptimizer", "AdagradOptimizer", "AdamOptimizer", "FtrlOptimizer",
           "GradientDescentOptimizer", "MomentumOptimizer", "Optimizer", "RMSPropOptimizer",
           "cosine_decay", "create_global_step", "exponential_decay",
           "get_global_step", "get_or_create_global_step", "global_step", "inverse_time_decay",
           "natural_exp_decay", "piecewise_constant", "polynomial_decay", *sorted(_LAZY)]


__getattr__ = lazy.attributes(__name__, _LAZY)  # checkpoint modules and protobuf on first use
