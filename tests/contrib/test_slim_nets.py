"""tf.contrib.slim.nets against TF-slim in real TensorFlow (tests/fixtures/
make_slim_nets_reference.py): every variable's name and shape, the end points, the update and
regularization ops of the published networks (so their checkpoints restore), and the numbers
of small ResNets v1 and v2 and a small Inception V2 given the same weights."""
import json
import pathlib
import sys

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib.slim.nets import inception, inception_v2, resnet_v1, resnet_v2

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(FIXTURES))
import slim_nets_cases  # noqa: E402

STRUCTURE = json.loads((FIXTURES / "slim_nets_reference.json").read_text())
ARRAYS = np.load(FIXTURES / "slim_nets_reference.npz")
slim = tf.contrib.slim
NETS = slim_nets_cases.nets("tensorweave.contrib.slim.nets")


@pytest.mark.parametrize("name", sorted(NETS))
def test_variables_and_end_points_are_tf_slims(name):
    build, arg_scope, kwargs = NETS[name]
    want = STRUCTURE[name]
    with tf.Graph().as_default():
        size = slim_nets_cases.image_size(name)
        images = tf.placeholder(tf.float32, [2, size, size, 3])
        with slim.arg_scope(arg_scope()):
            net, end_points = build(images, is_training=False, **kwargs)
        assert net.shape.as_list() == want["output"]
        assert [[v.op.name, v.shape.as_list()] for v in tf.global_variables()] == \
            want["variables"]
        assert [[k, v.shape.as_list()] for k, v in end_points.items()] == want["end_points"]
        assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == want["update_ops"]
        assert len(tf.losses.get_regularization_losses()) == want["regularization_losses"]


@pytest.mark.parametrize("version,module", [("v1", resnet_v1), ("v2", resnet_v2)])
def test_small_resnet_gives_tf_slims_numbers(version, module):
    block = getattr(module, f"resnet_{version}_block")
    with tf.Graph().as_default():
        blocks = [block("block1", base_depth=2, num_units=2, stride=2),
                  block("block2", base_depth=4, num_units=2, stride=1)]
        with slim.arg_scope(module.resnet_arg_scope()):
            logits, end_points = getattr(module, f"resnet_{version}")(
                tf.constant(ARRAYS["images"]), blocks, num_classes=5, is_training=False,
                scope=f"small_{version}")
        with tf.Session() as sess:
            sess.run([v.assign(ARRAYS[f"{version}/{v.op.name}"]) for v in tf.global_variables()])
            got, block1 = sess.run([logits, end_points[f"small_{version}/block1"]])
    np.testing.assert_allclose(block1, ARRAYS[f"{version}/block1"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got, ARRAYS[f"{version}/logits"], rtol=1e-4, atol=1e-5)


def test_small_inception_v2_gives_tf_slims_numbers():
    with tf.Graph().as_default():
        with slim.arg_scope(inception_v2.inception_v2_arg_scope()):
            logits, end_points = inception.inception_v2(
                tf.constant(ARRAYS["images_64"]), num_classes=5, is_training=False,
                depth_multiplier=0.25, min_depth=8)
        with tf.Session() as sess:
            sess.run([v.assign(ARRAYS[f"inception_v2/{v.op.name}"])
                      for v in tf.global_variables()])
            got, mixed_4a = sess.run([logits, end_points["Mixed_4a"]])
    np.testing.assert_allclose(mixed_4a, ARRAYS["inception_v2/Mixed_4a"], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got, ARRAYS["inception_v2/logits"], rtol=1e-4, atol=1e-4)


def test_inception_v2_refuses_a_depth_multiplier_of_zero():
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [1, 224, 224, 3])
        with pytest.raises(ValueError, match="depth_multiplier is not greater than zero"):
            inception_v2.inception_v2(images, depth_multiplier=0)
        assert not tf.global_variables()
        with pytest.raises(ValueError, match="Unknown final endpoint Mixed_9z"):
            inception_v2.inception_v2_base(images, final_endpoint="Mixed_9z")


def test_output_stride():
    with tf.Graph().as_default():
        images = tf.placeholder(tf.float32, [1, 64, 64, 3])
        with slim.arg_scope(resnet_v1.resnet_arg_scope()):
            net, _ = resnet_v1.resnet_v1_50(images, output_stride=8, global_pool=False)
        assert net.shape.as_list() == [1, 8, 8, 2048]
        with pytest.raises(ValueError, match="multiple of 4"):
            resnet_v1.resnet_v1_50(images, output_stride=6, scope="again")
