"""Every core Keras layer against TensorFlow's compat.v1 Keras: outputs on fixed inputs with
fixed weights, weight names and shapes, static output shapes, layer names, parameter counts
(tests/fixtures/keras_cases.py, make_keras_reference.py)."""
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
