"""tf.cond, tf.case, tf.while_loop, tf.TensorArray and map_fn / scan / foldl / foldr: values,
which branch runs, structures, shape rules, errors, and gradients against finite differences.
"""
import collections

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops import control

Pair = collections.namedtuple("Pair", "a b")


def numeric_grad(f, x, eps=1e-6):
    """Central differences of scalar f at array x (float64)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def check_gradient(sess, y, x, feeds, value, tol=1e-6):
    """d(sum y)/dx from tf.gradients against central differences, feeding x = value."""
    grad = tf.gradients(y, x)[0]
    analytic = sess.run(grad, {**feeds, x: value})

    def f(v):
        return float(np.sum(sess.run(y, {**feeds, x: v})))
    np.testing.assert_allclose(analytic, numeric_grad(f, value), rtol=tol, atol=tol)


# --- tf.cond -------------------------------------------------------------------------------------
def test_cond_picks_the_branch_at_run_time():
    x = tf.placeholder(tf.float32, [])
    y = tf.placeholder(tf.float32, [])
    r = tf.cond(x < y, lambda: x * 10.0, lambda: y - 1.0)
    with tf.Session() as sess:
        assert sess.run(r, {x: 1.0, y: 2.0}) == 10.0
        assert sess.run(r, {x: 3.0, y: 2.0}) == 1.0
    assert r.shape.as_list() == [] and r.dtype is tf.float32


def test_only_the_taken_branch_runs():
    p = tf.placeholder(tf.bool, [])
    v = tf.Variable(0, name="counter")
    w = tf.Variable(0, name="other")
    bad_index = tf.constant([5])
    params = tf.constant([1.0, 2.0])
    r = tf.cond(p, lambda: tf.identity(v.assign_add(1)),
                lambda: tf.cast(tf.gather(params, bad_index)[0], tf.int32) + w.assign_add(1))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(r, {p: True})  # the gather out of range in the other branch never runs
        assert sess.run([v, w]) == [3, 0]
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(r, {p: False})


def test_ops_without_inputs_wait_on_the_branch():
    p = tf.placeholder(tf.bool, [])
    v = tf.Variable(1.0)

    def reset():
        with tf.control_dependencies([tf.assign(v, 0.0)]):
            return tf.constant(0.0)
    r = tf.cond(p, reset, lambda: tf.constant(7.0))
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(r, {p: False}) == 7.0
        assert sess.run(v) == 1.0
        assert sess.run(r, {p: True}) == 0.0
        assert sess.run(v) == 0.0


def test_cond_random_op_draws_only_when_taken():
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: tf.random_uniform([3], seed=1), lambda: tf.zeros([3]))
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(r, {p: False}), np.zeros(3))
        first = sess.run(r, {p: True})
    with tf.Session() as sess:  # the stream was not advanced by the untaken runs
        np.testing.assert_array_equal(sess.run(r, {p: True}), first)


def test_cond_with_constant_pred_and_branches():
    r = tf.cond(tf.constant(False), lambda: tf.constant(1.0), lambda: tf.constant(2.0))
    with tf.Session() as sess:
        assert sess.run(r) == 2.0


def test_cond_nested_structures_and_singletons():
    p = tf.placeholder(tf.bool, [])
    x = tf.constant([1.0, 2.0])
    r = tf.cond(p, lambda: Pair(x, {"k": x * 2}), lambda: Pair(x * 3, {"k": x * 4}))
    assert isinstance(r, Pair) and set(r.b) == {"k"}
    single = tf.cond(p, lambda: [x], lambda: [x + 1])
    strict = tf.cond(p, lambda: [x], lambda: [x + 1], strict=True)
    assert isinstance(single, tf.Tensor) and isinstance(strict, list)
    with tf.Session() as sess:
        a, k = sess.run([r.a, r.b["k"]], {p: False})
        np.testing.assert_array_equal(a, [3, 6])
        np.testing.assert_array_equal(k, [4, 8])
        np.testing.assert_array_equal(sess.run(single, {p: True}), [1, 2])


def test_cond_returning_an_op_runs_it_only_when_taken():
    p = tf.placeholder(tf.bool, [])
    v = tf.Variable(0)
    r = tf.cond(p, lambda: tf.group(v.assign_add(5)), lambda: tf.no_op())
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(r, {p: False})
        sess.run(r, {p: True})
        assert sess.run(v) == 5


def test_cond_outer_tensor_returned_directly():
    p = tf.placeholder(tf.bool, [])
    a, b = tf.constant(1.0), tf.constant(2.0)
    r = tf.cond(p, lambda: a, lambda: b)
    with tf.Session() as sess:
        assert sess.run(r, {p: True}) == 1.0 and sess.run(r, {p: False}) == 2.0


def test_nested_cond():
    x = tf.placeholder(tf.float64, [])

    def inner():
        return tf.cond(x > 5.0, lambda: x * 100.0, lambda: x * 10.0)
    r = tf.cond(x > 0.0, inner, lambda: -x)
    with tf.Session() as sess:
        assert [sess.run(r, {x: v}) for v in (-1.0, 2.0, 6.0)] == [1.0, 20.0, 600.0]
        for v in (-1.5, 2.0, 6.0):
            check_gradient(sess, r, x, {}, np.float64(v))


def test_cond_gradients_in_both_branches():
    x = tf.placeholder(tf.float64, [3])
    w = tf.placeholder(tf.float64, [3])
    p = tf.placeholder(tf.bool, [])
    r = tf.cond(p, lambda: tf.reduce_sum(tf.sin(x) * w), lambda: tf.reduce_sum(x * x))
    value = np.array([0.5, -1.0, 2.0])
    with tf.Session() as sess:
        for pv in (True, False):
            check_gradient(sess, r, x, {p: pv, w: [1.0, 2.0, 3.0]}, value)
        gw = tf.gradients(r, w)[0]
        np.testing.assert_array_equal(sess.run(gw, {p: False, x: value, w: value}), 0.0)


def test_cond_gradient_reaches_variables_through_training():
    p = tf.placeholder(tf.bool, [])
    w = tf.Variable(2.0)
    loss = tf.cond(p, lambda: w * w, lambda: 3.0 * w)
    train = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(train, {p: True})  # w -= 0.25 * 2w
        assert sess.run(w) == 1.0
        sess.run(train, {p: False})  # w -= 0.25 * 3
        assert sess.run(w) == 0.25


def test_fetching_a_tensor_of_the_untaken_branch_fails():
    p = tf.placeholder(tf.bool, [])
    inside = []

    def branch():
        inside.append(tf.constant(1.0) * 2.0)
        return inside[0]
    r = tf.cond(p, branch, lambda: tf.constant(0.0))
    with tf.Session() as sess:
        assert sess.run([r, inside[0]], {p: True}) == [2.0, 2.0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="branch of tf.cond"):
            sess.run(inside[0], {p: False})


def test_cond_argument_errors():
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match="Python bool"):
        tf.cond(True, lambda: x, lambda: x)
    with pytest.raises(TypeError, match="callable"):
        tf.cond(x > 0, x, lambda: x)
    with pytest.raises(ValueError, match="same type"):
        tf.cond(x > 0, lambda: x, lambda: tf.constant(1))
    with pytest.raises(ValueError, match="structure"):
        tf.cond(x > 0, lambda: (x, x), lambda: x)
    with pytest.raises(ValueError, match="scalar bool"):
        tf.cond(tf.constant([True, False]), lambda: x, lambda: x)


def test_variables_made_in_a_branch_live_outside_it():
    p = tf.placeholder(tf.bool, [])

    def make():
        return tf.get_variable("v", [], initializer=tf.constant_initializer(3.0)) * 2.0
    r = tf.cond(p, make, lambda: tf.constant(0.0))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())  # runs although the branch is not taken
        assert sess.run(r, {p: False}) == 0.0
        assert sess.run(r, {p: True}) == 6.0


def test_graphs_without_cond_get_no_dead_checks():
    x = tf.placeholder(tf.float32, [2])
    y = tf.nn.relu(x) * 2.0
    p = tf.placeholder(tf.bool, [])
    z = tf.cond(p, lambda: y + 1.0, lambda: y - 1.0) * 3.0
    with tf.Session() as sess:
        sess.run(y, {x: [1, 2]})
        sess.run(z, {x: [1, 2], p: True})
        plans = [entry[1] for entry in sess._plans.values()]
    plain, with_cond = sorted(plans, key=lambda plan: len(plan.steps))
    assert not plain._wrapped
    assert with_cond._wrapped and all(op.name.startswith("cond/") for op in with_cond._wrapped)


def test_case():
    x = tf.placeholder(tf.int32, [])
    r = tf.case([(x < 0, lambda: tf.constant(-1)), (x < 10, lambda: tf.constant(1))],
                default=lambda: tf.constant(100))
    no_default = tf.case({x < 0: lambda: tf.constant(-1), x >= 0: lambda: tf.constant(1)})
    with tf.Session() as sess:
        assert [sess.run(r, {x: v}) for v in (-5, 5, 50)] == [-1, 1, 100]
        assert [sess.run(no_default, {x: v}) for v in (-5, 5)] == [-1, 1]
    with pytest.raises(TypeError):
        tf.case([(x, lambda: x)])


# --- tf.while_loop ---------------------------------------------------------------------------
def test_while_loop_counts_at_run_time():
    n = tf.placeholder(tf.int32, [])
    i, total = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i), [0, 0])
    with tf.Session() as sess:
        assert sess.run([i, total], {n: 5}) == [5, 10]
        assert sess.run([i, total], {n: 0}) == [0, 0]


def test_single_loop_variable_comes_back_bare():
    r = tf.while_loop(lambda x: x < 100, lambda x: x * 2, [1])
    same = tf.while_loop(lambda x: x < 100, lambda x: x * 2, [1], return_same_structure=True)
    bare = tf.while_loop(lambda x: x < 100, lambda x: x * 2, tf.constant(3))
    assert isinstance(r, tf.Tensor) and isinstance(same, list)
    with tf.Session() as sess:
        assert sess.run([r, same[0], bare]) == [128, 128, 192]


def test_while_loop_nested_structures():
    def body(p, d):
        return Pair(p.a + 1, p.b * 2.0), {"x": d["x"] + p.b, "y": d["y"]}
    p, d = tf.while_loop(lambda p, d: p.a < 3, body,
                         (Pair(tf.constant(0), tf.constant(1.0)),
                          {"x": tf.constant(0.0), "y": tf.constant([1, 2])}))
    assert isinstance(p, Pair) and set(d) == {"x", "y"}
    with tf.Session() as sess:
        assert sess.run([p.a, p.b, d["x"]]) == [3, 8.0, 7.0]


def test_while_loop_names_and_ops():
    i = tf.while_loop(lambda i: i < 3, lambda i: i + 1, [0], name="counter")
    assert i.op.type == "While" and i.op.name == "counter"
    body_ops = [op for op in tf.get_default_graph().get_operations()
                if op.name.startswith("counter/")]
    assert {"counter/Identity", "counter/Less", "counter/add"} <= {op.name for op in body_ops}


def test_shape_invariants():
    def grow(i, x):
        return i + 1, tf.concat([x, x], 0)
    with pytest.raises(ValueError, match="shape_invariants"):
        tf.while_loop(lambda i, x: i < 3, grow, [0, tf.ones([1])])
    i, x = tf.while_loop(lambda i, x: i < 3, grow, [0, tf.ones([1])],
                         shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])
    assert x.shape.as_list() == [None]
    with pytest.raises(ValueError, match="not compatible with the initial shape"):
        tf.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.ones([2])],
                      shape_invariants=[tf.TensorShape([3])])
    with tf.Session() as sess:
        assert sess.run(x).shape == (8,)


def test_while_loop_type_errors():
    with pytest.raises(TypeError, match="dtype"):
        tf.while_loop(lambda x: x < 3, lambda x: tf.cast(x, tf.float32), [0])
    with pytest.raises(ValueError, match="structure"):
        tf.while_loop(lambda a, b: a < 3, lambda a, b: a + 1, [0, 1])
    with pytest.raises(TypeError, match="callable"):
        tf.while_loop(None, lambda x: x, [0])
    with pytest.raises(ValueError, match="scalar bool"):
        tf.while_loop(lambda x: x, lambda x: x, [0])


def test_maximum_iterations():
    limit = tf.placeholder(tf.int32, [])
    i = tf.while_loop(lambda i: i < 100, lambda i: i + 1, [0], maximum_iterations=limit)
    j = tf.while_loop(lambda j: j < 100, lambda j: j + 2, [0], maximum_iterations=4)
    with tf.Session() as sess:
        assert sess.run(i, {limit: 7}) == 7 and sess.run(i, {limit: 1000}) == 100
        assert sess.run(j) == 8


def test_loop_body_captures_outer_tensors_and_variables():
    w = tf.Variable(2.0)
    x = tf.placeholder(tf.float32, [])
    _, r = tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * w + x), [0, 1.0])
    with tf.Session() as sess:
        sess.run(w.initializer)
        assert sess.run(r, {x: 1.0}) == 15.0  # ((1*2+1)*2+1)*2+1


def test_while_loop_gradient_with_run_time_trip_count():
    x = tf.placeholder(tf.float64, [3])
    n = tf.placeholder(tf.int32, [])
    _, s = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, tf.sin(s) * x + 1.0),
                         [0, tf.ones([3], tf.float64)])
    with tf.Session() as sess:
        for trips in (0, 1, 4):
            check_gradient(sess, s, x, {n: trips}, np.array([0.5, 1.5, -2.0]))


def test_while_loop_gradient_of_initial_values_and_captured_variable():
    w = tf.Variable(np.array([[0.5, -0.2], [0.3, 0.8]]))
    h0 = tf.placeholder(tf.float64, [1, 2])
    _, h = tf.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, tf.tanh(tf.matmul(h, w))),
                         [0, h0])
    loss = tf.reduce_sum(h * h)
    gw, gh = tf.gradients(loss, [w, h0])
    value = np.array([[0.7, -1.1]])
    with tf.Session() as sess:
        sess.run(w.initializer)
        w0 = sess.run(w)

        def f(wv, hv):
            for _ in range(3):
                hv = np.tanh(hv @ wv)
            return np.sum(hv * hv)
        got_w, got_h = sess.run([gw, gh], {h0: value})
        np.testing.assert_allclose(got_w, numeric_grad(lambda v: f(v, value), w0), atol=1e-7)
        np.testing.assert_allclose(got_h, numeric_grad(lambda v: f(w0, v), value), atol=1e-7)


def test_gradient_through_nested_loops():
    x = tf.placeholder(tf.float64, [])

    def outer_body(i, s):
        _, inner = tf.while_loop(lambda j, t: j < i + 1, lambda j, t: (j + 1, t * x), [0, s])
        return i + 1, inner + 1.0
    _, r = tf.while_loop(lambda i, s: i < 3, outer_body, [0, tf.constant(1.0, tf.float64)])
    with tf.Session() as sess:
        value = 1.3
        expected = ((value + 1.0) * value ** 2 + 1.0) * value ** 3 + 1.0
        assert np.isclose(sess.run(r, {x: value}), expected)
        check_gradient(sess, r, x, {}, np.float64(value))


def test_gradient_through_cond_inside_loop():
    x = tf.placeholder(tf.float64, [2])

    def body(i, s):
        return i + 1, tf.cond(tf.equal(i % 2, 0), lambda: s * x, lambda: tf.sin(s) + x)
    _, r = tf.while_loop(lambda i, s: i < 5, body, [0, tf.ones([2], tf.float64)])
    with tf.Session() as sess:
        check_gradient(sess, r, x, {}, np.array([0.4, -0.9]))


def test_while_loop_inside_cond():
    p = tf.placeholder(tf.bool, [])
    x = tf.placeholder(tf.float64, [])

    def looped():
        return tf.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * x), [0, x])[1]
    r = tf.cond(p, looped, lambda: x + 1.0)
    with tf.Session() as sess:
        assert sess.run(r, {p: True, x: 2.0}) == 16.0
        assert sess.run(r, {p: False, x: 2.0}) == 3.0
        check_gradient(sess, r, x, {p: True}, np.float64(1.5))
        check_gradient(sess, r, x, {p: False}, np.float64(1.5))


def test_back_prop_false_stops_gradients():
    x = tf.placeholder(tf.float32, [])
    _, r = tf.while_loop(lambda i, s: i < 2, lambda i, s: (i + 1, s * x), [0, x],
                         back_prop=False)
    assert tf.gradients(r, x) == [None]


def test_loop_body_random_ops_draw_each_iteration():
    def body(i, acc):
        return i + 1, acc.write(i, tf.random_uniform([], seed=3))
    _, ta = tf.while_loop(lambda i, acc: i < 4, body, [0, tf.TensorArray(tf.float32, 4)])
    with tf.Session() as sess:
        values = sess.run(ta.stack())
    assert len(set(values.tolist())) == 4


def test_loop_body_tensors_cannot_be_fetched():
    inside = []

    def body(i):
        inside.append(i * 2)
        return i + 1
    tf.while_loop(lambda i: i < 3, body, [0])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="while_loop"):
            sess.run(inside[0])


def test_errors_inside_the_body_name_the_op():
    params = tf.constant([1.0, 2.0])
    _, r = tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + tf.gather(params, i)),
                         [0, 0.0])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="GatherV2"):
            sess.run(r)


def test_control_dependencies_around_a_loop_wait_once():
    v = tf.Variable(0)
    update = v.assign_add(1)
    with tf.control_dependencies([update]):
        r = tf.while_loop(lambda i: i < 5, lambda i: i + 1, [0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(r) == 5
        assert sess.run(v) == 1


# --- tf.TensorArray ----------------------------------------------------------------------------
def test_tensor_array_write_read_stack():
    ta = tf.TensorArray(tf.float32, size=3)
    ta = ta.write(0, [1.0, 2.0]).write(2, [5.0, 6.0]).write(1, tf.constant([3.0, 4.0]))
    assert ta.element_shape.as_list() == [2]
    stacked, second, size = ta.stack(), ta.read(1), ta.size()
    assert stacked.shape.as_list() == [3, 2] and second.shape.as_list() == [2]
    with tf.Session() as sess:
        values = sess.run([stacked, second, size])
    np.testing.assert_array_equal(values[0], [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(values[1], [3, 4])
    assert values[2] == 3


def test_tensor_array_unstack_gather_scatter():
    x = tf.constant(np.arange(12.0).reshape(4, 3))
    ta = tf.TensorArray(tf.float64, size=4).unstack(x)
    picked = ta.gather([3, 0])
    scattered = tf.TensorArray(tf.float64, size=3).scatter([2, 0, 1], x[:3]).stack()
    with tf.Session() as sess:
        a, b = sess.run([picked, scattered])
    np.testing.assert_array_equal(a, [[9, 10, 11], [0, 1, 2]])
    np.testing.assert_array_equal(b, [[3, 4, 5], [6, 7, 8], [0, 1, 2]])


def test_dynamic_size_tensor_array_grows_in_a_loop():
    n = tf.placeholder(tf.int32, [])

    def body(i, ta):
        return i + 1, ta.write(i, tf.cast(i, tf.float32) * 2.0)
    _, ta = tf.while_loop(lambda i, ta: i < n, body,
                          [0, tf.TensorArray(tf.float32, size=0, dynamic_size=True)])
    out = ta.stack()
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {n: 4}), [0, 2, 4, 6])
        assert sess.run(ta.size(), {n: 6}) == 6


def test_tensor_array_errors():
    ta = tf.TensorArray(tf.float32, size=2)
    twice = ta.write(0, 1.0).write(0, 2.0).stack()
    outside = ta.write(5, 1.0).stack()
    unwritten = tf.TensorArray(tf.float32, size=2).write(0, [1.0]).read(1)
    unknown = tf.TensorArray(tf.float32, size=2).read(0)
    with pytest.raises(TypeError, match="dtype"):
        ta.write(0, tf.constant(1))
    with pytest.raises(ValueError, match="Inconsistent shapes"):
        ta.write(0, [1.0, 2.0])  # ta's elements are scalars
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="already been written"):
            sess.run(twice)
        with pytest.raises(tf.errors.InvalidArgumentError, match="not resizeable"):
            sess.run(outside)
        np.testing.assert_array_equal(sess.run(unwritten), [0.0])  # shape known from index 0
        with pytest.raises(tf.errors.InvalidArgumentError, match="element shape"):
            sess.run(unknown)


def test_tensor_array_shape_learned_in_a_loop_is_known_after_it():
    x = tf.placeholder(tf.float32, [5, 2])
    inputs = tf.TensorArray(tf.float32, size=5).unstack(x)

    def body(i, ta):
        return i + 1, ta.write(i, inputs.read(i) * 2.0)
    _, ta = tf.while_loop(lambda i, ta: i < 5, body, [0, tf.TensorArray(tf.float32, size=5)])
    assert ta.stack().shape.as_list() == [None, 2]  # the size is known at run time


def test_tensor_array_gradients():
    x = tf.placeholder(tf.float64, [3, 2])
    ta = tf.TensorArray(tf.float64, size=3).unstack(x)
    y = ta.read(0) * ta.read(2) + tf.reduce_sum(ta.gather([1, 1])) + ta.stack()
    other = tf.TensorArray(tf.float64, size=2).write(1, x[0] * 3.0).write(0, x[1])
    z = tf.reduce_sum(other.stack() ** 2) + tf.reduce_sum(y)
    with tf.Session() as sess:
        check_gradient(sess, z, x, {}, np.arange(6.0).reshape(3, 2) / 5)


def test_tensor_array_gradient_through_a_loop():
    x = tf.placeholder(tf.float64, [4, 3])
    w = tf.constant(np.arange(9.0).reshape(3, 3) / 10)
    inputs = tf.TensorArray(tf.float64, size=4).unstack(x)

    def body(t, h, out):
        h = tf.tanh(tf.matmul(tf.expand_dims(inputs.read(t), 0), w) + h)
        return t + 1, h, out.write(t, tf.squeeze(h, 0))
    _, h, out = tf.while_loop(lambda t, *_: t < 4, body,
                              [0, tf.zeros([1, 3], tf.float64),
                               tf.TensorArray(tf.float64, size=4)])
    loss = tf.reduce_sum(out.stack() ** 2) + tf.reduce_sum(h)
    with tf.Session() as sess:
        check_gradient(sess, loss, x, {}, np.random.RandomState(0).randn(4, 3))


# --- map_fn, scan, foldl, foldr --------------------------------------------------------------
def test_map_fn():
    x = tf.constant(np.arange(1.0, 5.0))
    squares = tf.map_fn(lambda v: v * v, x)
    pair = tf.map_fn(lambda p: (p[0] + p[1], tf.cast(p[0], tf.int32)), (x, 2 * x),
                     dtype=(tf.float64, tf.int32))
    assert squares.shape.as_list() == [4]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(squares), [1, 4, 9, 16])
        a, b = sess.run(pair)
    np.testing.assert_array_equal(a, [3, 6, 9, 12])
    np.testing.assert_array_equal(b, [1, 2, 3, 4])


def test_scan_and_folds():
    x = tf.constant(np.arange(1.0, 6.0))
    running = tf.scan(lambda a, v: a + v, x)
    products = tf.scan(lambda a, v: a * v, x, initializer=tf.constant(1.0, tf.float64),
                       reverse=True)
    left = tf.foldl(lambda a, v: a - v, x)
    right = tf.foldr(lambda a, v: a - v, x, initializer=tf.constant(0.0, tf.float64))
    with tf.Session() as sess:
        r, p, fl, fr = sess.run([running, products, left, right])
    np.testing.assert_array_equal(r, [1, 3, 6, 10, 15])
    np.testing.assert_array_equal(p, [120, 120, 60, 20, 5])
    assert fl == 1 - 2 - 3 - 4 - 5 and fr == -15


def test_scan_over_strings_and_a_string_tensor_array():
    running = tf.scan(lambda a, x: a + x, np.array(["T", "e", "n"]))
    ta = tf.TensorArray(tf.string, size=2).unstack(tf.constant(["a", "b"]))
    with tf.Session() as sess:
        r, stacked, one = sess.run([running, ta.stack(), ta.read(1)])
    assert list(r) == [b"T", b"Te", b"Ten"] and list(stacked) == [b"a", b"b"] and one == b"b"


def test_functional_ops_gradients():
    x = tf.placeholder(tf.float64, [4, 2])
    m = tf.map_fn(lambda row: tf.reduce_sum(tf.sin(row) * row), x)
    s = tf.scan(lambda a, row: a * row + 1.0, x)
    f = tf.foldr(lambda a, row: tf.tanh(a + row), x, initializer=tf.zeros([2], tf.float64))
    y = tf.reduce_sum(m) + tf.reduce_sum(s * s) + tf.reduce_sum(f)
    with tf.Session() as sess:
        check_gradient(sess, y, x, {}, np.random.RandomState(1).uniform(-1, 1, (4, 2)))


def test_map_fn_errors():
    with pytest.raises(ValueError, match="1\\+ dimensional"):
        tf.map_fn(lambda v: v, tf.constant(1.0))
    with pytest.raises(TypeError):
        tf.map_fn(None, tf.constant([1.0]))


def test_dead_value_repr():
    assert repr(control.DEAD) == "DEAD"
