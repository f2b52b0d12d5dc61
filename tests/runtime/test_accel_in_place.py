"""runtime/accel/in_place.py: elementwise steps write into the buffer of an input nothing reads
afterwards, only when that array is the Plan's alone, and give the reference kernels' values."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.runtime import accel
from tensorweave.runtime.accel import in_place
from tensorweave.runtime.plan import chosen_kernel
from tensorweave.runtime.state import SessionState


def _op(build):
    with tf.Graph().as_default():
        return build().op


def in_place_kernel(op, dying, attrs):
    """runtime/accel's in-place form of the kernel a Plan chooses for `op`."""
    return accel.in_place_kernel(op, chosen_kernel(op), dying, attrs)


def _run_step(kernel, values, positions):
    """Runs `kernel` as a Plan's step does, its inputs taken from `values`."""
    return kernel(*in_place.taking(range(len(values)), positions)(values))


def test_writes_into_an_input_held_by_nothing_else():
    op = _op(lambda: tf.placeholder(tf.float32, [4]) * tf.placeholder(tf.float32, [4]))
    kernel = in_place_kernel(op, [0], {})
    x, y = np.arange(4, dtype=np.float32), np.full(4, 2, np.float32)
    x_id = id(x)
    values = [x, y]
    del x
    result = _run_step(kernel, values, [0])
    assert id(result) == x_id and values[0] is None
    np.testing.assert_array_equal(result, [0, 2, 4, 6])


@pytest.mark.parametrize("held_by", ["a name", "a view", "a list"])
def test_an_array_held_elsewhere_is_never_written(held_by):
    op = _op(lambda: tf.placeholder(tf.float32, [4]) + 1.0)
    kernel = in_place_kernel(op, [0], {})
    x = np.arange(4, dtype=np.float32)
    holder = {"a name": x, "a view": x[1:], "a list": [x]}[held_by]
    result = _run_step(kernel, [x, np.float32(1)], [0])
    assert result is not x
    np.testing.assert_array_equal(x, [0, 1, 2, 3])
    np.testing.assert_array_equal(result, [1, 2, 3, 4])
    del holder


def test_views_and_other_shapes_get_a_new_buffer():
    op = _op(lambda: tf.placeholder(tf.float32, None) + tf.placeholder(tf.float32, None))
    kernel = in_place_kernel(op, [0, 1], {})
    base = np.zeros((2, 4), np.float32)
    result = _run_step(kernel, [base[0], np.ones(4, np.float32)], [0, 1])  # a view: not owned
    np.testing.assert_array_equal(base, 0)
    result = _run_step(kernel, [np.ones((3, 1), np.float32), np.ones((1, 4), np.float32)],
                       [0, 1])  # broadcasting to a bigger shape than either
    assert result.shape == (3, 4)


def test_integer_ops_and_other_dtypes_keep_the_reference_kernel():
    assert in_place_kernel(_op(lambda: tf.placeholder(tf.int32, [3]) + 1), [0], {}) is None
    assert in_place_kernel(_op(lambda: tf.placeholder(tf.float32, [3]) < 1.0), [0],
                                 {}) is None
    assert in_place_kernel(_op(lambda: tf.matmul(tf.ones([2, 2]), tf.ones([2, 2]))), [0],
                                 {}) is None


def _session_values(accel_on):
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float32, [None, 8])
        v = tf.Variable(tf.random_normal([8, 8]))
        h = tf.nn.bias_add(tf.matmul(x, v), tf.ones([8]))
        twice = h * 2.0  # h is read again below: written into only at its last reader
        chain = tf.sqrt(tf.square(h) + 1.0) / 3.0 - tf.nn.relu(twice - 1.0)
        chain = tf.add_n([chain, tf.nn.softmax(chain * 0.5), tf.sigmoid(chain - 1.0)])
        update = tf.assign_sub(v, tf.reduce_mean(chain) * v)  # v's value is not written over
        loop = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * 1.5 + 1.0),
                             [0, tf.reduce_sum(chain, axis=1)])[1]
        feed = np.arange(16, dtype=np.float32).reshape(2, 8)
        kept = feed.copy()
        with tf.Session(config=tf.ConfigProto(accel=None if accel_on else False)) as sess:
            sess.run(v.initializer)
            grad = tf.gradients(tf.reduce_sum(chain * chain), v)[0]  # through ReluGrad
            out = [sess.run([h, chain, loop, grad], {x: feed}) for _ in range(2)]
            out.append(sess.run([update, v.value()], {x: feed}))
        np.testing.assert_array_equal(feed, kept)  # a fed array is never written
        return out


def test_sessions_with_and_without_variants_agree():
    for got_run, want_run in zip(_session_values(True), _session_values(False)):
        for got, want in zip(got_run, want_run):
            np.testing.assert_array_equal(got, want)


def test_the_reference_count_of_an_array_alone_is_measured():
    assert in_place.alone_count() == in_place.alone_count() >= 2


@pytest.fixture
def decisions(monkeypatch):
    """The in-place decisions (True: written into) of the steps run while the test runs."""
    made = []
    check = in_place._writable_alone

    def spy(args, i, dtype):
        made.append(check(args, i, dtype))
        return made[-1]
    monkeypatch.setattr(in_place, "_writable_alone", spy)
    return made


def test_a_session_writes_into_dying_intermediates(decisions):
    _session_values(True)
    assert True in decisions and False in decisions  # intermediates yes; v's value, feeds no


@pytest.mark.parametrize("traced", [False, True])
def test_an_error_names_the_shapes_of_inputs_taken_from_their_slots(traced):
    with tf.Graph().as_default():
        x, y = tf.placeholder(tf.float32, None), tf.placeholder(tf.float32, None)
        total = x * 2.0 + y  # x * 2.0 dies at the add, which takes it from its slot
        options = dict(options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                       run_metadata=tf.RunMetadata()) if traced else {}
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"input shapes: \[2, 3\], "
                               r"\[2, 4\]"):
                sess.run(total, {x: np.ones((2, 3)), y: np.ones((2, 4))}, **options)



@pytest.mark.parametrize("held", [False, True])
def test_an_assign_keeps_a_dying_value_as_the_variable_and_copies_a_held_one(held):
    with tf.Graph().as_default():
        v = tf.Variable(np.zeros(4, np.float32))
        op = tf.assign(v, tf.placeholder(tf.float32, [4])).op
    state = SessionState()
    kernel = accel.in_place_kernel(op, chosen_kernel(op), [0], {"validate_shape": True},
                                   (state, op.name, v.op.name))
    value = np.arange(4, dtype=np.float32)
    value_id, holder = id(value), (value if held else None)
    values = [value]
    del value
    result = _run_step(kernel, values, [0])
    stored = state.variables[v.op.name]
    assert result is stored and (id(stored) == value_id) is not held
    np.testing.assert_array_equal(stored, [0, 1, 2, 3])
    del holder


@pytest.mark.parametrize("reader", [None, "alias", "view"])
def test_an_assign_replaces_a_buffer_only_the_state_holds_and_copies_into_a_held_one(reader):
    # TF's Assign copies into the variable's buffer; keeping the dying value instead is the
    # same to every reader only when no reader holds the old buffer
    with tf.Graph().as_default():
        v = tf.Variable(np.zeros(4, np.float32))
        op = tf.assign(v, tf.placeholder(tf.float32, [4])).op
    state = SessionState()
    state.variables[v.op.name] = old = np.zeros(4, np.float32)
    old_id = id(old)
    holder = {None: None, "alias": old, "view": old[1:]}[reader]
    del old
    kernel = accel.in_place_kernel(op, chosen_kernel(op), [0], {"validate_shape": True},
                                   (state, op.name, v.op.name))
    value = np.arange(4, dtype=np.float32)
    value_id = id(value)
    values = [value]
    del value
    stored = _run_step(kernel, values, [0])
    assert stored is state.variables[v.op.name]
    assert id(stored) == (value_id if reader is None else old_id)
    np.testing.assert_array_equal(stored, [0, 1, 2, 3])
    if reader is not None:
        np.testing.assert_array_equal(holder, [0, 1, 2, 3][-holder.size:])


def test_reads_under_an_assigns_control_dependency_see_a_float_value_assigned_in_place():
    with tf.Graph().as_default():
        v = tf.Variable(np.ones(1000, np.float32))
        step = tf.assign(v, v * 2.0)  # v * 2.0 dies at the Assign
        with tf.control_dependencies([step]):
            snap = tf.identity(v)
        with tf.Session() as sess:
            sess.run(v.initializer)
            got = [sess.run(snap)[0] for _ in range(3)]
            sess.run(step)
            alone = sess.run(v)[0]
    assert got == [2.0, 4.0, 8.0] and alone == 16.0


def test_a_variable_keeping_an_assigned_buffer_is_updated_apart_from_what_was_fetched():
    with tf.Graph().as_default():
        v = tf.Variable(np.arange(4, dtype=np.float32))
        w = tf.Variable(np.zeros(4, np.float32))
        doubled = tf.assign(v, v * 2.0)  # v * 2.0 dies at the Assign: v keeps that buffer
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(doubled)
            sess.run(tf.assign(w, v.value()))  # v's own value: w gets a copy
            sess.run(tf.assign_add(v, np.ones(4, np.float32)))
            np.testing.assert_array_equal(first, [0, 2, 4, 6])
            np.testing.assert_array_equal(sess.run(v), [1, 3, 5, 7])
            np.testing.assert_array_equal(sess.run(w), [0, 2, 4, 6])


def test_each_step_of_a_chain_writes_into_the_result_of_the_step_just_before(decisions):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [1000])
        chain = tf.sqrt(tf.square(x * 2.0) + 1.0) * 3.0
        with tf.Session() as sess:
            value = sess.run(chain, {x: np.ones(1000, np.float32)})
    assert decisions == [True] * 4  # each step after x * 2.0 (x is fed: the caller's)
    np.testing.assert_allclose(value, 3.0 * np.sqrt(5.0))
