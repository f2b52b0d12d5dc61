"""EstimatorSpec validation, ModeKeys, and RunConfig defaults, replace and errors."""
import pytest

import tensorweave as tf

Spec = tf.estimator.EstimatorSpec
TRAIN, EVAL, PREDICT = (tf.estimator.ModeKeys.TRAIN, tf.estimator.ModeKeys.EVAL,
                        tf.estimator.ModeKeys.PREDICT)


def test_mode_keys_are_tfs_strings():
    assert (TRAIN, EVAL, PREDICT) == ("train", "eval", "infer")


def test_spec_requires_what_each_mode_needs():
    loss = tf.constant(1.0)
    with pytest.raises(ValueError, match="Missing train_op"):
        Spec(TRAIN, loss=loss)
    with pytest.raises(ValueError, match="Missing loss"):
        Spec(EVAL)
    with pytest.raises(ValueError, match="Missing predictions"):
        Spec(PREDICT)
    spec = Spec(EVAL, loss=loss)
    assert spec.predictions == {} and spec.eval_metric_ops == {} and spec.train_op is None
    assert isinstance(spec.scaffold, tf.train.Scaffold) and spec.training_hooks == ()
    with pytest.raises(ValueError, match="mode=fit unrecognized"):
        Spec("fit", loss=loss)


def test_spec_type_and_shape_checks():
    with pytest.raises(TypeError, match="loss must be Tensor, given: 1.0"):
        Spec(EVAL, loss=1.0)
    with pytest.raises(ValueError, match="Loss must be scalar, given"):
        Spec(EVAL, loss=tf.constant([1.0, 2.0]))
    reshaped = Spec(EVAL, loss=tf.constant([[3.0]])).loss
    assert reshaped.shape.as_list() == []
    with pytest.raises(TypeError, match="train_op must be Operation or Tensor, given: 3"):
        Spec(TRAIN, loss=tf.constant(1.0), train_op=3)
    with pytest.raises(TypeError, match=r"predictions\[y\] must be Tensor"):
        Spec(PREDICT, predictions={"y": [1, 2]})
    with pytest.raises(TypeError, match="eval_metric_ops must be a dict"):
        Spec(EVAL, loss=tf.constant(1.0), eval_metric_ops=[1])
    with pytest.raises(TypeError, match="Values of eval_metric_ops must be \\(metric_value, "
                                        "update_op\\) tuples"):
        Spec(EVAL, loss=tf.constant(1.0), eval_metric_ops={"m": tf.constant(1.0)})
    with pytest.raises(TypeError, match="All hooks must be SessionRunHook instances"):
        Spec(EVAL, loss=tf.constant(1.0), evaluation_hooks=[object()])
    with pytest.raises(TypeError, match="scaffold must be tf.train.Scaffold"):
        Spec(EVAL, loss=tf.constant(1.0), scaffold=3)


def test_spec_tensors_must_come_from_the_default_graph():
    with tf.Graph().as_default():
        elsewhere = tf.constant(1.0, name="elsewhere")
    with pytest.raises(ValueError, match='loss with "elsewhere:0" must be from the default '
                                         'graph'):
        Spec(EVAL, loss=elsewhere)


def test_spec_accepts_a_variable_as_train_op_and_loss():
    v = tf.Variable(2.0)
    spec = Spec(TRAIN, loss=v, train_op=v)
    assert isinstance(spec.train_op, tf.Operation) and isinstance(spec.loss, tf.Tensor)


def test_run_config_defaults():
    config = tf.estimator.RunConfig()
    assert config.model_dir is None and config.tf_random_seed is None
    assert config.save_summary_steps == 100 and config.save_checkpoints_secs == 600
    assert config.save_checkpoints_steps is None and config.keep_checkpoint_max == 5
    assert config.keep_checkpoint_every_n_hours == 10000 and config.log_step_count_steps == 100
    assert config.session_config is None and config.is_chief and config.num_worker_replicas == 1
    assert config.task_type == "worker" and config.master == "" and config.cluster_spec is None


def test_run_config_checkpoint_interval_rules():
    steps = tf.estimator.RunConfig(save_checkpoints_steps=50)
    assert (steps.save_checkpoints_steps, steps.save_checkpoints_secs) == (50, None)
    secs = tf.estimator.RunConfig(save_checkpoints_secs=30)
    assert (secs.save_checkpoints_steps, secs.save_checkpoints_secs) == (None, 30)
    off = tf.estimator.RunConfig(save_checkpoints_steps=None, save_checkpoints_secs=None)
    assert (off.save_checkpoints_steps, off.save_checkpoints_secs) == (None, None)
    with pytest.raises(ValueError, match="Can not specify both save_checkpoints_steps and "
                                         "save_checkpoints_secs"):
        tf.estimator.RunConfig(save_checkpoints_steps=1, save_checkpoints_secs=1)


def test_run_config_replace_and_validation():
    config = tf.estimator.RunConfig(model_dir="/tmp/m")
    changed = config.replace(tf_random_seed=3, save_checkpoints_steps=10)
    assert changed.tf_random_seed == 3 and changed.save_checkpoints_steps == 10
    assert changed.save_checkpoints_secs is None and changed.model_dir == "/tmp/m"
    assert config.tf_random_seed is None  # the original is unchanged
    with pytest.raises(ValueError, match="master is not a valid property to replace"):
        config.replace(master="grpc://x")
    with pytest.raises(ValueError, match="save_summary_steps should be >= 0"):
        tf.estimator.RunConfig(save_summary_steps=-1)
    with pytest.raises(ValueError, match="tf_random_seed must be integer"):
        tf.estimator.RunConfig(tf_random_seed=1.5)
    with pytest.raises(ValueError, match="session_config must be instance of ConfigProto"):
        tf.estimator.RunConfig(session_config={})
    with pytest.raises(ValueError, match="model_dir should be non-empty"):
        tf.estimator.RunConfig(model_dir="")
