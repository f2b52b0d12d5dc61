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
