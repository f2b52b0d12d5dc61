"""Op table rows of op types that graphs written by TensorFlow use (issue 22): L2Loss,
Relu6Grad, FusedBatchNormV3 and the sharded Saver's ShardedFilename, ShardedFilespec and
MergeV2Checkpoints (see test_op_table.py)."""
import os
import tempfile

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core import errors
from tensorweave.core.graph import create_op
from tensorweave.lib import tensor_bundle

from op_case import Case, pos, rand


def _bn_v3(x, scale, offset, mean=None, variance=None, is_training=True, factor=1.0):
    empty = np.zeros(0, dtype=x.dtype.as_numpy_dtype)
    mean = tf.constant(empty) if mean is None else mean
    variance = tf.constant(empty) if variance is None else variance
    return create_op("FusedBatchNormV3", [x, scale, offset, mean, variance], epsilon=1e-3,
                     data_format="NHWC", is_training=is_training,
                     exponential_avg_factor=factor)


def _bn_ref(x, scale, offset, eps=1e-3):
    mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    n = x.size // len(mean)
    y = (x - mean) / np.sqrt(var + eps) * scale + offset
    return y, mean, var * n / (n - 1), mean, var, np.zeros(0)


def _bn_factor_ref(x, scale, offset, mean0, var0, f=0.25):
    y, mean, population, saved_mean, saved_var, r3 = _bn_ref(x, scale, offset)
    return (y, (1 - f) * mean0 + f * mean, (1 - f) * var0 + f * population, saved_mean,
            saved_var, r3)


# Relu6Grad's features away from the kinks at 0 and 6
_RELU6_FEATURES = np.array([[-1.0, 0.5, 3.0], [5.5, 6.5, 2.0]])
_BN_X, _BN_SCALE, _BN_OFFSET = rand(2, 2, 2, 3), pos(3), rand(3)

CASES = [
    Case("L2Loss", [rand(3, 4)], lambda t: np.sum(t * t) / 2),
    Case("Relu6Grad", [rand(2, 3), _RELU6_FEATURES],
         lambda dy, x: dy * ((x > 0) & (x < 6)), wrt=(0,)),
    Case("FusedBatchNormV3", [_BN_X, _BN_SCALE, _BN_OFFSET], _bn_ref,
         build=lambda *ts: _bn_v3(*ts), wrt=(), tag="all_outputs"),
    Case("FusedBatchNormV3", [_BN_X, _BN_SCALE, _BN_OFFSET],
         lambda x, scale, offset: _bn_ref(x, scale, offset)[0],
         build=lambda *ts: [_bn_v3(*ts).outputs[0]]),
    Case("FusedBatchNormV3", [_BN_X, _BN_SCALE, _BN_OFFSET, rand(3), pos(3)], _bn_factor_ref,
         build=lambda x, s, o, m, v: _bn_v3(x, s, o, m, v, factor=0.25), wrt=(),
         tag="moving_average"),
    Case("FusedBatchNormV3", [_BN_X, _BN_SCALE, _BN_OFFSET, pos(3) - 1, pos(3)],
         lambda x, scale, offset, mean, var: (x - mean) / np.sqrt(var + 1e-3) * scale + offset,
         build=lambda x, s, o, m, v: [_bn_v3(x, s, o, m, v, is_training=False).outputs[0]],
         wrt=(0, 1, 2), tag="inference"),
    Case("ShardedFilename", [np.array(b"/tmp/ckpt_temp/part", dtype=object),
                             np.array(3, np.int32), np.array(12, np.int32)],
         lambda b, s, n: np.array(b"/tmp/ckpt_temp/part-00003-of-00012", dtype=object)),
    Case("ShardedFilespec", [np.array(b"model", dtype=object), np.array(2, np.int32)],
         lambda b, n: np.array(b"model-?????-of-00002", dtype=object)),
]


def _check_merge_v2_checkpoints():
    with tempfile.TemporaryDirectory() as root:
        parts = [os.path.join(root, "model_temp", f"part-{i:05d}-of-00002") for i in range(2)]
        os.makedirs(os.path.dirname(parts[0]))
        tensor_bundle.write_bundle(parts[0], {"a": np.arange(3.0)})
        tensor_bundle.write_bundle(parts[1], {"b": np.array([[1, 2]], np.int32)})
        destination = os.path.join(root, "model")
        with tf.Graph().as_default(), tf.Session() as sess:
            merge = create_op("MergeV2Checkpoints", [tf.constant(parts), tf.constant(destination)],
                              delete_old_dirs=True)
            sess.run(merge)
            with tensor_bundle.BundleReader(destination) as reader:
                assert reader.keys() == ["a", "b"]
                np.testing.assert_array_equal(reader.read("a"), np.arange(3.0))
                np.testing.assert_array_equal(reader.read("b"), [[1, 2]])
            assert not os.path.exists(os.path.dirname(parts[0]))  # parts and their dir gone
            missing = create_op("MergeV2Checkpoints",
                                [tf.constant([os.path.join(root, "nothing")]),
                                 tf.constant(destination + "2")])
            with pytest.raises((errors.NotFoundError, errors.DataLossError, OSError)):
                sess.run(missing)
            with pytest.raises(TypeError, match="MergeV2Checkpoints requires a string"):
                create_op("MergeV2Checkpoints", [tf.constant([1]), tf.constant(destination)])


SESSION_CASES = {"MergeV2Checkpoints": _check_merge_v2_checkpoints}
