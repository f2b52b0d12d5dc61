"""Callbacks during fit against TensorFlow's compat.v1 Keras (LearningRateScheduler,
ReduceLROnPlateau, EarlyStopping with restore_best_weights, CSVLogger, ModelCheckpoint,
LambdaCallback), and what ProgbarLogger, TensorBoard and TerminateOnNaN produce."""
import io
import os
import contextlib

import numpy as np

import tensorweave as tf
from keras_reference import assert_matches, cases

keras = tf.keras


def test_callbacks_match_tensorflow():
    keras.backend.clear_session()
    assert_matches(cases.callbacks_run(tf), "callbacks", rtol=2e-5, atol=2e-6)


def _model(seed=23):
    model = cases._mlp(keras)
    model.set_weights(cases.fixed_weights(model.weights, seed=seed))
    model.compile(keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _fit_output(**kwargs):
    x, y = cases._data(n=40)
    with tf.Graph().as_default():
        model = _model()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            history = model.fit(x, y, batch_size=16, shuffle=False, **kwargs)
    return out.getvalue(), history


def test_progbar_logger_verbose_1():
    text, history = _fit_output(epochs=2, verbose=1, validation_split=0.2)
    assert text.startswith("Train on 32 samples, validate on 8 samples\nEpoch 1/2\n")
    lines = text.split("\n")
    assert lines[2].startswith("\r16/32 [==============>...............] - ETA: ")
    last = lines[2].split("\r")[-1]
    assert last.startswith("32/32 [==============================] - ")
    assert "us/sample - loss: " in last and " - acc: " in last and " - val_loss: " in last
    assert f"val_acc: {history.history['val_acc'][0]:.4f}" in last
    assert lines[3] == "Epoch 2/2"


def test_progbar_logger_verbose_2():
    text, history = _fit_output(epochs=1, verbose=2)
    lines = text.strip().split("\n")
    assert lines[0] == "Train on 40 samples"
    assert lines[1].startswith("40/40 - ") and "s - loss: " in lines[1]
    assert len(lines) == 2


def test_silent_fit_prints_nothing():
    text, _ = _fit_output(epochs=1, verbose=0)
    assert text == ""


def test_terminate_on_nan():
    x, y = cases._data(n=64)
    x[20:] = np.nan
    with tf.Graph().as_default():
        model = _model()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0,
                                callbacks=[keras.callbacks.TerminateOnNaN()])
    assert "Batch 1: Invalid loss, terminating training" in out.getvalue()
    assert history.epoch == [0] and np.isnan(history.history["loss"][0])


def test_tensorboard_writes_epoch_scalars_and_graph(tmp_path):
    x, y = cases._data(n=40)
    with tf.Graph().as_default():
        model = _model()
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0,
                  validation_split=0.2,
                  callbacks=[keras.callbacks.TensorBoard(str(tmp_path))])
        history = model.history.history
    files = [f for f in os.listdir(tmp_path) if f.startswith("events.out.tfevents")]
    assert files
    scalars, graphs = {}, 0
    for event in tf.train.summary_iterator(os.path.join(tmp_path, files[0])):
        if event.graph_def:
            graphs += 1
        for value in event.summary.value:
            scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    assert graphs == 1
    for tag in ("loss", "acc", "val_loss", "val_acc"):
        steps = [s for s, _ in scalars[tag]]
        values = [v for _, v in scalars[tag]]
        assert steps == [0, 1], tag
        np.testing.assert_allclose(values, history[tag], rtol=1e-6)


def test_model_checkpoint_every_epoch_and_loadable(tmp_path):
    x, y = cases._data(n=40)
    path = os.path.join(tmp_path, "m{epoch:02d}-{loss:.3f}.h5")
    with tf.Graph().as_default():
        model = _model()
        history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0,
                            callbacks=[keras.callbacks.ModelCheckpoint(
                                path, save_weights_only=True)])
        weights = model.get_weights()
        names = sorted(os.listdir(tmp_path))
        losses = history.history["loss"]
        assert names == [f"m01-{losses[0]:.3f}.h5", f"m02-{losses[1]:.3f}.h5"]
        other = _model(seed=5)
        other.load_weights(os.path.join(tmp_path, names[-1]))
        for a, b in zip(other.get_weights(), weights):
            np.testing.assert_array_equal(a, b)


def test_lambda_callback_hooks_order():
    calls = []
    x, y = cases._data(n=32)
    with tf.Graph().as_default():
        model = _model()
        cb = keras.callbacks.LambdaCallback(
            on_train_begin=lambda logs: calls.append("train_begin"),
            on_epoch_begin=lambda e, logs: calls.append(f"epoch_begin {e}"),
            on_batch_begin=lambda b, logs: calls.append(f"batch_begin {b}"),
            on_batch_end=lambda b, logs: calls.append(f"batch_end {b} {sorted(logs)}"),
            on_epoch_end=lambda e, logs: calls.append(f"epoch_end {e} {sorted(logs)}"),
            on_train_end=lambda logs: calls.append("train_end"))
        model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=[cb])
    assert calls == ["train_begin", "epoch_begin 0", "batch_begin 0",
                     "batch_end 0 ['acc', 'batch', 'loss', 'size']", "batch_begin 1",
                     "batch_end 1 ['acc', 'batch', 'loss', 'size']",
                     "epoch_end 0 ['acc', 'loss']", "train_end"]
