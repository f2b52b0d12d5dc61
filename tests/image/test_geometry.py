"""tf.image geometry against TensorFlow's numbers: resizing (TF 1.x pixel mapping),
cropping and padding, crop_and_resize, glimpses, patches, flips, rotations, gradients."""
import numpy as np
import pytest

import tensorweave as tf

import tf_reference

_PREFIXES = ("resize", "crop", "central", "pad", "glimpse", "flip", "transpose", "rot90",
             "extract", "grad")


@pytest.mark.parametrize("name", [n for p in _PREFIXES for n in tf_reference.names(p)])
def test_against_tensorflow(name):
    tf_reference.check(name)
