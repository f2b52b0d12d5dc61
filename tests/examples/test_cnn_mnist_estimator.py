"""The tf.layers CNN tutorial (cnn_mnist) trained through an Estimator on the real MNIST."""
import pytest

pytest.importorskip("tensorboard", reason="Estimator checkpoints/summaries need the extras")

from hook_helpers import captured_log  # noqa: E402
from mnist_files import MNIST_DIR, needs_mnist  # noqa: E402

# CI size: 80 steps of 100 images at learning rate 0.1 (the tutorial: 20000 steps at 0.001
# for 0.9733), evaluated on the first 2000 test images. Measured (seed 1): 0.8335 at 80 steps,
# 0.9045 at 120; about 21 s of CPU.
CI_STEPS = 80
CI_RATE = 0.1


@needs_mnist
def test_cnn_mnist_learns_and_logs_probabilities(tmp_path):
    from tensorweave.examples.tutorials.layers import cnn_mnist
    with captured_log() as log:
        results = cnn_mnist.train_and_evaluate(str(MNIST_DIR), CI_STEPS, str(tmp_path), seed=1,
                                               learning_rate=CI_RATE, eval_examples=2000)
    assert sorted(results) == ["accuracy", "global_step", "loss"]
    assert results["global_step"] == CI_STEPS
    assert results["accuracy"] >= 0.75 and results["loss"] < 0.8
    probabilities = [m for m in log if m.startswith("probabilities = [[")]
    assert len(probabilities) == 2  # steps 0 and 50 (every_n_iter=50)
    assert f"Saving checkpoints for {CI_STEPS} into {tmp_path}/model.ckpt." in log
    assert (tmp_path / "eval").is_dir()


def test_cnn_mnist_flags_follow_the_tutorial():
    from tensorweave.examples.tutorials.layers import cnn_mnist
    flags, unparsed = cnn_mnist.parse_flags(["--steps", "5", "--other", "1"])
    assert flags.steps == 5 and flags.model_dir == "/tmp/mnist_convnet_model"
    assert flags.learning_rate == 0.001 and unparsed == ["--other", "1"]
    assert cnn_mnist.parse_flags([])[0].steps == 20000


def test_cnn_model_fn_builds_the_tutorial_layers():
    import tensorweave as tf
    from tensorweave.examples.tutorials.layers import cnn_mnist
    features = {"x": tf.placeholder(tf.float32, [None, 784])}
    labels = tf.placeholder(tf.int32, [None])
    tf.train.get_or_create_global_step()
    spec = cnn_mnist.cnn_model_fn(features, labels, tf.estimator.ModeKeys.TRAIN,
                                  {"learning_rate": 0.001})
    shapes = {v.op.name: v.shape.as_list() for v in tf.trainable_variables()}
    assert shapes == {"conv2d/kernel": [5, 5, 1, 32], "conv2d/bias": [32],
                      "conv2d_1/kernel": [5, 5, 32, 64], "conv2d_1/bias": [64],
                      "dense/kernel": [3136, 1024], "dense/bias": [1024],
                      "dense_1/kernel": [1024, 10], "dense_1/bias": [10]}
    assert tf.get_default_graph().get_tensor_by_name("softmax_tensor:0").shape.as_list() == [
        None, 10]
    assert spec.train_op is not None
