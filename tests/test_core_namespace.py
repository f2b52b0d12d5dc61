"""The smaller top-level names of TF 1.15 and the small namespaces (tf.config, tf.nest,
tf.resource_loader, tf.version, tf.dtypes, tf.initializers), as TF documents them."""
import os

import numpy as np
import pytest

import tensorweave as tf


def test_version_names():
    assert tf.version.VERSION == tf.VERSION and tf.VERSION.startswith("1.15")
    assert tf.version.GIT_VERSION == tf.GIT_VERSION
    assert tf.GRAPH_DEF_VERSION == tf.version.GRAPH_DEF_VERSION == 134
    assert tf.GRAPH_DEF_VERSION_MIN_CONSUMER == 0 and tf.MONOLITHIC_BUILD == 0


def test_dtypes_namespace_and_the_types_without_kernels():
    assert tf.dtypes.float32 is tf.float32 and tf.dtypes.as_dtype("half") is tf.float16
    assert tf.dtypes.cast is tf.cast
    assert tf.qint8.is_quantized and not tf.float32.is_quantized
    assert tf.qint8 in tf.QUANTIZED_DTYPES and tf.bfloat16.is_floating
    assert tf.as_dtype("bfloat16") is tf.bfloat16 and tf.bfloat16.as_datatype_enum == 14
    assert tf.complex64.real_dtype is tf.float32 and tf.float64.real_dtype is tf.float64
    with pytest.raises(TypeError):
        tf.bfloat16.max  # noqa: B018 - the property raises


def test_device_spec_strings_as_tf():
    spec = tf.DeviceSpec(job="ps", task=1, device_type="cpu", device_index=0)
    assert spec.to_string() == "/job:ps/task:1/device:CPU:0"
    parsed = tf.DeviceSpec.from_string("/job:worker/replica:0/task:3/device:GPU:1")
    assert parsed.to_string() == "/job:worker/replica:0/task:3/device:GPU:1"
    assert tf.DeviceSpec.from_string("/cpu:0").to_string() == "/device:CPU:0"
    assert tf.DeviceSpec(device_type="GPU").to_string() == "/device:GPU:*"
    merged = spec.make_merged_spec(tf.DeviceSpec(task=4))
    assert merged.to_string() == "/job:ps/task:4/device:CPU:0" and spec.task == 1


def test_v2_switches_keep_graph_mode():
    tf.disable_v2_behavior()
    tf.disable_eager_execution()
    assert not tf.executing_eagerly() and not tf.executing_eagerly_outside_functions()
    for switch in (tf.enable_eager_execution, tf.enable_v2_behavior, tf.enable_tensor_equality,
                   tf.enable_v2_tensorshape):
        with pytest.raises(NotImplementedError, match=switch.__name__):
            switch()
    tf.enable_resource_variables()
    assert tf.resource_variables_enabled()
    tf.disable_resource_variables()
    assert not tf.resource_variables_enabled()


def test_tensor_util_round_trip_and_static_values():
    pytest.importorskip("tensorboard")
    proto = tf.make_tensor_proto([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(tf.make_ndarray(proto), [[1, 2], [3, 4]])
    assert tf.make_ndarray(tf.make_tensor_proto(7, shape=[2, 2])).tolist() == [[7, 7], [7, 7]]
    with pytest.raises(ValueError):
        tf.make_tensor_proto([1, 2, 3], shape=[2])
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        assert tf.get_static_value(tf.shape(tf.zeros([2, 4]))).tolist() == [2, 4]
        assert tf.get_static_value(x) is None
        assert tf.is_tensor(x) and not tf.is_tensor(np.zeros(2))
        assert tf.dimension_at_index(x.shape, 1).value == 3
        sparse = tf.convert_to_tensor_or_sparse_tensor(tf.SparseTensorValue([[0]], [1.0], [2]))
        assert isinstance(sparse, tf.SparseTensor)


def test_register_tensor_conversion_function():
    class Meters:
        def __init__(self, value):
            self.value = value

    tf.register_tensor_conversion_function(
        Meters, lambda v, dtype=None, name=None, as_ref=False: tf.constant(v.value, dtype))
    with tf.Graph().as_default(), tf.Session() as sess:
        assert sess.run(tf.add(Meters(2.0), 1.0)) == 3.0
    with pytest.raises(TypeError):
        tf.register_tensor_conversion_function(float, lambda *a, **k: None)


def test_partitioners_cut_as_tf():
    # The expected lists are what TF 2.15's compat.v1 partitioners return for these shapes.
    shapes = [((1000, 64), tf.float32), ((10, 3), tf.float64), ((7, 2), tf.string),
              ((2, 5), tf.float32)]
    expected = {
        "fixed4": [[4, 1], [4, 1], [4, 1], [2, 1]],
        "fixed4_axis1": [[1, 4], [1, 3], [1, 2], [1, 4]],
        "axis_size": [[334, 1], [1, 1], [1, 1], [1, 1]],
        "axis_size_max3": [[3, 1], [1, 1], [1, 1], [1, 1]],
        "min_max": [[8, 1], [1, 1], [1, 1], [1, 1]],
        "min_max_small": [[3, 1], [3, 1], [3, 1], [2, 1]],
    }
    partitioners = {
        "fixed4": tf.fixed_size_partitioner(4),
        "fixed4_axis1": tf.fixed_size_partitioner(4, axis=1),
        "axis_size": tf.variable_axis_size_partitioner(1000),
        "axis_size_max3": tf.variable_axis_size_partitioner(1000, max_shards=3),
        "min_max": tf.min_max_variable_partitioner(8, min_slice_size=1000),
        "min_max_small": tf.min_max_variable_partitioner(3, min_slice_size=10),
    }
    for key, partitioner in partitioners.items():
        got = [partitioner(shape=tf.TensorShape(s), dtype=d) for s, d in shapes]
        assert got == expected[key], key


def test_initializers_namespace():
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        ortho = tf.get_variable("o", [6, 4], initializer=tf.initializers.orthogonal(gain=2.0))
        wide = tf.get_variable("w", [3, 5], initializer=tf.orthogonal_initializer())
        eye = tf.get_variable("e", [2, 3], initializer=tf.initializers.identity(gain=3.0))
        unit = tf.get_variable("u", [50, 20],
                               initializer=tf.uniform_unit_scaling_initializer(factor=1.5))
        with tf.Session() as sess:
            sess.run(tf.initializers.global_variables())
            o, w, e, u = sess.run([ortho, wide, eye, unit])
    np.testing.assert_allclose(o.T @ o, 4 * np.eye(4), atol=1e-5)
    np.testing.assert_allclose(w @ w.T, np.eye(3), atol=1e-5)
    np.testing.assert_array_equal(e, 3 * np.eye(2, 3))
    limit = 1.5 * np.sqrt(3 / 50)
    assert np.abs(u).max() <= limit and np.abs(u).max() > 0.9 * limit
    assert tf.initializers.zeros is tf.zeros_initializer
    he = tf.initializers.he_normal()
    assert (he.scale, he.mode, he.distribution) == (2.0, "fan_in", "truncated_normal")


def test_get_local_variable_and_table_initializer():
    with tf.Graph().as_default():
        v = tf.get_local_variable("counter", [], initializer=tf.zeros_initializer())
        assert v in tf.local_variables() and v not in tf.global_variables()
        assert v not in tf.trainable_variables()
        assert tf.tables_initializer().type == "NoOp"
        with tf.colocate_with(v), tf.container("experiment"):
            w = v + 1
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            assert sess.run(w) == 1.0
        assert tf.no_regularizer(v) is None


def test_config_namespace():
    cpu, = tf.config.list_physical_devices()
    assert cpu.device_type == "CPU" and cpu.name == "/physical_device:CPU:0"
    assert tf.config.list_physical_devices("GPU") == []
    assert [d.name for d in tf.config.list_logical_devices()] == ["/device:CPU:0"]
    assert tf.config.get_logical_device_configuration(cpu) is None
    tf.config.threading.set_intra_op_parallelism_threads(2)
    assert tf.config.threading.get_intra_op_parallelism_threads() == 2
    tf.config.threading.set_intra_op_parallelism_threads(0)
    with pytest.raises(ValueError):
        tf.config.set_visible_devices([])


def test_nest_and_resource_loader(tmp_path):
    assert tf.nest.flatten({"b": 1, "a": [2, 3]}) == [2, 3, 1]
    assert tf.nest.is_nested([1]) and not tf.nest.is_nested(1)
    assert tf.nest.map_structure(lambda x: x * 2, (1, [2])) == (2, [4])
    here = os.path.dirname(os.path.abspath(__file__))
    assert tf.resource_loader.get_data_files_path() == here
    assert tf.resource_loader.get_path_to_datafile("x.txt") == os.path.join(here, "x.txt")
    assert tf.resource_loader.load_resource(os.path.basename(__file__)).startswith(b'"""')


def test_protos_are_tensorflow_messages():
    pytest.importorskip("tensorboard")
    graph_def = tf.GraphDef()
    graph_def.node.add(name="a", op="Const")
    assert tf.GraphDef.FromString(graph_def.SerializeToString()).node[0].name == "a"
    summary = tf.Summary(value=[tf.Summary.Value(tag="loss", simple_value=0.5)])
    assert isinstance(tf.Event(summary=summary).summary, tf.Summary)
    node = tf.NodeDef(name="x", op="Identity", input=["a"])
    assert tf.NodeDef.FromString(node.SerializeToString()) == node


def test_tf_decorator_through_flags():
    decorator = tf.flags.tf_decorator

    def target(a, b=2):
        """Adds."""
        return a + b

    def wrapper(*args, **kwargs):
        return target(*args, **kwargs) * 10
    wrapped = decorator.make_decorator(target, wrapper, "times_ten")
    assert wrapped(1) == 30 and wrapped.__name__ == "target" and wrapped.__doc__ == "Adds."
    decorators, inner = decorator.unwrap(wrapped)
    assert inner is target and [d.decorator_name for d in decorators] == ["times_ten"]
    assert tf.app.flags.tf_decorator is decorator
    import inspect
    signature = decorator.fullargspec_to_signature(inspect.getfullargspec(target))
    assert str(signature) == "(a, b=2)"


def test_xla_jit_setting_is_accepted():
    """TF's mnist_softmax_xla sets the global JIT level; tensorweave records it."""
    config = tf.ConfigProto()
    config.graph_options.optimizer_options.global_jit_level = tf.OptimizerOptions.ON_1
    assert config.graph_options.optimizer_options.global_jit_level == 1
    with tf.Graph().as_default(), tf.Session(config=config) as sess:
        assert sess.run(tf.constant(1) + 1) == 2


def test_saturate_cast_clips_to_the_target_range():
    with tf.Graph().as_default(), tf.Session() as sess:
        clipped = tf.saturate_cast([300.0, -5.0, 1.5], tf.uint8)
        assert clipped.dtype == tf.uint8
        assert sess.run(clipped).tolist() == [255, 0, 1]
        assert sess.run(tf.dtypes.saturate_cast([70000], tf.int16)).tolist() == [32767]


def test_lists_holding_tensors_are_packed_where_tf_converts_arguments():
    with tf.Graph().as_default():
        n = tf.placeholder(tf.int32, [])
        filled = tf.fill([n + 1, 2], 0.5)
        x = tf.constant(1.0)
        stopped = tf.stop_gradient([x, 2.0])
        nested = tf.convert_to_tensor([[x, 1.0], [2.0, x]])
        assert nested.shape.as_list() == [2, 2] and nested.dtype == tf.float32
        assert tf.convert_to_tensor([1, 2]).op.type == "Const"
        with tf.Session() as sess:
            assert sess.run(filled, {n: 2}).shape == (3, 2)
            assert sess.run(stopped).tolist() == [1.0, 2.0]
            assert sess.run(nested).tolist() == [[1.0, 1.0], [2.0, 1.0]]


def test_softmax_cross_entropy_casts_labels_to_the_logits_type():
    with tf.Graph().as_default(), tf.Session() as sess:
        loss = tf.nn.softmax_cross_entropy_with_logits(
            labels=np.eye(3)[[0, 2]], logits=tf.constant([[1.0, 2, 3], [1, 0, 0]]))
        assert loss.dtype == tf.float32
        np.testing.assert_allclose(sess.run(loss), [2.407606, 1.5514446], rtol=1e-6)  # TF's
