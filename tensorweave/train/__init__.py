"""tf.train: optimizers, learning-rate schedules, the global step, and checkpoints.

The checkpoint names (Saver, latest_checkpoint, ...) load on first use, so `import
tensorweave` does not import protobuf.
"""
from tensorweave.ops import io_ops as _io_ops  # noqa: F401 - registers SaveV2 and RestoreV2
from tensorweave.train.learning_rate_decay import (cosine_decay, cosine_decay_restarts,
                                                   exponential_decay, inverse_time_decay,
                                                   linear_cosine_decay, natural_exp_decay,
                                                   noisy_linear_cosine_decay, piecewise_constant,
                                                   piecewise_constant_decay, polynomial_decay)
from tensorweave.train.optimizer import (AdadeltaOptimizer, AdagradDAOptimizer,
                                         AdagradOptimizer, AdamOptimizer, FtrlOptimizer,
                                         GradientDescentOptimizer, MomentumOptimizer, Optimizer,
                                         ProximalAdagradOptimizer,
                                         ProximalGradientDescentOptimizer, RMSPropOptimizer)
from tensorweave.train.training_util import (assert_global_step, create_global_step,
                                             get_global_step, get_or_create_global_step,
                                             global_step)
from tensorweave.util import lazy

_LAZY = {
    **lazy.names_from("tensorweave.train.server_lib", "Server"),
    **lazy.names_from("tensorweave.train.saver",
                      "Saver", "export_meta_graph", "import_meta_graph"),
    **lazy.names_from("tensorweave.train.checkpoint_management",
                      "checkpoint_exists", "generate_checkpoint_state_proto",
                      "get_checkpoint_mtimes", "get_checkpoint_state", "latest_checkpoint",
                      "remove_checkpoint", "update_checkpoint_state"),
    **lazy.names_from("tensorweave.train.checkpoint_utils",
                      "NewCheckpointReader", "checkpoints_iterator", "init_from_checkpoint",
                      "list_variables",
                      "load_checkpoint", "load_variable"),
    **lazy.names_from("tensorweave.core.graph_io", "write_graph"),
    **lazy.names_from("tensorweave.lib.example_protos", "BytesList", "Example", "Feature",
                      "FeatureList", "FeatureLists", "Features", "FloatList", "Int64List",
                      "SequenceExample"),
    **lazy.names_from("tensorweave.summary.summary_iterator", "summary_iterator"),
    **lazy.names_from("tensorweave.train.session_run_hook",
                      "SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues"),
    **lazy.names_from("tensorweave.train.basic_session_run_hooks",
                      "CheckpointSaverHook", "CheckpointSaverListener", "FeedFnHook",
                      "FinalOpsHook", "LoggingTensorHook", "NanLossDuringTrainingError",
                      "NanTensorHook", "SecondOrStepTimer", "StepCounterHook", "StopAtStepHook",
                      "SummarySaverHook", "GlobalStepWaiterHook", "ProfilerHook"),
    **lazy.names_from("tensorweave.train.monitored_session",
                      "ChiefSessionCreator", "MonitoredSession", "MonitoredTrainingSession",
                      "Scaffold", "SessionCreator", "SingularMonitoredSession",
                      "WorkerSessionCreator"),
    **lazy.names_from("tensorweave.train.moving_averages", "ExponentialMovingAverage"),
    **lazy.names_from("tensorweave.train.session_manager", "SessionManager"),
    **lazy.names_from("tensorweave.train.coordinator", "Coordinator", "LooperThread"),
    **lazy.names_from("tensorweave.train.queue_runner", "QueueRunner", "add_queue_runner",
                      "start_queue_runners"),
    "queue_runner": "tensorweave.train.queue_runner",  # the tf.train.queue_runner namespace
    **lazy.names_from("tensorweave.train.input", "batch", "batch_join", "input_producer",
                      "limit_epochs", "match_filenames_once", "maybe_batch", "maybe_batch_join",
                      "maybe_shuffle_batch", "maybe_shuffle_batch_join", "range_input_producer",
                      "shuffle_batch", "shuffle_batch_join", "slice_input_producer",
                      "string_input_producer"),
    **lazy.names_from("tensorweave.train.supervisor", "Supervisor", "basic_train_loop"),
    **lazy.names_from("tensorweave.train.warm_starting", "VocabInfo", "warm_start"),
    **lazy.names_from("tensorweave.train.sync_replicas_optimizer", "SyncReplicasOptimizer"),
    **lazy.names_from("tensorweave.train.device_setter", "ClusterSpec",
                      "replica_device_setter"),
    "ClusterDef": "tensorboard.compat.proto.cluster_pb2:ClusterDef",
    "JobDef": "tensorboard.compat.proto.cluster_pb2:JobDef",
    "SaverDef": "tensorweave.lib.protos:SaverDef",
}

__all__ = ["AdadeltaOptimizer", "AdagradDAOptimizer", "AdagradOptimizer", "AdamOptimizer",
           "FtrlOptimizer", "GradientDescentOptimizer", "MomentumOptimizer", "Optimizer",
           "ProximalAdagradOptimizer", "ProximalGradientDescentOptimizer", "RMSPropOptimizer",
           "assert_global_step", "cosine_decay", "cosine_decay_restarts", "create_global_step",
           "exponential_decay", "get_global_step", "get_or_create_global_step", "global_step",
           "inverse_time_decay", "linear_cosine_decay", "natural_exp_decay",
           "noisy_linear_cosine_decay", "piecewise_constant", "piecewise_constant_decay",
           "polynomial_decay", *sorted(_LAZY)]


__getattr__ = lazy.attributes(__name__, _LAZY)  # checkpoint modules and protobuf on first use
