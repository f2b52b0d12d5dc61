"""tf.contrib.training.HParams: parsing, type checks and serialization as TF 1.15 documents."""
import numpy as np
import pytest

import tensorweave as tf

HParams = tf.contrib.training.HParams


def test_values_parse_and_types():
    hparams = HParams(learning_rate=0.1, num_hidden_units=100, activation="relu",
                      layers=[3, 4], use_bias=True)
    assert hparams.learning_rate == 0.1 and hparams.layers == [3, 4]
    assert hparams.parse("learning_rate=0.3,num_hidden_units=7,activation=tanh,"
                         "layers=[5 6, 7],use_bias=false") is hparams
    assert hparams.values() == {"learning_rate": 0.3, "num_hidden_units": 7,
                                "activation": "tanh", "layers": [5, 6, 7], "use_bias": False}
    hparams.parse("learning_rate=2")  # an int is a fine float
    assert hparams.learning_rate == 2.0 and isinstance(hparams.learning_rate, float)
    hparams.parse("use_bias=1")
    assert hparams.use_bias is True
    assert "layers" in hparams and "nothing" not in hparams
    assert str(hparams).startswith("[('activation', 'tanh'), ")
    assert repr(hparams).startswith("HParams([")


@pytest.mark.parametrize("text, message", [
    ("num_hidden_units=0.5", "Could not parse hparam 'num_hidden_units' of type 'int' with "
                             "value '0.5' in num_hidden_units=0.5"),
    ("unknown=1", "Unknown hyperparameter type for unknown"),
    ("learning_rate=1,learning_rate=2", "Multiple assignments to variable 'learning_rate'"),
    ("learning_rate=[1,2]", "Must not pass a list for single-valued parameter: learning_rate"),
    ("layers=3", "Must pass a list for multi-valued parameter: layers."),
    ("=3", "Malformed hyperparameter value: =3"),
])
def test_parse_errors(text, message):
    hparams = HParams(learning_rate=0.1, num_hidden_units=100, layers=[3, 4])
    with pytest.raises(ValueError) as e:
        hparams.parse(text)
    assert message in str(e.value)


def test_set_add_delete_and_type_checks():
    hparams = HParams(n=1, name="a", flag=False, rate=0.5)
    hparams.set_hparam("n", 3)
    with pytest.raises(ValueError, match="Could not cast hparam 'n' of type"):
        hparams.set_hparam("n", 2.5)  # float to int
    with pytest.raises(ValueError, match="Could not cast hparam 'name'"):
        hparams.set_hparam("name", 3)  # number to string
    with pytest.raises(ValueError, match="Could not cast hparam 'flag'"):
        hparams.set_hparam("flag", 1)  # number to bool
    with pytest.raises(ValueError, match="Could not cast hparam 'rate'"):
        hparams.set_hparam("rate", True)  # bool to number
    with pytest.raises(KeyError):
        hparams.set_hparam("missing", 1)
    hparams.add_hparam("extra", [1.5])
    with pytest.raises(ValueError, match="Hyperparameter name is reserved: values"):
        hparams.add_hparam("values", 1)
    with pytest.raises(ValueError, match="Multi-valued hyperparameters cannot be empty: e"):
        hparams.add_hparam("e", [])
    hparams.del_hparam("extra")
    assert "extra" not in hparams and not hasattr(hparams, "extra")
    assert hparams.get("n") == 3 and hparams.get("missing", 7) == 7
    with pytest.raises(ValueError, match="is incompatible with default=x"):
        hparams.get("n", "x")
    hparams.override_from_dict({"n": 9, "rate": 1})
    assert hparams.n == 9 and hparams.rate == 1.0


def test_json_round_trip_and_model_structure():
    hparams = HParams(a=1, b=[0.5, 1.5], c="x", fn=len, model_structure={"k": 1})
    assert hparams.to_json(sort_keys=True) == '{"a": 1, "b": [0.5, 1.5], "c": "x"}'
    other = HParams(a=0, b=[0.0], c="", fn=len)
    other.parse_json('{"a": 1, "b": [0.5, 1.5], "c": "x"}')
    assert other.values() == {**hparams.values()}
    assert hparams.get_model_structure() == {"k": 1}
    assert tf.contrib.training.parse_values("x=1,y=[a,b]", {"x": int, "y": str}) == \
        {"x": 1, "y": ["a", "b"]}
    assert tf.contrib.training.parse_values("x[1]=3,x[2]=4", {"x": int}) == {"x": {1: 3, 2: 4}}
    assert tf.contrib.training.parse_values("z=1,x=2", {"x": int}, ignore_unknown=True) == \
        {"x": 2}


# --- the rest of tf.contrib.training ------------------------------------------------------------
def test_create_train_op_and_train(tmp_path):
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    w = tf.Variable([[0.5], [-0.5]])
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
    counter = tf.Variable(0.0, trainable=False)
    tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, tf.assign_add(counter, 1.0))
    scaled = []

    def halve(grads_and_vars):
        scaled.append(True)
        return [(g * 0.5, v) for g, v in grads_and_vars]
    train_op = tf.contrib.training.create_train_op(loss, tf.train.GradientDescentOptimizer(0.1),
                                                   transform_grads_fn=halve)
    assert scaled and train_op in tf.get_collection(tf.GraphKeys.TRAIN_OP)
    grad = tf.gradients(loss, w)[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        w0, g0 = sess.run([w, grad])
        first = sess.run(train_op)
        np.testing.assert_allclose(sess.run(w), w0 - 0.05 * g0, rtol=1e-6)
        assert sess.run(counter) == 1.0 and sess.run(tf.train.get_global_step()) == 1
    last = tf.contrib.training.train(train_op, str(tmp_path),
                                     hooks=[tf.train.StopAtStepHook(last_step=5)],
                                     save_summaries_steps=None)
    assert last < first
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("model.ckpt-5")
    with pytest.raises(ValueError, match="logdir cannot be None"):
        tf.contrib.training.train(train_op, None)


def test_names_tensorweave_does_not_provide():
    with pytest.raises(NotImplementedError, match="tf.contrib.training.bucket_by_sequence_length"
                                                  " is not implemented"):
        tf.contrib.training.bucket_by_sequence_length
    with pytest.raises(NotImplementedError, match="tf.contrib.rnn.LSTMBlockWrapper"):
        tf.contrib.rnn.LSTMBlockWrapper
    assert not hasattr(tf.contrib.training, "bucket")
    assert callable(tf.contrib.training.clip_gradient_norms_fn(1.0))
