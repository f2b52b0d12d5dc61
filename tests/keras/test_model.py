"""Sequential, functional and recurrent models compiled, fit (shuffle=False), evaluated and
predicted with fixed initial weights, against TensorFlow's compat.v1 Keras: histories,
weights after training, predictions, metric names; summary() text as TF 1.15 prints it."""
import numpy as np
import pytest

import tensorweave as tf
from keras_reference import PLAIN, assert_matches, cases


@pytest.mark.parametrize("name", sorted(cases.MODEL_CASES))
def test_model_matches_tensorflow(name):
    tf.keras.backend.clear_session()
    result = cases.MODEL_CASES[name](tf)
    assert_matches(result, f"models/{name}", rtol=2e-5, atol=2e-6)


# TF 1.15's layout (keras/utils/layer_utils.print_summary: 65 columns at .45/.85/1 for
# sequential-like models, 98 at .33/.55/.67/1 with 'Connected to' otherwise, '_' between rows,
# counts with thousands separators). TF 2.x, which made the fixture, changed the layout (blank
# lines between rows, byte sizes), so the layout is written out here and the fixture checks the
# content: names, types, shapes, parameter counts and connections.
SEQUENTIAL = """\
Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
conv2d (Conv2D)              (None, 6, 6, 4)           40        
_________________________________________________________________
flatten (Flatten)            (None, 144)               0         
_________________________________________________________________
dense (Dense)                (None, 10)                1450      
=================================================================
Total params: 1,490
Trainable params: 1,490
Non-trainable params: 0
_________________________________________________________________"""

FUNCTIONAL = """\
Model: "model"
__________________________________________________________________________________________________
Layer (type)                    Output Shape         Param #     Connected to                     
==================================================================================================
a (InputLayer)                  [(None, 6)]          0                                            
__________________________________________________________________________________________________
dense_1 (Dense)                 (None, 8)            56          a[0][0]                          
__________________________________________________________________________________________________
b (InputLayer)                  [(None, 4)]          0                                            
__________________________________________________________________________________________________
concatenate (Concatenate)       (None, 12)           0           dense_1[0][0]                    
                                                                 b[0][0]                          
__________________________________________________________________________________________________
out (Dense)                     (None, 1)            13          concatenate[0][0]                
==================================================================================================
Total params: 69
Trainable params: 69
Non-trainable params: 0
__________________________________________________________________________________________________"""


def _cells(lines):
    """(first column, rest of the cells) of each table row of a summary, any layout."""
    rows = []
    for line in lines:
        if line.startswith(("Model:", "_", "=", "Total", "Trainable", "Non-trainable")) or \
                not line.strip() or "Layer (type)" in line:
            continue
        cells = line.replace("'", "").replace(",", " ").split()
        # TF 2.x prints connections as a Python list: ['a[0][0]'] / ['dense_1[0][0]', ...]
        cells = [c[1:] if c.startswith("[") and c.count("[") == 3 else c for c in cells]
        cells = [c[:-1] if c.endswith("]]") else c for c in cells if c != "[]"]
        rows.append(cells)
    return rows


def _totals(lines):
    return [line.split("(")[0].replace(",", "").strip() for line in lines
            if line.startswith(("Total", "Trainable", "Non-trainable"))]


def test_summary_text():
    tf.keras.backend.clear_session()
    got = cases.summaries(tf)
    assert "\n".join(got["sequential"]) == SEQUENTIAL
    assert "\n".join(got["functional"]) == FUNCTIONAL
    for name in ("sequential", "functional"):
        want = PLAIN["summaries"][name]
        assert _cells(got[name]) == _cells(want), name
        assert _totals(got[name]) == _totals(want), name


def test_summary_print_fn_default_prints(capsys):
    tf.keras.backend.clear_session()
    with tf.Graph().as_default():
        model = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(3,))])
        model.summary()
    out = capsys.readouterr().out
    assert out.splitlines()[0] == 'Model: "sequential"'
    assert "dense (Dense)                (None, 2)                 8" in out


def test_fit_on_a_dataset_of_unknown_length_learns_it_in_the_first_epoch(capsys):
    """TF's fit loop: when the dataset runs out, its length becomes the progress bar's target,
    already for the first epoch's last line."""
    tf.keras.backend.clear_session()
    x, y = cases._data(n=40)
    with tf.Graph().as_default():
        model = cases._mlp(tf.keras)
        model.compile("sgd", "sparse_categorical_crossentropy")
        data = tf.data.Dataset.from_tensor_slices((x, y)).batch(10)
        data = data.filter(lambda a, b: tf.size(b) > 0)  # a length TF cannot know beforehand
        model.fit(data, epochs=2, verbose=1)
    lines = [line.strip() for line in capsys.readouterr().out.replace("\r", "\n").splitlines()]
    epoch_2 = lines.index("Epoch 2/2")
    first, second = lines[:epoch_2], lines[epoch_2:]
    assert any(line.startswith("1/Unknown") for line in first)
    assert first[-1].startswith("4/4 [")
    assert [line[:5] for line in second if line[:1].isdigit()] == ["1/4 [", "4/4 ["]


def test_predict_batches_and_dtypes():
    tf.keras.backend.clear_session()
    x, y = cases._data(n=37)
    with tf.Graph().as_default():
        model = cases._mlp(tf.keras)
        out = model.predict(x, batch_size=10)
        assert out.shape == (37, 3) and out.dtype == np.float32
        np.testing.assert_allclose(out.sum(1), 1., rtol=1e-5)
        np.testing.assert_allclose(model.predict_on_batch(x[:5]), out[:5], rtol=1e-6)


def test_fit_on_input_and_target_tensors_without_arrays():
    """Input(tensor=) and compile(target_tensors=): fit(steps_per_epoch=) feeds nothing (the
    keras mnist_dataset_api example); TF 2.15's compat.v1 Keras gives the same loss 73.93 and
    weights, and the same error without steps_per_epoch."""
    tf.keras.backend.clear_session()
    x = tf.constant([[1., 2.], [3., 4.]])
    y = tf.constant([[1.], [0.]])
    inp = tf.keras.layers.Input(tensor=x)
    out = tf.keras.layers.Dense(1, kernel_initializer="ones")(inp)
    model = tf.keras.models.Model(inp, out)
    model.compile(tf.keras.optimizers.SGD(0.1), "mse", target_tensors=[y])
    history = model.fit(epochs=1, steps_per_epoch=2, verbose=0)
    np.testing.assert_allclose(history.history["loss"], [73.93], rtol=1e-5)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel.ravel(), [3.54, 4.76], rtol=1e-5)
    np.testing.assert_allclose(bias, [1.22], rtol=1e-5)
    with pytest.raises(ValueError, match="specify the `steps_per_epoch` argument"):
        model.fit(epochs=1, verbose=0)


def test_fit_takes_a_plain_list_of_numbers_as_its_one_input():
    with tf.Graph().as_default():
        model = tf.keras.models.Sequential([tf.keras.layers.Dense(1, input_shape=[1])])
        model.compile(optimizer="adam", loss=tf.keras.losses.MSE)
        history = model.fit([0.5 * i for i in range(20)], [float(i) for i in range(20)],
                            epochs=2, verbose=0)
        assert len(history.history["loss"]) == 2
        assert model.predict([1.0, 2.0]).shape == (2, 1)
