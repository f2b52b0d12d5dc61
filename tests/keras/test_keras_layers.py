"""Every core Keras layer against TensorFlow's compat.v1 Keras: outputs on fixed inputs with
fixed weights, weight names and shapes, static output shapes, layer names, parameter counts
(tests/fixtures/keras_cases.py, make_keras_reference.py)."""
import numpy as np
import pytest

import tensorweave as tf
from keras_reference import assert_matches, cases


# tf.keras.backend.resize_images (K2's backend_nn.py) resizes bilinearly with resize_bilinear
# (corner-aligned grid); TF 1.15's backend uses resize_images_v2 (half-pixel centers).
KNOWN = {"up_sampling2d_bilinear": "backend.resize_images bilinear is not TF 1.15's "
                                   "resize_images_v2"}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(
    reason=KNOWN[n], strict=True)) if n in KNOWN else n for n in sorted(cases.LAYER_CASES)])
def test_layer_matches_tensorflow(name):
    tf.keras.backend.clear_session()
    assert_matches(cases.run_layer_case(tf, name), f"layers/{name}", rtol=1e-5, atol=1e-6)


def test_gelu_exact_and_approximate_are_tensorflows():
    """Values from TF 2.15's tf.keras.activations.gelu on linspace(-4, 4, 9)."""
    x = np.linspace(-4, 4, 9).astype(np.float32)
    exact = [-0.00012648106, -0.0040496886, -0.0455002785, -0.158655253, 0.0, 0.841344714,
             1.95449972, 2.99595022, 3.99987364]
    approximate = [-7.04526901e-05, -0.00363752246, -0.0454022288, -0.158807963, 0.0,
                   0.841192007, 1.95459771, 2.99636269, 3.99992943]
    with tf.Session() as sess:
        ours = sess.run([tf.keras.activations.gelu(tf.constant(x)),
                         tf.keras.activations.get("gelu")(tf.constant(x), approximate=True)])
    np.testing.assert_allclose(ours[0], exact, rtol=1e-5, atol=1e-6)  # 1 + erf in float32
    np.testing.assert_allclose(ours[1], approximate, rtol=1e-5, atol=1e-6)


def test_reshape_takes_tf1_dimensions():
    x = tf.keras.Input((4, 6))
    out = tf.keras.layers.Reshape((x.shape[-1], x.shape[1]))(x)
    assert out.shape.as_list() == [None, 6, 4]
