"""Keras `fit` under Horovod (issue 23, item 3): horovod.tensorflow.keras / horovod.keras.

Horovod's Keras MNIST pattern runs unchanged on 1 and 2 processes: on 2 it matches 1 process
with the same global batch, every rank ends with the same weights, rank 0 alone writes
checkpoints, the callbacks average metrics and schedule the learning rate, and load_model
wraps the optimizer again."""
import json

import numpy as np
import pytest

from horovod_helpers import mpirun, needs_mpi, single
from mnist_files import MNIST_DIR, needs_mnist

import tensorweave as tf
from tensorweave.horovod import keras as hvd_keras
from tensorweave.horovod.tensorflow import keras as hvd

def _results(directory, size):
    return {rank: json.loads((directory / f"result-{size}-{rank}.json").read_text())
            for rank in range(size)}


def _weights(directory, size, rank):
    data = np.load(directory / f"weights-{size}-{rank}.npz")
    return [data[k] for k in sorted(data.files, key=lambda k: int(k.split("_")[1]))]


def test_the_api_is_horovods():
    assert hvd.callbacks.BroadcastGlobalVariablesCallback is \
        hvd_keras.callbacks.BroadcastGlobalVariablesCallback
    for name in ("init", "size", "rank", "local_rank", "local_size", "DistributedOptimizer",
                 "broadcast_global_variables", "allreduce", "allgather", "broadcast",
                 "load_model", "Compression"):
        assert callable(getattr(hvd, name)) or name == "Compression", name
    from tensorweave import runner
    assert runner.tensorweave_module_name("horovod.keras") == "tensorweave.horovod.keras"
    assert runner.tensorweave_module_name("horovod.tensorflow.keras.callbacks") == \
        "tensorweave.horovod.tensorflow.keras.callbacks"


def test_distributed_optimizer_keeps_class_and_config_and_trains_at_size_1():
    hvd.init()
    with tf.Graph().as_default():
        base = tf.keras.optimizers.Adam(0.01, beta_1=0.8)
        opt = hvd.DistributedOptimizer(base)
        assert type(opt).__name__ == "Adam" and isinstance(opt, type(base))
        assert opt.get_config() == base.get_config()
        model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(3,))])
        model.compile(optimizer=opt, loss="mse")
        x = np.random.RandomState(0).rand(32, 3).astype(np.float32)
        y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
        history = model.fit(x, y, batch_size=8, epochs=3, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]
    with pytest.raises(ValueError, match="tf.keras optimizer"):
        hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1))


def test_value_collectives_and_load_model_at_size_1(tmp_path):
    hvd.init()
    with tf.Graph().as_default():
        assert float(hvd.allreduce(3.0)) == 3.0
        assert hvd.allgather(np.array([[1, 2]])).tolist() == [[1, 2]]
        assert int(hvd.broadcast(7, 0)) == 7
        model = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
        model.compile(optimizer=hvd.DistributedOptimizer(tf.keras.optimizers.SGD(0.1)),
                      loss="mse")
        model.fit(np.ones((4, 3), np.float32), np.zeros((4, 2), np.float32), verbose=0)
        path = str(tmp_path / "model.h5")
        model.save(path)
    with tf.Graph().as_default():
        loaded = hvd.load_model(path)
        optimizer = loaded.optimizer
        assert type(optimizer).__name__ == "SGD"
        assert type(optimizer).get_gradients is not tf.keras.optimizers.SGD.get_gradients
        assert abs(float(tf.keras.backend.get_value(optimizer.lr)) - 0.1) < 1e-7


def test_schedule_callback_scales_momentum_for_the_changed_batch():
    with tf.Graph().as_default():
        model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(2,))])
        model.compile(optimizer=tf.keras.optimizers.SGD(0.2, momentum=0.9), loss="mse")
        seen = []

        class Spy(tf.keras.callbacks.Callback):
            def on_batch_begin(self, batch, logs=None):
                opt = self.model.optimizer
                seen.append((float(tf.keras.backend.get_value(opt.lr)),
                             float(tf.keras.backend.get_value(opt.momentum))))

        schedule = hvd.callbacks.LearningRateScheduleCallback(
            lambda epoch: 0.5 ** epoch, staircase=False, initial_lr=0.2)
        model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), batch_size=4,
                  epochs=2, verbose=0, callbacks=[schedule, Spy()])
        # 2 steps per epoch: epochs 0, 0.5, 1, 1.5 -> lr 0.2 * 0.5 ** e
        lrs = [lr for lr, _ in seen]
        np.testing.assert_allclose(lrs, [0.2 * 0.5 ** e for e in (0, 0.5, 1, 1.5)], rtol=1e-6)
        np.testing.assert_allclose([m for _, m in seen][1], 0.9 * 0.5 ** 0.5, rtol=1e-6)
        assert abs(float(tf.keras.backend.get_value(model.optimizer.momentum)) - 0.9) < 1e-7


@needs_mnist
@needs_mpi
def test_keras_mnist_on_two_processes_matches_one_process(tmp_path):
    one_dir, two_dir = tmp_path / "one", tmp_path / "two"
    one_dir.mkdir()
    two_dir.mkdir()
    args = ("--samples", 3200, "--epochs", 2, "--global-batch", 64)
    two = mpirun(2, "keras_mnist_horovod.py", *args, "--out", two_dir,
                 TENSORWEAVE_MNIST_DIR=MNIST_DIR)
    assert two.returncode == 0, two.stdout
    one = single("keras_mnist_horovod.py", *args, "--out", one_dir,
                 TENSORWEAVE_MNIST_DIR=MNIST_DIR)
    assert one.returncode == 0, one.stdout
    ranks, only = _results(two_dir, 2), _results(one_dir, 1)[0]
    assert ranks[0]["weights"] == ranks[1]["weights"]  # identical final weights on both ranks
    assert ranks[0]["loss"] == ranks[1]["loss"]        # MetricAverageCallback: same losses
    assert only["accuracy"] > 0.8
    assert abs(ranks[0]["accuracy"] - only["accuracy"]) <= 0.005, (ranks[0], only)
    np.testing.assert_allclose(ranks[0]["loss"], only["loss"], rtol=2e-3)  # the global loss
    np.testing.assert_allclose(ranks[0]["lr"], [0.1, 0.05], rtol=1e-6)    # the schedule
    for mine, theirs in zip(_weights(two_dir, 2, 0), _weights(one_dir, 1, 0)):
        np.testing.assert_allclose(mine, theirs, atol=2e-2)
    for a, b in zip(_weights(two_dir, 2, 0), _weights(two_dir, 2, 1)):
        np.testing.assert_array_equal(a, b)
    # rank 0 alone wrote checkpoints (the program adds ModelCheckpoint on rank 0 only)
    assert sorted(p.name for p in two_dir.glob("*.h5")) == ["checkpoint-1.h5",
                                                            "checkpoint-2.h5"]
    for rank in (0, 1):
        assert ranks[rank]["loaded"] == ["SGD", True, True]
        assert ranks[rank]["collectives"] == [0.5, [0, 1], 5, 2.0]


@needs_mnist
@needs_mpi
def test_two_processes_stay_equal_to_one_step_by_step(tmp_path):
    """10 steps: the 2-process weights equal the 1-process ones up to float rounding."""
    one_dir, two_dir = tmp_path / "one", tmp_path / "two"
    one_dir.mkdir()
    two_dir.mkdir()
    args = ("--samples", 640, "--epochs", 1, "--global-batch", 64)
    two = mpirun(2, "keras_mnist_horovod.py", *args, "--out", two_dir,
                 TENSORWEAVE_MNIST_DIR=MNIST_DIR)
    assert two.returncode == 0, two.stdout
    one = single("keras_mnist_horovod.py", *args, "--out", one_dir,
                 TENSORWEAVE_MNIST_DIR=MNIST_DIR)
    assert one.returncode == 0, one.stdout
    for mine, theirs in zip(_weights(two_dir, 2, 0), _weights(one_dir, 1, 0)):
        np.testing.assert_allclose(mine, theirs, atol=1e-6)


@needs_mnist
@needs_mpi
def test_learning_rate_warmup_on_two_processes(tmp_path):
    two = mpirun(2, "keras_mnist_horovod.py", "--samples", 640, "--epochs", 3,
                 "--global-batch", 64, "--warmup-epochs", 2, "--out", tmp_path,
                 TENSORWEAVE_MNIST_DIR=MNIST_DIR)
    assert two.returncode == 0, two.stdout
    ranks = _results(tmp_path, 2)
    # Goyal et al.: lr / size at the start, lr after warmup_epochs; 10 steps per epoch, the
    # epoch's last batch at e + 1: 0.1 * (1/2) * ((e + 1) / 2 + 1); unchanged after warmup
    np.testing.assert_allclose(ranks[0]["lr"], [0.075, 0.1, 0.1], rtol=1e-6)
    assert ranks[0]["weights"] == ranks[1]["weights"]
