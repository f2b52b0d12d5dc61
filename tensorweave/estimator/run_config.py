"""RunConfig: where an Estimator writes and how often it checkpoints, summarizes and logs.

    config = tf.estimator.RunConfig(model_dir="/tmp/mnist", save_checkpoints_steps=500)
    config = config.replace(tf_random_seed=42)     # a copy with one property changed
"""
import copy

from tensorweave.lib.paths import path_str
from tensorweave.runtime.config import ConfigProto
from tensorweave.train import server_lib

_USE_DEFAULT = object()
_DEFAULT_SAVE_CHECKPOINTS_SECS = 600

_REPLACEABLE = ("model_dir", "tf_random_seed", "save_summary_steps", "save_checkpoints_steps",
                "save_checkpoints_secs", "session_config", "keep_checkpoint_max",
                "keep_checkpoint_every_n_hours", "log_step_count_steps", "train_distribute",
                "device_fn", "protocol", "eval_distribute", "experimental_distribute",
                "experimental_max_worker_delay_secs", "session_creation_timeout_secs")


class TaskType:
    MASTER = "master"
    PS = "ps"
    WORKER = "worker"
    CHIEF = "chief"
    EVALUATOR = "evaluator"


def _check(condition, message):
    if not condition:
        raise ValueError(message)


def _check_nonnegative_int(value, name):
    if value is not None:
        _check(isinstance(value, int) and value >= 0, f"{name} should be >= 0")


def get_default_session_config():
    """The session config an Estimator uses when its RunConfig has none: TF's
    ConfigProto(allow_soft_placement=True), so ops placed on absent GPUs run on the CPU."""
    return ConfigProto(allow_soft_placement=True)


class RunConfig:
    """The run settings of an Estimator (TF 1.15 defaults: summaries every 100 steps, a
    checkpoint every 600 seconds, 5 checkpoints kept, steps/sec logged every 100 steps)."""

    def __init__(self, model_dir=None, tf_random_seed=None, save_summary_steps=100,
                 save_checkpoints_steps=_USE_DEFAULT, save_checkpoints_secs=_USE_DEFAULT,
                 session_config=None, keep_checkpoint_max=5,
                 keep_checkpoint_every_n_hours=10000, log_step_count_steps=100,
                 train_distribute=None, device_fn=None, protocol=None, eval_distribute=None,
                 experimental_distribute=None, experimental_max_worker_delay_secs=None,
                 session_creation_timeout_secs=7200):
        server_lib.check_tf_config()  # a multi-task TF_CONFIG names the Horovod path
        if save_checkpoints_steps is _USE_DEFAULT and save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_steps, save_checkpoints_secs = None, _DEFAULT_SAVE_CHECKPOINTS_SECS
        elif save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_secs = None
        elif save_checkpoints_steps is _USE_DEFAULT:
            save_checkpoints_steps = None
        elif save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise ValueError("Can not specify both save_checkpoints_steps and "
                             "save_checkpoints_secs.")
        if model_dir is not None:
            model_dir = path_str(model_dir)
        self._model_dir = model_dir
        self._tf_random_seed = tf_random_seed
        self._save_summary_steps = save_summary_steps
        self._save_checkpoints_steps = save_checkpoints_steps
        self._save_checkpoints_secs = save_checkpoints_secs
        self._session_config = session_config
        self._keep_checkpoint_max = keep_checkpoint_max
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._log_step_count_steps = log_step_count_steps
        self._train_distribute = train_distribute
        self._device_fn = device_fn
        self._protocol = protocol
        self._eval_distribute = eval_distribute
        self._experimental_distribute = experimental_distribute
        self._experimental_max_worker_delay_secs = experimental_max_worker_delay_secs
        self._session_creation_timeout_secs = session_creation_timeout_secs
        self._validate()

    def _validate(self):
        _check(self._model_dir is None or (isinstance(self._model_dir, str)
                                           and self._model_dir),
               "model_dir should be non-empty")
        _check_nonnegative_int(self._save_summary_steps, "save_summary_steps")
        _check_nonnegative_int(self._save_checkpoints_steps, "save_checkpoints_steps")
        _check_nonnegative_int(self._save_checkpoints_secs, "save_checkpoints_secs")
        _check_nonnegative_int(self._keep_checkpoint_max, "keep_checkpoint_max")
        _check_nonnegative_int(self._log_step_count_steps, "log_step_count_steps")
        _check(self._keep_checkpoint_every_n_hours is None
               or self._keep_checkpoint_every_n_hours > 0,
               "keep_checkpoint_every_n_hours should be > 0")
        _check(self._tf_random_seed is None or isinstance(self._tf_random_seed, int),
               "tf_random_seed must be integer.")
        _check(self._session_config is None or isinstance(self._session_config, ConfigProto),
               "session_config must be instance of ConfigProto")
        _check(self._device_fn is None or callable(self._device_fn),
               "device_fn must be callable with exactly one argument \"op\".")

    def replace(self, **kwargs):
        """A copy of this config with the given properties changed (ValueError for others)."""
        for key in kwargs:
            if key not in _REPLACEABLE:
                raise ValueError(f"{key} is not a valid property to replace")
        new = copy.deepcopy(self)
        for key, value in kwargs.items():
            setattr(new, "_" + key, value)
        if "save_checkpoints_steps" in kwargs or "save_checkpoints_secs" in kwargs:
            if new._save_checkpoints_steps is not None and \
                    new._save_checkpoints_secs is not None:
                if "save_checkpoints_secs" not in kwargs:
                    new._save_checkpoints_secs = None  # a new steps value replaces the secs
                elif "save_checkpoints_steps" not in kwargs:
                    new._save_checkpoints_steps = None
                else:
                    raise ValueError("Can not specify both save_checkpoints_steps and "
                                     "save_checkpoints_secs.")
        new._validate()
        return new

    def __repr__(self):
        return repr({k.lstrip("_"): v for k, v in vars(self).items()})

    model_dir = property(lambda self: self._model_dir)
    tf_random_seed = property(lambda self: self._tf_random_seed)
    save_summary_steps = property(lambda self: self._save_summary_steps)
    save_checkpoints_steps = property(lambda self: self._save_checkpoints_steps)
    save_checkpoints_secs = property(lambda self: self._save_checkpoints_secs)
    session_config = property(lambda self: self._session_config)
    keep_checkpoint_max = property(lambda self: self._keep_checkpoint_max)
    keep_checkpoint_every_n_hours = property(lambda self: self._keep_checkpoint_every_n_hours)
    log_step_count_steps = property(lambda self: self._log_step_count_steps)
    train_distribute = property(lambda self: self._train_distribute)
    eval_distribute = property(lambda self: self._eval_distribute)
    device_fn = property(lambda self: self._device_fn)
    protocol = property(lambda self: self._protocol)
    experimental_distribute = property(lambda self: self._experimental_distribute)
    experimental_max_worker_delay_secs = property(
        lambda self: self._experimental_max_worker_delay_secs)
    session_creation_timeout_secs = property(lambda self: self._session_creation_timeout_secs)
    # a single local process: the chief worker of no cluster
    cluster_spec = property(lambda self: None)
    task_type = property(lambda self: TaskType.WORKER)
    task_id = property(lambda self: 0)
    master = property(lambda self: "")
    evaluation_master = property(lambda self: "")
    is_chief = property(lambda self: True)
    num_ps_replicas = property(lambda self: 0)
    num_worker_replicas = property(lambda self: 1)
    global_id_in_cluster = property(lambda self: 0)
    service = property(lambda self: None)
