"""tf.contrib.learn.learn_runner: builds an Experiment and runs one of its schedules, as TF
1.15's.

    def experiment_fn(run_config, hparams):            # or experiment_fn(output_dir)
        return tf.contrib.learn.Experiment(Estimator(..., config=run_config), ...)

    learn_runner.run(experiment_fn, run_config=tf.contrib.learn.RunConfig(model_dir=d),
                     schedule="train_and_evaluate")

The default schedule of a job that is not distributed (every job here) is
"train_and_evaluate".
"""
from tensorweave.contrib.learn.estimators import RunConfig
from tensorweave.contrib.learn.experiment import Experiment
from tensorweave.contrib.training.hparam import HParams
from tensorweave.estimator.run_config import TaskType
from tensorweave.platform import tf_logging as logging

__all__ = ["run", "tune"]


def _public_methods(experiment):
    return [name for name in dir(experiment)
            if not name.startswith("_") and callable(getattr(experiment, name))]


def _execute_schedule(experiment, schedule):
    """Calls experiment.<schedule>() (ValueError when it has none, TypeError when it is not
    callable)."""
    if not hasattr(experiment, schedule):
        logging.error("Schedule references non-existent task %s", schedule)
        logging.error("Allowed values for this experiment are: %s",
                      _public_methods(experiment))
        raise ValueError("Schedule references non-existent task %s" % schedule)
    task = getattr(experiment, schedule)
    if not callable(task):
        logging.error("Schedule references non-callable member %s", schedule)
        logging.error("Allowed values for this experiment are: %s",
                      _public_methods(experiment))
        raise TypeError("Schedule references non-callable member %s" % schedule)
    return task()


def _experiment_fn_checking_config(experiment_fn, require_hparams=False):
    """experiment_fn(run_config, hparams), checking its arguments and that the Experiment's
    estimator was given that run_config (the same RunConfig.uid)."""
    def checked(run_config, hparams):
        if not isinstance(run_config, RunConfig):
            raise ValueError("`run_config` must be `tf.contrib.learn.RunConfig` instance")
        if not run_config.model_dir:
            raise ValueError("Must specify a model directory `model_dir` in `run_config`.")
        if hparams is not None and not isinstance(hparams, HParams):
            raise ValueError("`hparams` must be `HParams` instance")
        if require_hparams and hparams is None:
            raise ValueError("`hparams` cannot be `None`.")
        expected_uid = run_config.uid()
        experiment = experiment_fn(run_config, hparams)
        if not isinstance(experiment, Experiment):
            raise TypeError("Experiment builder did not return an Experiment instance, got %s "
                            "instead." % type(experiment))
        config = experiment.estimator.config
        if not hasattr(config, "uid"):
            raise RuntimeError(
                "Pass `run_config` argument of the `experiment_fn` to the Estimator in "
                "Experiment. It is likely a different `RunConfig` is passed to `Estimator` or "
                "the `config` constructor argument in `Estimator` is not set.")
        if config.uid() != expected_uid:
            raise RuntimeError(
                "`RunConfig` instance is expected to be used by the `Estimator` inside the "
                "`Experiment`. expected {}, but got {}".format(expected_uid, config.uid()))
        return experiment
    return checked


def run(experiment_fn, output_dir=None, schedule=None, run_config=None, hparams=None):
    """Makes an Experiment with experiment_fn(run_config, hparams) (or the deprecated
    experiment_fn(output_dir)) and returns what its method `schedule` returns."""
    logging.warning("run (from tensorflow.contrib.learn.python.learn.learn_runner) is "
                    "deprecated and will be removed in a future version.\nInstructions for "
                    "updating:\nUse tf.estimator.train_and_evaluate.")
    if output_dir is not None and run_config is not None:
        raise ValueError("Cannot provide both `output_dir` and `run_config`")
    if output_dir is None and run_config is None:
        raise ValueError("Must set value for `output_dir` or `run_config`")
    if not callable(experiment_fn):
        raise TypeError('Experiment builder "%s" is not callable.' % experiment_fn)
    if run_config is not None:
        experiment = _experiment_fn_checking_config(experiment_fn)(run_config=run_config,
                                                                    hparams=hparams)
    else:
        if not output_dir:
            raise ValueError("Must specify an output directory")
        if hparams is not None:
            raise ValueError("Must set `hparams` as None for `experiment_fn` with "
                             "`output_dir`.")
        experiment = experiment_fn(output_dir=output_dir)
        if not isinstance(experiment, Experiment):
            raise TypeError("Experiment builder did not return an Experiment instance, got %s "
                            "instead." % type(experiment))
    run_config = run_config or experiment.estimator.config
    schedule = schedule or _default_schedule(run_config)
    return _execute_schedule(experiment, schedule)


def tune(experiment_fn, tuner):
    """For each of the tuner's trials, runs the Experiment experiment_fn(run_config, hparams)
    makes (tuner.next_trial() / tuner.run_experiment(fn))."""
    while tuner.next_trial():
        tuner.run_experiment(_experiment_fn_checking_config(experiment_fn,
                                                            require_hparams=True))


def _is_distributed(config):
    """True when the config's cluster has more than one task."""
    cluster = getattr(config, "cluster_spec", None)
    if not cluster:
        return False
    return sum(len(cluster.job_tasks(job)) for job in cluster.jobs) > 1


def _default_schedule(config):
    """train_and_evaluate for one process; TF's per-task defaults for a cluster."""
    if not config or not _is_distributed(config):
        return "train_and_evaluate"
    if not config.task_type:
        raise ValueError("Must specify a schedule")
    if config.task_type == TaskType.MASTER:
        return "train_and_evaluate"
    if config.task_type == TaskType.PS:
        return "run_std_server"
    if config.task_type == TaskType.WORKER:
        return "train"
    raise ValueError("No default schedule for task type: %s" % config.task_type)
