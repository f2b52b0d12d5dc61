"""tf.image boxes against TensorFlow's numbers: NMS (V1-V5, padded, soft, overlaps, combined),
drawing boxes in TF's colors, sampled distorted boxes (TF's Philox draws); random flips and
crops draw TF's numbers too."""
import numpy as np
import pytest

import tf_reference


@pytest.mark.parametrize("name", tf_reference.names("box_"))
def test_boxes_against_tensorflow(name):
    tf_reference.check(name, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", tf_reference.names("random_"))
def test_seeded_random_ops_draw_tensorflows_numbers(name):
    if name != "random_jpeg_quality":
        tf_reference.check(name, rtol=1e-6, atol=1e-6)
        return
    pytest.importorskip("PIL")  # the same quality drawn; pixels within the IDCT difference
    got, want = tf_reference.run(name)[0], tf_reference.expected(name)[0]
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.abs(got.astype(int) - want.astype(int)).max() <= 4
