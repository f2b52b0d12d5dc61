"""Behaviour of tf.Session: fetches, feeds, default sessions, closing, and plan caching."""
import collections
import inspect
import threading
import warnings

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.ops.control.switch import merge

Pair = collections.namedtuple("Pair", "first second")


# --- fetches -------------------------------------------------------------------------------------
def test_run_a_tensor_returns_a_numpy_value():
    a = tf.constant([[1.0, 2.0]])
    with tf.Session() as sess:
        value = sess.run(a * 2)
        scalar = sess.run(tf.constant(3.0))
    assert isinstance(value, np.ndarray)
    np.testing.assert_array_equal(value, [[2.0, 4.0]])
    assert isinstance(scalar, np.float32) and scalar == 3.0


def test_fetch_structure_is_preserved():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    op = tf.no_op(name="op")
    with tf.Session() as sess:
        result = sess.run({"list": [a, b], "tuple": (b, op), "pair": Pair(a, "b:0"),
                           "nested": {"x": [[a]]}, "name": "a:0", "op_name": "op"})
    assert result == {"list": [1.0, 2.0], "tuple": (2.0, None), "pair": Pair(1.0, 2.0),
                      "nested": {"x": [[1.0]]}, "name": 1.0, "op_name": None}
    assert type(result["pair"]) is Pair
    assert type(result["tuple"]) is tuple


def test_ordered_dict_and_empty_fetches():
    a = tf.constant(1.0)
    with tf.Session() as sess:
        ordered = sess.run(collections.OrderedDict([("z", a), ("a", a)]))
        assert isinstance(ordered, collections.OrderedDict)
        assert list(ordered) == ["z", "a"]
        assert sess.run([]) == []
        assert sess.run({}) == {}


def test_same_tensor_fetched_twice():
    a = tf.constant([1.0, 2.0])
    with tf.Session() as sess:
        first, second = sess.run([a, a])
    np.testing.assert_array_equal(first, second)


def test_operation_fetches_none_and_runs_it():
    v = tf.Variable(0)
    inc = tf.assign_add(v, 1)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(inc.op) is None
        assert sess.run([inc.op, tf.constant(5)]) == [None, 5]
        assert sess.run(v) == 2


def test_fetching_a_variable_returns_its_value():
    v = tf.Variable([1, 2])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v), [1, 2])
        np.testing.assert_array_equal(sess.run("Variable:0"), [1, 2])


def test_invalid_fetches_raise():
    tf.constant(1.0, name="c")
    with tf.Session() as sess:
        with pytest.raises(TypeError):
            sess.run(None)
        with pytest.raises(TypeError):
            sess.run(3)
        with pytest.raises(ValueError):
            sess.run("missing:0")
        with pytest.raises(ValueError):
            sess.run("c:1")
    with tf.Graph().as_default():
        other = tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError):
            sess.run(other)


# --- feeds ---------------------------------------------------------------------------------------
def test_feed_by_tensor_or_name():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    y = tf.reduce_sum(x * 2.0)
    with tf.Session() as sess:
        assert sess.run(y, {x: [[1.0, 2.0]]}) == 6.0
        assert sess.run(y, feed_dict={"x:0": [[1.0, 1.0], [1.0, 1.0]]}) == 8.0


def test_any_feedable_tensor_can_be_fed():
    a = tf.constant(3.0)
    b = a * 2.0
    c = b + 1.0
    v = tf.Variable(10.0)
    with tf.Session() as sess:
        assert sess.run(c, {a: 5.0}) == 11.0
        assert sess.run(c, {b: 0.0}) == 1.0
        # feeding a variable's value skips reading it (no initialization needed)
        assert sess.run(v.value() * 2, {v.value(): 4.0}) == 8.0


def test_feed_values_are_converted_to_the_tensor_dtype():
    x = tf.placeholder(tf.float32, [None])
    i = tf.placeholder(tf.int32, [2])
    s = tf.placeholder(tf.string, [])
    with tf.Session() as sess:
        out = sess.run(x, {x: np.array([1, 2], dtype=np.int64)})
        assert out.dtype == np.float32
        out = sess.run(x, {x: np.array([0.5], dtype=np.float64)})
        assert out.dtype == np.float32 and out[0] == 0.5
        assert sess.run(x, {x: [True, False]}).tolist() == [1.0, 0.0]
        assert sess.run(i, {i: [1, 2]}).dtype == np.int32
        assert sess.run(s, {s: "text"}) == b"text"


def test_feed_of_wrong_shape_is_refused_with_tf_wording():
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    y = x * 2.0
    with tf.Session() as sess:
        with pytest.raises(ValueError) as info:
            sess.run(y, {x: np.zeros((50, 2352))})
        assert str(info.value) == ("Cannot feed value of shape (50, 2352) for Tensor 'x:0', "
                                   "which has shape '(?, 784)'")
        with pytest.raises(ValueError, match="Cannot feed value of shape"):
            sess.run(y, {x: np.zeros(784)})
        assert sess.run(y, {x: np.zeros((7, 784))}).shape == (7, 784)


def test_placeholder_of_unknown_shape_accepts_any_shape():
    x = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        assert sess.run(x, {x: 1.0}) == 1.0
        assert sess.run(x, {x: np.ones((2, 3, 4))}).shape == (2, 3, 4)


def test_missing_placeholder_feed_raises_invalid_argument_naming_it():
    x = tf.placeholder(tf.float32, [None, 784], name="images")
    y = x + 1.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y)
    message = str(info.value)
    assert "You must feed a value for placeholder tensor 'images'" in message
    assert "dtype float" in message and "[?,784]" in message
    assert info.value.op.name == "images"


def test_unused_placeholder_needs_no_feed():
    tf.placeholder(tf.float32, name="unused")
    with tf.Session() as sess:
        assert sess.run(tf.constant(1.0)) == 1.0


def test_placeholder_with_default():
    x = tf.placeholder_with_default(tf.constant([1.0, 2.0]), [None])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(x), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(x, {x: [5.0]}), [5.0])


def test_invalid_feeds_raise():
    x = tf.placeholder(tf.float32, [], name="x")
    with tf.Session() as sess:
        with pytest.raises(TypeError):
            sess.run(x, {"missing:0": 1.0})
        with pytest.raises(TypeError):
            sess.run(x, {3: 1.0})
        with pytest.raises(TypeError, match="feed cannot be a tf.Tensor"):
            sess.run(x, {x: tf.constant(1.0)})


# --- default session, closing --------------------------------------------------------------------
def test_with_session_makes_it_default_and_closes_it():
    c = tf.constant(2.0)
    assert tf.get_default_session() is None
    with tf.Session() as sess:
        assert tf.get_default_session() is sess
        assert c.eval() == 2.0
    assert tf.get_default_session() is None
    with pytest.raises(RuntimeError):
        sess.run(c)


def test_as_default_does_not_close():
    c = tf.constant(2.0)
    sess = tf.Session()
    with sess.as_default():
        assert tf.get_default_session() is sess
        assert c.eval() == 2.0
    assert tf.get_default_session() is None
    assert sess.run(c) == 2.0
    sess.close()
    with pytest.raises(RuntimeError, match="closed"):
        sess.run(c)


def test_nested_default_sessions():
    c = tf.constant(1.0)
    with tf.Session() as outer:
        with tf.Session() as inner:
            assert tf.get_default_session() is inner
            assert c.eval() == 1.0
        assert tf.get_default_session() is outer


def test_default_session_is_per_thread():
    c = tf.constant(3.0)
    seen = {}

    def other_thread():
        seen["default"] = tf.get_default_session()
        with sess.as_default():  # a thread enters a session to make it its default
            seen["value"] = c.eval()
        seen["after"] = tf.get_default_session()
    with tf.Session() as sess:
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert tf.get_default_session() is sess
    assert seen == {"default": None, "value": 3.0, "after": None}
    assert tf.get_default_session() is None


def test_session_on_an_explicit_graph():
    g = tf.Graph()
    with g.as_default():
        c = tf.constant(5.0)
    sess = tf.Session(graph=g)
    assert sess.graph is g
    assert sess.run(c) == 5.0
    with sess:
        assert tf.get_default_graph() is g
    assert tf.get_default_graph() is not g


def test_session_accepts_config():
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False)
    config.gpu_options.allow_growth = True
    with tf.Session(config=config) as sess:
        assert sess.run(tf.constant(1)) == 1


def test_interactive_session_installs_itself_as_default():
    v = tf.Variable(3.0)
    sess = tf.InteractiveSession()
    try:
        assert tf.get_default_session() is sess
        v.initializer.run()
        assert v.eval() == 3.0
        assert (v * 2).eval() == 6.0
    finally:
        sess.close()
    assert tf.get_default_session() is None


def test_make_callable():
    x = tf.placeholder(tf.float32, [None])
    y = tf.reduce_sum(x)
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, y)
    with tf.Session() as sess:
        sess.run(v.initializer)
        total = sess.make_callable(y, [x])
        assert total([1.0, 2.0]) == 3.0
        assert total(np.ones(10)) == 10.0
        both = sess.make_callable([y, inc.op], feed_list=[x])
        assert both([1.0, 1.0]) == [2.0, None]
        assert sess.make_callable(v)() == 2.0
        with pytest.raises(TypeError):
            total()
        with pytest.raises(ValueError):
            total(np.ones((2, 2)))


# --- values are the user's own -------------------------------------------------------------------
def test_a_tuple_key_feeds_its_leaves_as_tfs_flatten_dict_items():
    """An LSTM's state tuple fed back between runs: {state: state_value} feeds c and h."""
    with tf.Graph().as_default():
        c, h, d = (tf.placeholder(tf.float32, [2]) for _ in range(3))
        state = tf.nn.rnn_cell.LSTMStateTuple(c, h)
        total = c + 2 * h + 3 * d
        with tf.Session() as sess:
            value = tf.nn.rnn_cell.LSTMStateTuple(np.ones(2), np.zeros(2))
            assert sess.run(total, {state: value, d: [1, 2]}).tolist() == [4, 7]
            again = sess.run(total, {state: (np.zeros(2), np.ones(2)), d: [0, 0]})
            assert again.tolist() == [2, 2]  # the cached plan flattens the key again
            ones = np.ones(2)  # a list would be flattened too, as TF's nest does
            assert sess.run(total, {((c, h), d): ((ones, ones), ones)}).tolist() == [6, 6]
            with pytest.raises(ValueError, match="Key had 2 elements, but value had 3"):
                sess.run(total, {state: (1.0, 2.0, 3.0), d: [0, 0]})
            with pytest.raises(ValueError, match="is not unique"):
                sess.run(total, {state: value, (c, d): (np.zeros(2), np.zeros(2))})


def test_fetched_variable_value_is_not_aliased_to_its_buffer():
    w = tf.Variable([1.0, 2.0])
    loss = tf.reduce_sum(w * w)
    train = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
    with tf.Session() as sess:
        sess.run(w.initializer)
        before = sess.run(w)
        before_read = sess.run(w.value())
        (before_list,) = sess.run([w])
        sess.run(train)
        sess.run(w.assign_add([1.0, 1.0]))
        np.testing.assert_array_equal(before, [1.0, 2.0])
        np.testing.assert_array_equal(before_read, [1.0, 2.0])
        np.testing.assert_array_equal(before_list, [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(w), [1.5, 2.0])


def test_writing_into_a_fetched_value_does_not_change_the_variable():
    w = tf.Variable([1.0, 2.0])
    c = tf.constant([3.0, 4.0])
    with tf.Session() as sess:
        sess.run(w.initializer)
        fetched, const = sess.run([w, c])
        fetched[0] = 100.0
        if const.flags.writeable:
            const[0] = 100.0
        np.testing.assert_array_equal(sess.run(w), [1.0, 2.0])
        np.testing.assert_array_equal(sess.run(c), [3.0, 4.0])


def test_fed_array_is_not_modified_by_an_in_place_update():
    v = tf.Variable([0.0, 0.0])
    x = tf.placeholder(tf.float32, [2])
    assign = tf.assign(v, x)
    add = tf.assign_add(v, [1.0, 1.0])
    fed = np.array([5.0, 6.0], dtype=np.float32)
    with tf.Session() as sess:
        sess.run(assign, {x: fed})
        sess.run(add)
    np.testing.assert_array_equal(fed, [5.0, 6.0])


# --- plans ---------------------------------------------------------------------------------------
def test_repeated_runs_reuse_the_plan():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(tf.ones([3, 2]))
    y = tf.matmul(x, w)
    step = tf.assign_add(w, tf.ones([3, 2]))
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run([y, step], {x: np.ones((1, 3))})
        count = len(sess._plans)
        for i in range(20):
            out, _ = sess.run([y, step], {x: np.ones((i + 1, 3))})
            assert out.shape == (i + 1, 2)
        assert len(sess._plans) == count


def _planned_op_types(sess):
    (_, plan), = sess._plans.values()
    return [step[4].type for step in plan.steps]


def _growth_warnings(record):
    return [w for w in record if "The graph grew" in str(w.message)]


def test_a_loop_that_creates_ops_warns_once_naming_the_line_and_the_ops():
    w = tf.Variable([1.0, 2.0])
    train = tf.assign_add(w, [1.0, 1.0])
    with warnings.catch_warnings(record=True) as record, tf.Session() as sess:
        warnings.simplefilter("always")
        sess.run(w.initializer)
        for _ in range(30):
            sess.run(train)
            line = inspect.currentframe().f_lineno + 1
            total = sess.run(tf.reduce_sum(w))
    assert total == 63.0
    (warning,) = _growth_warnings(record)
    message = str(warning.message)
    assert f"{__file__}:{line}" in message and "Sum 'Sum_" in message
    assert "before 10 Session.run calls" in message


def test_building_once_or_adding_ops_now_and_then_does_not_warn():
    x = tf.placeholder(tf.float32, [None, 2])
    w = tf.Variable(tf.ones([2, 1]))
    loss = tf.reduce_mean(tf.matmul(x, w))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    batch = np.ones([4, 2], np.float32)
    with warnings.catch_warnings(record=True) as record, tf.Session() as sess:
        warnings.simplefilter("always")
        sess.run(tf.global_variables_initializer())
        for step in range(50):  # the tutorials' loop: the same fetches, or new combinations
            _, value = sess.run([train, loss], {x: batch})
            if step % 10 == 0:
                sess.run(loss, {x: batch})
                sess.run([w, loss], {x: batch})
        for _ in range(5):  # a short loop making ops warns only from the tenth time
            sess.run(tf.reduce_sum(w))
        values = [sess.run(tf.reduce_sum(w)), sess.run(tf.reduce_max(w)),  # new ops on other
                  sess.run(tf.reduce_min(w)), sess.run(tf.reduce_mean(w)),  # lines of a script
                  sess.run(w + 1.0), sess.run(w * 2.0), sess.run(w - 1.0), sess.run(w / 2.0),
                  sess.run(tf.square(w)), sess.run(tf.abs(w)), sess.run(tf.exp(w)),
                  sess.run(tf.negative(w))]
    assert len(values) == 12
    assert _growth_warnings(record) == []


def test_ops_that_read_only_a_static_shape_fold_to_constants():
    x = tf.placeholder(tf.float32, [4, 3])
    total = tf.reduce_sum(x * 2.0)
    grad, = tf.gradients(total, x)  # Sum's gradient broadcasts over x's shape
    shape_parts = [tf.zeros_like(x), tf.ones_like(x), tf.shape(x), tf.size(x), tf.rank(x)]
    fed = np.arange(12, dtype=np.float32).reshape(4, 3)
    with tf.Session() as sess:
        values = sess.run([grad] + shape_parts, {x: fed})
        assert not {"BroadcastReduced", "ZerosLike", "OnesLike", "Shape", "Size", "Rank"} & \
            set(_planned_op_types(sess))
    np.testing.assert_array_equal(values[0], np.full((4, 3), 2.0))
    np.testing.assert_array_equal(values[1], np.zeros((4, 3)))
    np.testing.assert_array_equal(values[2], np.ones((4, 3)))
    assert values[3].tolist() == [4, 3] and values[4] == 12 and values[5] == 2
    values[1][0, 0] = 5.0  # a fetched constant is the caller's copy
    with tf.Session() as sess:
        assert sess.run(shape_parts[0], {x: fed})[0, 0] == 0.0


def test_ops_that_read_a_shape_unknown_while_building_still_run():
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.Session() as sess:
        assert sess.run(tf.shape(x), {x: np.ones((5, 3))}).tolist() == [5, 3]
        assert _planned_op_types(sess) == ["Shape"]


def test_ops_reading_shapes_inside_cond_branches_give_the_taken_branch():
    x = tf.placeholder(tf.float32, [2])
    pick = tf.placeholder(tf.bool, [])
    out = tf.cond(pick, lambda: tf.zeros_like(x * 3.0) + 1.0, lambda: x)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {x: [5.0, 6.0], pick: True}), [1.0, 1.0])
        np.testing.assert_array_equal(sess.run(out, {x: [5.0, 6.0], pick: False}), [5.0, 6.0])


def test_times_one_and_a_known_select_run_no_step():
    x = tf.placeholder(tf.float32, [1, 3])
    y = tf.placeholder(tf.float32, [1, 3])
    outs = [x * 1.0, 1.0 * x, tf.where(tf.constant(True), x, y), tf.where(tf.constant(False), x, y)]
    fed = {x: np.array([[1.0, -0.0, np.nan]], np.float32), y: np.full((1, 3), 7.0, np.float32)}
    with tf.Session() as sess:
        values = sess.run(outs, fed)
        assert _planned_op_types(sess) == []
    for value, expected in zip(values, [fed[x]] * 3 + [fed[y]]):
        np.testing.assert_array_equal(value, expected)
        assert np.signbit(value[0, 1]) == np.signbit(expected[0, 1])
    values[0][0, 0] = 9.0  # the fetched array is the caller's, not the feed
    assert fed[x][0, 0] == 1.0


def test_plus_zero_minus_zero_and_over_one_run_no_step_as_tensorflows_optimizer_does():
    x = tf.placeholder(tf.float32, [1, 3])
    outs = [x + 0.0, 0.0 + x, x - 0.0, x / 1.0, x + tf.constant(-0.0)]
    fed = {x: np.array([[1.0, -0.0, np.inf]], np.float32)}
    with tf.Session() as sess:
        values = sess.run(outs, fed)
        assert _planned_op_types(sess) == []
        assert sess.run(0.0 - x, fed)[0, 0] == -1.0  # 0 - x is -x: it runs
    for value in values:
        np.testing.assert_array_equal(value, fed[x])
        assert np.signbit(value[0, 1])  # -0.0 stays -0.0, as under TF's grappler


def test_a_branchs_constants_forward_its_ops_only_where_their_dead_implies_the_input():
    x = tf.placeholder(tf.float32, [2])
    pick = tf.placeholder(tf.bool, [])
    # Keras's dropout: random_uniform's `* (max - min) + min` inside tf.cond
    inside = tf.cond(pick, lambda: tf.identity(x) * (tf.constant(1.0) - 0.0) + 0.0,
                     lambda: x - 1.0)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(inside, {x: [2.0, 3.0], pick: True}), [2.0, 3.0])
        np.testing.assert_array_equal(sess.run(inside, {x: [2.0, 3.0], pick: False}),
                                      [1.0, 2.0])
        assert "Mul" not in _planned_op_types(sess) and "Add" not in _planned_op_types(sess)
    # a live tensor from outside the branch (a hand-built graph: tf.cond would switch it in)
    # times a branch constant must still give DEAD when the branch is not taken
    graph = tf.get_default_graph()
    side_false, side_true = graph.create_op("Switch", [x, pick], name="Switch").outputs
    with tf.control_dependencies([tf.identity(side_true)]):
        one = tf.constant(1.0)
    merged = merge(pick, [x * one, side_false * 2.0])
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(merged, {x: [2.0, 3.0], pick: False}),
                                      [4.0, 6.0])
        np.testing.assert_array_equal(sess.run(merged, {x: [2.0, 3.0], pick: True}),
                                      [2.0, 3.0])
        assert _planned_op_types(sess).count("Mul") == 2


def test_ones_that_broadcast_or_a_mixed_select_still_run():
    x = tf.placeholder(tf.float32, [3])
    widened = x * np.ones((1, 1), np.float32)  # [3] * [1, 1] is [1, 3]
    mixed = tf.where(tf.constant([True, False, True]), x, -x)
    with tf.Session() as sess:
        w, m = sess.run([widened, mixed], {x: [1.0, 2.0, 3.0]})
        assert sorted(_planned_op_types(sess)) == ["Mul", "Neg", "Select"]
        z = tf.placeholder(tf.float32, [None])  # its shape could broadcast against the other
        assert sess.run(tf.where(tf.constant(True), z, tf.zeros([3])), {z: [4.0]}).shape == (3,)
    assert w.shape == (1, 3)
    np.testing.assert_array_equal(m, [1.0, -2.0, 3.0])


def test_graph_growth_after_planning_gives_correct_results():
    x = tf.placeholder(tf.float32, [])
    y = x * 2.0
    with tf.Session() as sess:
        assert sess.run(y, {x: 1.0}) == 2.0
        z = y + 10.0  # grows the graph after a plan for y exists
        assert sess.run(z, {x: 1.0}) == 12.0
        assert sess.run(y, {x: 3.0}) == 6.0
        v = tf.Variable(7.0)
        sess.run(v.initializer)
        assert sess.run(z + v, {x: 0.0}) == 17.0


def test_control_dependency_added_to_existing_op_after_planning():
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    target = tf.no_op()
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(target)
        assert sess.run(v) == 0.0
        target._add_control_input(inc.op)
        sess.run(target)
        assert sess.run(v) == 1.0


def test_only_the_needed_subgraph_runs():
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    unrelated = tf.constant(1.0) + 1.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        for _ in range(3):
            sess.run(unrelated)
        assert sess.run(v) == 0.0
        sess.run(inc)
        assert sess.run(v) == 1.0


def test_each_fetched_op_runs_once_per_step():
    v = tf.Variable(0.0)
    inc = tf.assign_add(v, 1.0)
    a = inc * 1.0
    b = inc * 2.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([a, b, inc]) == [1.0, 2.0, 1.0]
        assert sess.run(v) == 1.0


def test_a_tensor_read_only_for_its_static_shape_is_not_computed():
    """d/dx sum(conv(x, w) * c) needs conv's shape, not its value: as in TF, the Plan runs the
    two gradient products and not the forward convolution (nor the product with c)."""
    rng = np.random.RandomState(0)
    x = tf.placeholder(tf.float32, [2, 6, 6, 3])
    w = tf.placeholder(tf.float32, [3, 3, 3, 4])
    y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
    c = tf.constant(rng.rand(2, 6, 6, 4).astype(np.float32))
    grads = tf.gradients(tf.reduce_sum(y * c), [x, w])
    feed = {x: rng.rand(2, 6, 6, 3).astype(np.float32), w: rng.rand(3, 3, 3, 4).astype(np.float32)}
    with tf.Session() as sess:
        values = sess.run(grads, feed)
        assert sorted(_planned_op_types(sess)) == ["Conv2DBackpropFilter", "Conv2DBackpropInput"]
    with tf.Session() as sess:  # y fetched too: computed, and the gradients are the same
        *again, _ = sess.run(grads + [y], feed)
        assert "Conv2D" in _planned_op_types(sess)
    for value, same in zip(values, again):
        np.testing.assert_array_equal(value, same)


def test_an_input_of_unknown_static_shape_is_still_computed_for_its_shape():
    x = tf.placeholder(tf.float32, [None, 3])
    grad, = tf.gradients(tf.reduce_sum(tf.exp(x) * 2.0), x)  # the shape is not known: Exp runs
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(grad, {x: np.zeros((2, 3))}), np.full((2, 3), 2.0))


def test_a_failing_op_leaves_the_ops_that_do_not_depend_on_it_run_as_tfs_executor():
    """TF runs each op once its inputs are ready: when the iterator's OutOfRange ends the step,
    the global step's assign_add beside it has run (TF's KMeansClustering example relies on
    it); what reads the failed op or waits for it has not."""
    with tf.Graph().as_default():
        x = tf.data.Dataset.from_tensors([1.0]).make_one_shot_iterator().get_next()
        step = tf.Variable(0)
        incr = tf.assign_add(step, 1)
        after = tf.Variable(0)
        with tf.control_dependencies([x, incr]):
            out = tf.identity(x)
        with tf.control_dependencies([x]):
            waits = tf.assign_add(after, 1)
        also_fails = tf.debugging.assert_equal(step, -1)
        with tf.Session() as sess:
            sess.run([step.initializer, after.initializer])
            sess.run(x)
            with pytest.raises(tf.errors.OutOfRangeError):
                sess.run([out, waits, also_fails])
            assert sess.run([step, after]) == [1, 0]
