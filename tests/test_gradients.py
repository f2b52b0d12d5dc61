"""Behaviour of tf.gradients and tf.hessians on small programs with known derivatives."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core import registry
from tensorweave.core.graph import create_op


def _run(fetches, feed_dict=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)


def test_gradient_of_a_polynomial():
    x = tf.constant([1.0, 2.0, 3.0])
    y = x * x + 3.0 * x  # dy/dx = 2x + 3
    (grad,) = tf.gradients(y, x)
    assert isinstance(grad, tf.Tensor)
    assert grad.shape.as_list() == [3]
    assert grad.name.startswith("gradients/")
    np.testing.assert_allclose(_run(grad), [5.0, 7.0, 9.0])


def test_gradients_accepts_lists_and_sums_over_ys():
    x = tf.constant(2.0)
    y1 = x * x
    y2 = 3.0 * x
    grads = tf.gradients([y1, y2], [x])
    assert isinstance(grads, list) and len(grads) == 1
    assert _run(grads[0]) == 7.0


def test_unconnected_xs_get_none():
    x = tf.constant(1.0)
    unrelated = tf.constant(2.0)
    y = x * 2.0
    grads = tf.gradients(y, [x, unrelated])
    assert grads[1] is None
    zero = tf.gradients(y, unrelated, unconnected_gradients="zero")[0]
    assert _run(zero) == 0.0


def test_tensor_used_twice_sums_its_gradients():
    x = tf.constant(3.0)
    a = tf.identity(x)
    y = a * a + a  # a feeds three uses: dy/dx = 2x + 1
    assert _run(tf.gradients(y, x)[0]) == 7.0


def test_given_grad_ys_become_identities_in_the_gradients_scope_as_tf():
    # TF's _DefaultGradYs: a grad_ys entry is converted (`grad_y_<i>`), then wrapped in an
    # Identity `grad_ys_<i>`; a gradient that is grad_ys itself is named so
    w1 = tf.get_variable("gy_w1", shape=[2])
    w3 = tf.get_variable("gy_w3", shape=[2])
    y3 = tf.stop_gradient(w1 * 2.0) + w3
    grads = tf.gradients(y3, [w1, w3], grad_ys=tf.convert_to_tensor([1.0, 2.0]))
    assert grads[0] is None
    assert grads[1].name == "gradients/grad_ys_0:0" and grads[1].op.type == "Identity"
    pair = tf.gradients([y3, w1 * 2.0], [w3, w1], grad_ys=[tf.constant([1.0, 2.0]), [3.0, 4.0]])
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("gradients_1/grad_y_1").type == "Const"
    assert graph.get_operation_by_name("gradients_1/grad_ys_1").type == "Identity"
    values = _run(pair)
    np.testing.assert_allclose(values[0], [1.0, 2.0])
    np.testing.assert_allclose(values[1], [6.0, 8.0])


def test_grad_ys_weights_the_output_gradient():
    x = tf.constant([1.0, 2.0])
    y = x * x
    (grad,) = tf.gradients(y, x, grad_ys=tf.constant([1.0, 10.0]))
    np.testing.assert_allclose(_run(grad), [2.0, 40.0])
    (grad_list,) = tf.gradients([y], [x], grad_ys=[[3.0, 3.0]])
    np.testing.assert_allclose(_run(grad_list), [6.0, 12.0])


def test_stop_gradients_treats_tensors_as_constants():
    a = tf.constant(2.0)
    b = a * 3.0
    c = b + a
    assert _run(tf.gradients(c, a)[0]) == 4.0
    assert _run(tf.gradients(c, a, stop_gradients=[b])[0]) == 1.0
    assert _run(tf.gradients(tf.stop_gradient(b) + a, a)[0]) == 1.0


def test_gradients_through_matmul_and_reductions_match_numpy():
    rng = np.random.RandomState(0)
    xv = rng.randn(4, 3).astype(np.float32)
    wv = rng.randn(3, 2).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(wv)
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w)))
    (gw,) = tf.gradients(loss, [w])
    expected = 2.0 * xv.T @ (xv @ wv) / (4 * 2)
    np.testing.assert_allclose(_run(gw, {x: xv}), expected, rtol=1e-5)


def test_gradients_through_variables_train_a_step():
    w = tf.Variable([1.0, 2.0], name="w")
    loss = tf.reduce_sum(w * w)
    (grad,) = tf.gradients(loss, w)
    step = tf.assign_sub(w, 0.25 * grad)
    with tf.Session() as sess:
        sess.run(w.initializer)
        np.testing.assert_allclose(sess.run(grad), [2.0, 4.0])
        sess.run(step)
        np.testing.assert_allclose(sess.run(w), [0.5, 1.0])


def test_gradient_wrt_variable_value_tensor_equals_gradient_wrt_variable():
    w = tf.Variable(3.0)
    y = w * w
    by_variable, by_value = tf.gradients(y, [w, w.value()])
    assert _run(by_variable) == 6.0
    assert _run(by_value) == 6.0


def test_second_order_gradient():
    x = tf.constant([1.0, 2.0])
    y = tf.reduce_sum(x * x * x)  # dy/dx = 3x^2, d2y/dx2 = 6x
    (first,) = tf.gradients(y, x)
    (second,) = tf.gradients(first, x)
    np.testing.assert_allclose(_run(first), [3.0, 12.0])
    np.testing.assert_allclose(_run(second), [6.0, 12.0])


def test_hessians():
    x = tf.constant([1.0, 2.0])
    y = tf.reduce_sum(x * x * x) + x[0] * x[1]
    (hessian,) = tf.hessians(y, x)
    assert hessian.shape.as_list() == [2, 2]
    np.testing.assert_allclose(_run(hessian), [[6.0, 1.0], [1.0, 12.0]])


def test_hessian_of_a_matrix_variable():
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    y = tf.reduce_sum(tf.square(w))
    (hessian,) = tf.hessians(y, w)
    assert hessian.shape.as_list() == [2, 2, 2, 2]
    np.testing.assert_allclose(_run(hessian).reshape(4, 4), 2.0 * np.eye(4))


def _identity_shape(x):
    return [(x.dtype, x.shape)]


def _identity_kernel(x):
    return x


registry.register_op("TestOpWithoutGradient", shape=_identity_shape, kernel=_identity_kernel,
                     grad=None)
registry.register_op("TestOpNotDifferentiable", shape=_identity_shape, kernel=_identity_kernel,
                     grad=registry.NOT_DIFFERENTIABLE)


def test_missing_gradient_raises_lookup_error_naming_the_op_type():
    x = tf.constant([1.0, 2.0])
    y = create_op("TestOpWithoutGradient", [x * 2.0], name="opaque").outputs[0]
    assert np.array_equal(_run(y), [2.0, 4.0])  # runs fine; only differentiation fails
    with pytest.raises(LookupError, match="TestOpWithoutGradient"):
        tf.gradients(tf.reduce_sum(y), x)


def test_not_differentiable_op_stops_gradients_quietly():
    x = tf.constant(1.0)
    y = create_op("TestOpNotDifferentiable", [x], name="blocked").outputs[0]
    assert tf.gradients(y * 2.0, x) == [None]
    assert _run(tf.gradients(y * 2.0 + x, x)[0]) == 1.0


def test_gradient_ops_are_ordinary_graph_ops():
    x = tf.placeholder(tf.float32, [None])
    (grad,) = tf.gradients(tf.reduce_sum(x * x), x)
    assert grad.graph is tf.get_default_graph()
    assert grad.op in tf.get_default_graph().get_operations()
    np.testing.assert_allclose(_run(grad, {x: [1.0, -2.0, 0.5]}), [2.0, -4.0, 1.0])


# --- gradient_override_map and gradients registered from Python ----------------------------
# Numbers and messages as TF 1.x gives them (checked against TensorFlow).
@tf.RegisterGradient("TestGradPassThrough")
def _pass_through_gradient(op, grad):
    return grad  # one gradient for a one-input op may be returned bare


@tf.RegisterGradient("TestGradTimesTenFirstInput")
def _times_ten_first_input(op, grad):
    return grad * 10.0, None


def test_gradient_override_map_uses_the_registered_gradient():
    x = tf.constant(2.0)
    graph = tf.get_default_graph()
    with graph.gradient_override_map({"Square": "TestGradPassThrough"}):
        overridden = tf.square(x)
    plain = tf.square(x)
    assert overridden.op.get_attr("_gradient_op_type") == b"TestGradPassThrough"
    with pytest.raises(ValueError, match="no attr named '_gradient_op_type'"):
        plain.op.get_attr("_gradient_op_type")
    assert _run(tf.gradients(overridden, x) + tf.gradients(plain, x)) == [1.0, 4.0]


def test_override_to_another_op_types_rule_and_nested_maps():
    x = tf.constant(2.0)
    graph = tf.get_default_graph()
    with graph.gradient_override_map({"Square": "TestGradPassThrough", "Exp": "Identity"}):
        with graph.gradient_override_map({"Square": "Identity"}):
            inner = tf.square(x)
        outer = tf.square(x)
        e = tf.exp(x)
    assert inner.op.get_attr("_gradient_op_type") == b"Identity"
    assert outer.op.get_attr("_gradient_op_type") == b"TestGradPassThrough"
    assert _run(tf.gradients(inner, x) + tf.gradients(e, x)) == [1.0, 1.0]
    with pytest.raises(TypeError, match="mapping strings to strings"):
        with graph.gradient_override_map({"Square": 3}):
            pass


def test_registered_gradient_for_a_two_input_op_and_a_wrong_count():
    a, b = tf.constant(1.0), tf.constant(3.0)
    with tf.get_default_graph().gradient_override_map({"Mul": "TestGradTimesTenFirstInput",
                                                       "Square": "TestGradTimesTenFirstInput"}):
        product = a * b
        square = tf.square(a)
    grad_a, grad_b = tf.gradients(product, [a, b])
    assert grad_b is None and _run(grad_a) == 10.0
    with pytest.raises(ValueError, match="Num gradients 2 generated .* num inputs 1"):
        tf.gradients(square, a)


def test_registering_a_gradient_twice_or_for_a_differentiable_op_type_is_a_key_error():
    with pytest.raises(KeyError, match="Registering two gradient with name 'TestGradPassThrough'"):
        tf.RegisterGradient("TestGradPassThrough")(lambda op, grad: grad)
    with pytest.raises(KeyError, match="Registering two gradient with name 'Square'"):
        tf.RegisterGradient("Square")(lambda op, grad: grad)
    with pytest.raises(TypeError):
        tf.RegisterGradient(3)


def test_override_to_an_unknown_gradient_is_a_lookup_error():
    x = tf.constant(2.0)
    with tf.get_default_graph().gradient_override_map({"Square": "TestGradNobodyRegistered"}):
        y = tf.square(x)
    with pytest.raises(LookupError, match="No gradient defined for operation 'Square'"):
        tf.gradients(y, x)


def test_not_differentiable_and_no_gradient_stop_gradients_quietly():
    tf.NotDifferentiable("TestGradStopHere")
    tf.no_gradient("TestGradStopThere")
    x = tf.constant(2.0)
    graph = tf.get_default_graph()
    with graph.gradient_override_map({"Square": "TestGradStopHere", "Exp": "TestGradStopThere"}):
        y = tf.square(x) + tf.exp(x)
    assert tf.gradients(y, x) == [None]
    assert tf.NoGradient is tf.NotDifferentiable


registry.register_op("TestOpGradientFromPython", shape=_identity_shape,
                     kernel=_identity_kernel, grad=None)


@tf.RegisterGradient("TestOpGradientFromPython")
def _gradient_from_python(op, grad):
    return [grad * 3.0]


def test_registered_gradient_serves_an_op_type_without_a_rule():
    x = tf.constant(2.0)
    y = create_op("TestOpGradientFromPython", [x]).outputs[0]
    assert _run(tf.gradients(y * y, x)) == [12.0]  # 2y * 3


def test_gradient_override_survives_a_graph_def_round_trip():
    pytest.importorskip("tensorboard")
    with tf.Graph().as_default() as graph:
        x = tf.constant(2.0, name="x")
        with graph.gradient_override_map({"Square": "TestGradPassThrough"}):
            tf.square(x, name="y")
    graph_def = graph.as_graph_def()
    node = next(n for n in graph_def.node if n.name == "y")
    assert node.attr["_gradient_op_type"].s == b"TestGradPassThrough"  # as TF writes it
    with tf.Graph().as_default() as imported:
        tf.import_graph_def(graph_def, name="")
        y = imported.get_tensor_by_name("y:0")
        assert y.op.get_attr("_gradient_op_type") == b"TestGradPassThrough"
        assert _run(tf.gradients(y, imported.get_tensor_by_name("x:0"))) == [1.0]


# --- the other arguments of tf.gradients ----------------------------------------------------
def test_stop_gradients_hold_tensors_constant():
    a = tf.constant(0.0)
    b = 2 * a
    assert _run(tf.gradients(a + b, [a, b], stop_gradients=[a, b])) == [1.0, 1.0]
    assert _run(tf.gradients(a + b, [a, b])) == [3.0, 1.0]
    x = tf.constant(3.0)
    y = x * x
    z = y * x
    assert _run(tf.gradients(z, x, stop_gradients=y)) == [9.0]  # a single tensor is accepted
    assert _run(tf.gradients(z, [x, y], stop_gradients=[y])) == [9.0, 3.0]
    assert tf.gradients(z, x, stop_gradients=[z]) == [None]


def test_unconnected_gradients_none_or_zero():
    x = tf.constant(3.0)
    unrelated = tf.placeholder(tf.float32, [None, 2])
    assert tf.gradients(x * 2, [x, unrelated])[1] is None
    zero = tf.gradients(x * 2, [unrelated], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert zero[0].shape.as_list() == [None, 2]
    np.testing.assert_array_equal(_run(zero[0], {unrelated: np.ones([3, 2])}), np.zeros([3, 2]))
    assert _run(tf.gradients(tf.stop_gradient(x) * 2, x, unconnected_gradients="zero")) == [0.0]
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'ones'"):
        tf.gradients(x * 2, x, unconnected_gradients="ones")


def test_aggregation_gating_and_colocation_change_nothing_on_one_cpu():
    x = tf.constant(3.0)
    y = x * x + x
    for method in (tf.AggregationMethod.ADD_N, tf.AggregationMethod.DEFAULT,
                   tf.AggregationMethod.EXPERIMENTAL_TREE,
                   tf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N):
        assert _run(tf.gradients(y, x, aggregation_method=method)) == [7.0]
    assert _run(tf.gradients(y, x, gate_gradients=True, colocate_gradients_with_ops=True)) == [7.0]
    with pytest.raises(ValueError, match="Invalid `aggregation_method` specified 7"):
        tf.gradients(y, x, aggregation_method=7)


def test_broadcast_gradients_of_unknown_shapes_are_named_as_tensorflow_names_them():
    # TF's _MulGrad / _AddGrad end in reshape(reduce_sum(...)): gradients/Mul_grad/Reshape_1
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32)
        w, b = tf.Variable(2.0), tf.Variable(1.0)
        loss = tf.reduce_sum(tf.pow(3.0 - tf.add(tf.multiply(x, w), b), 2))
        gw, gb = tf.gradients(loss, [w, b])
        assert (gw.name, gb.name) == ("gradients/Mul_grad/Reshape_1:0",
                                      "gradients/Add_grad/Reshape_1:0")
        assert gw.op.type == "SumToShape"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run([gw, gb], {x: 2.0}), [8.0, 4.0])
