"""tf.train: optimizers, learning-rate schedules, the global step, and checkpoints.

The checkpoint names (Saver, latest_checkpoint, ...) load on first use, so `import
tensorweave` does not import protobuf.
"""
import importlib as _importlib

from tensorweave.ops import io_ops as _io_ops  # noqa: F401 - registers SaveV2 and RestoreV2
from tensorweave.train.learning_rate_decay import (cosine_decay, exponential_decay,
                                                   inverse_time_decay, natural_exp_decay,
                                                   piecewise_constant, polynomial_decay)
from tensorweave.train.optimizer import (AdadeltaOptimizer, AdagradOptimizer, AdamOptimizer,
                                         FtrlOptimizer, GradientDescentOptimizer,
                                         MomentumOptimizer, Optimizer, RMSPropOptimizer)
from tensorweave.train.training_util import (create_global_step, get_global_step,
                                             get_or_create_global_step, global_step)

_LAZY = {
    "Saver": "tensorweave.train.saver",
    "export_meta_graph": "tensorweave.train.saver",
    "import_meta_graph": "tensorweave.train.saver",
    "checkpoint_exists": "tensorweave.train.checkpoint_management",
    "generate_checkpoint_state_proto": "tensorweave.train.checkpoint_management",
    "get_checkpoint_mtimes": "tensorweave.train.checkpoint_management",
    "get_checkpoint_state": "tensorweave.train.checkpoint_management",
    "latest_checkpoint": "tensorweave.train.checkpoint_management",
    "remove_checkpoint": "tensorweave.train.checkpoint_management",
    "update_checkpoint_state": "tensorweave.train.checkpoint_management",
    "NewCheckpointReader": "tensorweave.train.checkpoint_utils",
    "init_from_checkpoint": "tensorweave.train.checkpoint_utils",
    "list_variables": "tensorweave.train.checkpoint_utils",
    "load_checkpoint": "tensorweave.train.checkpoint_utils",
    "load_variable": "tensorweave.train.checkpoint_utils",
    "write_graph": "tensorweave.framework.graph_io",
    "summary_iterator": "tensorweave.summary.summary_iterator",
    "SessionRunHook": "tensorweave.train.session_run_hook",
    "SessionRunArgs": "tensorweave.train.session_run_hook",
    "SessionRunContext": "tensorweave.train.session_run_hook",
    "SessionRunValues": "tensorweave.train.session_run_hook",
    "CheckpointSaverHook": "tensorweave.train.basic_session_run_hooks",
    "CheckpointSaverListener": "tensorweave.train.basic_session_run_hooks",
    "FeedFnHook": "tensorweave.train.basic_session_run_hooks",
    "FinalOpsHook": "tensorweave.train.basic_session_run_hooks",
    "LoggingTensorHook": "tensorweave.train.basic_session_run_hooks",
    "NanLossDuringTrainingError": "tensorweave.train.basic_session_run_hooks",
    "NanTensorHook": "tensorweave.train.basic_session_run_hooks",
    "SecondOrStepTimer": "tensorweave.train.basic_session_run_hooks",
    "StepCounterHook": "tensorweave.train.basic_session_run_hooks",
    "StopAtStepHook": "tensorweave.train.basic_session_run_hooks",
    "SummarySaverHook": "tensorweave.train.basic_session_run_hooks",
    "ChiefSessionCreator": "tensorweave.train.monitored_session",
    "MonitoredSession": "tensorweave.train.monitored_session",
    "MonitoredTrainingSession": "tensorweave.train.monitored_session",
    "Scaffold": "tensorweave.train.monitored_session",
    "SingularMonitoredSession": "tensorweave.train.monitored_session",
    "Coordinator": "tensorweave.train.coordinator",
}

__all__ = ["AdadeltaOptimizer", "AdagradOptimizer", "AdamOptimizer", "FtrlOptimizer",
           "GradientDescentOptimizer", "MomentumOptimizer", "Optimizer", "RMSPropOptimizer",
           "SaverDef", "cosine_decay", "create_global_step", "exponential_decay",
           "get_global_step", "get_or_create_global_step", "global_step", "inverse_time_decay",
           "natural_exp_decay", "piecewise_constant", "polynomial_decay", *sorted(_LAZY)]


def __getattr__(name):
    """Loads the checkpoint modules (and protobuf) on first use."""
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name]), name)
    elif name == "SaverDef":
        value = _importlib.import_module("tensorweave.lib.protos").messages().SaverDef
    else:
        raise AttributeError(f"module 'tensorweave.train' has no attribute '{name}'")
    globals()[name] = value
    return value
