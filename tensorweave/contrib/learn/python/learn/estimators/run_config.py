"""TF's module path `tensorflow.contrib.learn.python.learn.estimators.run_config`
(`run_config_lib.RunConfig` in learn_runner programs)."""
from tensorweave.contrib.learn.estimators import Environment, RunConfig  # noqa: F401
from tensorweave.estimator.run_config import TaskType  # noqa: F401

__all__ = ["Environment", "RunConfig", "TaskType"]
