"""Behaviour of tf.Graph: default graphs, naming, lookup, collections, scopes and devices."""
import ast
import inspect
import threading

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.core.constants import constant_value


# --- default graph -------------------------------------------------------------------------------
def test_as_default_switches_the_default_graph_and_restores_it():
    outer = tf.get_default_graph()
    g = tf.Graph()
    with g.as_default() as entered:
        assert entered is g
        assert tf.get_default_graph() is g
        c = tf.constant(1.0)
    assert c.graph is g
    assert tf.get_default_graph() is outer
    assert c.op not in outer.get_operations()


def test_reset_default_graph_gives_an_empty_graph():
    tf.constant(1.0, name="c")
    old = tf.get_default_graph()
    tf.reset_default_graph()
    new = tf.get_default_graph()
    assert new is not old
    assert new.get_operations() == []
    assert tf.constant(2.0, name="c").name == "c:0"


def test_reset_default_graph_inside_a_nested_graph_is_refused():
    with tf.Graph().as_default():
        with pytest.raises(AssertionError):
            tf.reset_default_graph()


def _in_thread(fn):
    """Runs `fn` in a new thread and returns its result (or raises its exception)."""
    result = {}

    def target():
        try:
            result["value"] = fn()
        except BaseException as e:  # noqa: BLE001 -- handed back to the test
            result["error"] = e
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def test_a_thread_entering_a_graph_leaves_other_threads_default_alone():
    main_default = tf.get_default_graph()
    entered, release = threading.Event(), threading.Event()

    def enter_a_graph():
        with tf.Graph().as_default():
            entered.set()
            release.wait(10)
    thread = threading.Thread(target=enter_a_graph)
    thread.start()
    try:
        entered.wait(10)
        assert tf.get_default_graph() is main_default
    finally:
        release.set()
        thread.join()


def test_each_thread_has_its_own_default_graph_stack_and_global_graph():
    # As in TF (checked against TensorFlow): a new thread sees neither the graph another thread
    # entered nor that thread's global default graph, and can reset its own freely.
    main_default = tf.get_default_graph()
    g = tf.Graph()

    def look():
        first = tf.get_default_graph()
        tf.constant(1.0, name="c")
        same = tf.get_default_graph() is first
        tf.reset_default_graph()  # allowed: this thread is not inside g.as_default()
        return first, same, tf.get_default_graph() is first
    with g.as_default():
        first, same, kept_after_reset = _in_thread(look)
        assert tf.get_default_graph() is g
    assert first is not main_default and first is not g and same
    assert not kept_after_reset
    assert main_default.get_operations() == [] and g.get_operations() == []
    assert tf.get_default_graph() is main_default
    with g.as_default():  # entering a graph in a thread is how threads share one
        assert _in_thread(lambda: _entered_default(g)) is g


def _entered_default(graph):
    with graph.as_default():
        return tf.get_default_graph()


def test_graph_module_does_not_import_the_runtime():
    # Tensor.eval and Operation.run find the default session through core/context.py.
    from tensorweave.core import context, graph
    for module in (graph, context):
        tree = ast.parse(inspect.getsource(module))
        imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names]
        assert not [name for name in imported if name and name.startswith("tensorweave.runtime")]


def test_finalized_graph_refuses_new_ops():
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0)
        g.finalize()
        assert g.finalized
        with pytest.raises(RuntimeError, match="finalized"):
            tf.constant(2.0)
        with pytest.raises(RuntimeError):
            tf.Variable(1.0)
        with pytest.raises(RuntimeError):
            tf.add_to_collection("losses", 1.0)
    assert len(g.get_operations()) == 1


def test_finalized_graph_can_still_be_run():
    g = tf.Graph()
    with g.as_default():
        y = tf.constant(3.0) * 2
    g.finalize()
    with tf.Session(graph=g) as sess:
        assert sess.run(y) == 6.0


def test_op_mixing_tensors_of_two_graphs_raises_value_error():
    g1, g2 = tf.Graph(), tf.Graph()
    with g1.as_default():
        a = tf.constant(1.0)
    with g2.as_default():
        b = tf.constant(2.0)
    with pytest.raises(ValueError, match="same graph"):
        tf.add(a, b)
    with g2.as_default(), pytest.raises(ValueError):
        b + a


# --- lookup --------------------------------------------------------------------------------------
def test_get_operation_and_tensor_by_name():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.name_scope("layer"):
        y = tf.identity(x, name="y")
    g = tf.get_default_graph()
    assert g.get_operation_by_name("x") is x.op
    assert g.get_operation_by_name("layer/y") is y.op
    assert g.get_tensor_by_name("layer/y:0") is y
    assert g.as_graph_element("x:0") is x
    with pytest.raises(KeyError):
        g.get_operation_by_name("missing")
    with pytest.raises(KeyError):
        g.get_tensor_by_name("x:1")
    with pytest.raises(ValueError):
        g.get_tensor_by_name("x")  # an op name, not a tensor name
    with pytest.raises(ValueError):
        g.get_operation_by_name("x:0")  # a tensor name, not an op name
    with pytest.raises(TypeError):
        g.get_operation_by_name(x)


def test_get_operations_lists_ops_in_creation_order():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    c = tf.add(a, b, name="c")
    assert [op.name for op in tf.get_default_graph().get_operations()] == ["a", "b", "c"]
    assert c.op.inputs == (a, b)


# --- names ---------------------------------------------------------------------------------------
def test_repeated_names_are_uniquified():
    assert tf.constant(1, name="c").name == "c:0"
    assert tf.constant(1, name="c").name == "c_1:0"
    assert tf.constant(1, name="c").name == "c_2:0"
    assert tf.constant(1).name == "Const:0"
    assert tf.constant(1).name == "Const_1:0"
    # a name that collides with a generated one is itself uniquified
    assert tf.constant(1, name="c_1").name == "c_1_1:0"


def test_absolute_names_are_used_exactly_but_never_twice():
    with tf.name_scope("scope"):
        c = tf.constant(1.0, name="exact/")
        with pytest.raises(ValueError, match="Duplicate"):
            tf.constant(2.0, name="exact/")
    assert c.name == "exact:0"
    assert tf.constant(3.0, name="exact").name == "exact_1:0"


def test_name_scope_prefixes_and_uniquifies_like_tf():
    with tf.name_scope("hidden1"):
        w1 = tf.Variable(tf.zeros([2, 2]), name="weights")
        b1 = tf.Variable(tf.zeros([2]), name="biases")
    with tf.name_scope("hidden1"):
        w2 = tf.Variable(tf.zeros([2, 2]), name="weights")
    assert w1.name == "hidden1/weights:0"
    assert b1.name == "hidden1/biases:0"
    assert w2.name == "hidden1_1/weights:0"
    assert w1.initializer.name == "hidden1/weights/Assign"
    assert w1.value().name == "hidden1/weights/read:0"


def test_name_scope_yields_the_scope_string_and_nests():
    with tf.name_scope("outer") as outer:
        assert outer == "outer/"
        with tf.name_scope("inner") as inner:
            assert inner == "outer/inner/"
            c = tf.constant(1.0, name="c")
        with tf.name_scope("inner") as inner2:
            assert inner2 == "outer/inner_1/"
    assert c.name == "outer/inner/c:0"
    assert tf.get_default_graph().get_name_scope() == ""


def test_reentering_a_captured_name_scope_reuses_it():
    with tf.name_scope("block") as scope:
        pass
    with tf.name_scope(scope):
        c = tf.constant(1.0, name="c")
    with tf.name_scope(None):
        d = tf.constant(1.0, name="d")
    assert c.name == "block/c:0"
    assert d.name == "d:0"


def test_name_scope_with_default_name_and_values():
    g = tf.Graph()
    with g.as_default():
        x = tf.constant(1.0)
    with tf.name_scope(None, "helper", [x]) as scope:
        assert tf.get_default_graph() is g  # the graph of `values` becomes the default
        y = tf.identity(x)
    assert scope == "helper/"
    assert y.name == "helper/Identity:0"


def test_invalid_names_raise_value_error():
    with pytest.raises(ValueError):
        with tf.name_scope("bad name!"):
            pass
    with pytest.raises(ValueError, match="not a valid node name"):
        tf.constant(1.0, name="bad name!")
    assert tf.get_default_graph().get_operations() == []


# --- collections ---------------------------------------------------------------------------------
def test_graph_keys_have_tf_values():
    assert tf.GraphKeys.GLOBAL_VARIABLES == "variables"
    assert tf.GraphKeys.TRAINABLE_VARIABLES == "trainable_variables"
    assert tf.GraphKeys.LOCAL_VARIABLES == "local_variables"
    assert tf.GraphKeys.SUMMARIES == "summaries"
    assert tf.GraphKeys.UPDATE_OPS == "update_ops"
    assert tf.GraphKeys.LOSSES == "losses"
    assert tf.GraphKeys.REGULARIZATION_LOSSES == "regularization_losses"
    assert tf.GraphKeys.TRAIN_OP == "train_op"
    assert tf.GraphKeys.GLOBAL_STEP == "global_step"


def test_variables_land_in_their_collections():
    w = tf.Variable(1.0, name="w")
    frozen = tf.Variable(2.0, name="frozen", trainable=False)
    local = tf.Variable(3.0, name="local", trainable=False,
                        collections=[tf.GraphKeys.LOCAL_VARIABLES])
    assert tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES) == [w, frozen]
    assert tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES) == [w]
    assert tf.get_collection(tf.GraphKeys.LOCAL_VARIABLES) == [local]


def test_add_to_collection_and_scope_filter():
    with tf.name_scope("tower_0"):
        loss0 = tf.constant(1.0, name="loss")
    with tf.name_scope("tower_1"):
        loss1 = tf.constant(2.0, name="loss")
    tf.add_to_collection(tf.GraphKeys.LOSSES, loss0)
    tf.add_to_collection(tf.GraphKeys.LOSSES, loss1)
    tf.add_to_collections([tf.GraphKeys.UPDATE_OPS, "mine"], loss1.op)
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss0, loss1]
    assert tf.get_collection(tf.GraphKeys.LOSSES, scope="tower_1") == [loss1]
    assert tf.get_collection(tf.GraphKeys.LOSSES, scope="tower_") == [loss0, loss1]
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == [loss1.op]
    assert tf.get_collection("mine") == [loss1.op]
    assert tf.get_collection("never used") == []


def test_get_collection_returns_a_copy_and_get_collection_ref_the_list():
    tf.add_to_collection("things", 1)
    copy = tf.get_collection("things")
    copy.append(2)
    assert tf.get_collection("things") == [1]
    ref = tf.get_collection_ref("things")
    ref.append(3)
    assert tf.get_collection("things") == [1, 3]
    assert "things" in tf.get_default_graph().get_all_collection_keys()


def test_collections_are_per_graph():
    g = tf.Graph()
    with g.as_default():
        tf.add_to_collection("k", "in g")
    assert tf.get_collection("k") == []
    assert g.get_collection("k") == ["in g"]


# --- control dependencies and grouping -----------------------------------------------------------
def test_control_dependencies_run_first():
    counter = tf.Variable(0, name="counter")
    increment = tf.assign_add(counter, 1)
    with tf.control_dependencies([increment]):
        after = tf.identity(counter.value())
    assert increment.op in after.op.control_inputs
    with tf.Session() as sess:
        sess.run(counter.initializer)
        assert sess.run(after) == 1
        assert sess.run(after) == 2
        assert sess.run(counter) == 2


def test_control_dependencies_nest_and_none_clears_them():
    a = tf.no_op(name="a")
    b = tf.no_op(name="b")
    with tf.control_dependencies([a]):
        with tf.control_dependencies([b]):
            both = tf.constant(1.0)
        with tf.control_dependencies(None):
            neither = tf.constant(2.0)
    assert set(both.op.control_inputs) == {a, b}
    assert neither.op.control_inputs == []


def test_group_runs_all_its_inputs_and_fetches_none():
    v1 = tf.Variable(0.0)
    v2 = tf.Variable(10.0)
    step = tf.group(tf.assign_add(v1, 1.0), tf.assign_sub(v2, 1.0), name="step")
    assert step.type == "NoOp"
    assert step.name == "step"
    assert step.outputs == ()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(step) is None
        sess.run(step)
        assert sess.run([v1, v2]) == [2.0, 8.0]


def test_no_op_does_nothing_and_fetches_none():
    op = tf.no_op(name="nothing")
    assert isinstance(op, tf.Operation)
    with tf.Session() as sess:
        assert sess.run(op) is None


# --- devices -------------------------------------------------------------------------------------
def test_device_scopes_are_recorded_as_canonical_strings():
    with tf.device("/cpu:0"):
        a = tf.constant(1.0, name="a")
        with tf.device("/job:worker/task:1"):
            b = tf.constant(1.0, name="b")
    with tf.device("/gpu:1"):
        c = tf.constant(1.0, name="c")
        with tf.device(None):
            d = tf.constant(1.0, name="d")
    e = tf.constant(1.0, name="e")
    assert a.op.device == "/device:CPU:0"
    assert a.device == "/device:CPU:0"
    assert b.op.device == "/job:worker/task:1/device:CPU:0"
    assert c.op.device == "/device:GPU:1"
    assert d.op.device == ""
    assert e.op.device == ""


def test_device_function_chooses_per_op():
    def by_type(op):
        return "/gpu:0" if op.type == "MatMul" else "/cpu:0"

    with tf.device("/job:worker"):
        with tf.device(by_type):
            a = tf.constant([[1.0]])
            b = tf.matmul(a, a)
    assert a.op.device == "/job:worker/device:CPU:0"
    assert b.op.device == "/job:worker/device:GPU:0"


def test_log_device_placement_prints_every_op(capsys):
    with tf.device("/cpu:0"):
        a = tf.constant(1.0, name="a")
        b = tf.constant(2.0, name="b")
        total = tf.add(a, b, name="total")
    config = tf.ConfigProto(log_device_placement=True)
    with tf.Session(config=config) as sess:
        assert sess.run(total) == 3.0
    err = capsys.readouterr().err
    for name, kind in (("a", "Const"), ("b", "Const"), ("total", "Add")):
        assert f"{name}: ({kind}): /job:localhost/replica:0/task:0/device:CPU:0" in err


def test_gpu_device_needs_soft_placement():
    with tf.device("/device:GPU:0"):
        y = tf.constant(2.0, name="on_gpu") * 3.0
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="on_gpu") as info:
            sess.run(y)
        assert "GPU:0" in str(info.value)
    config = tf.ConfigProto(allow_soft_placement=True)
    with tf.Session(config=config) as sess:
        assert sess.run(y) == 6.0


def test_unknown_config_field_raises():
    with pytest.raises(ValueError):
        tf.ConfigProto(no_such_field=True)


def test_graph_version_grows_with_ops():
    g = tf.get_default_graph()
    before = g.version
    tf.constant(np.zeros(3))
    assert g.version > before


def test_constant_value_reads_through_the_ops_that_say_their_value():
    """constant_value asks each op type's `value` facet: Const, a known Shape, Pack, Identity,
    Cast, and Fill (tf.zeros of 1000+ elements builds Fill, as TF)."""
    big = tf.zeros([1000, 2])
    assert big.op.type == "Fill"
    assert np.array_equal(constant_value(big), np.zeros([1000, 2], np.float32))
    x = tf.placeholder(tf.float32, [3, 4])
    assert constant_value(tf.shape(x)).tolist() == [3, 4]
    assert constant_value(tf.shape(tf.placeholder(tf.float32, [None, 4]))) is None
    packed = tf.stack([tf.constant(1), tf.constant(2)])
    assert constant_value(tf.cast(tf.identity(packed), tf.float32)).tolist() == [1.0, 2.0]
    assert constant_value(tf.fill([2], tf.placeholder(tf.float32, []))) is None
    assert constant_value(x) is None and constant_value(3) is None


def test_graph_extension_keeps_one_state_per_graph_and_key():
    """Libraries keep per-graph state through graph.extension(key, factory)."""
    made = []

    def factory():
        made.append(1)
        return {}

    g1, g2 = tf.Graph(), tf.Graph()
    assert g1.extension(factory, factory) is g1.extension(factory, factory)
    assert g1.extension(factory, factory) is not g2.extension(factory, factory)
    assert len(made) == 2
    assert g1.extension("other", list) == []


def test_op_creation_index_orders_ops_and_seeds_follow_the_last_one():
    g = tf.Graph()
    with g.as_default():
        a = tf.constant(1.0)
        b = a + 1
    assert a.op.creation_index < b.op.creation_index == g.last_op_id == len(g.get_operations())


def test_values_become_constants_named_in_their_ops_scope_as_tensorflow_names_them():
    with tf.Graph().as_default() as graph:
        a = tf.placeholder(tf.float32, [None, 784])
        tf.add(a, 2.0, name="b")
        a * 3.0, 3.0 * a, tf.multiply(a, 2.0), a / 2.0, tf.div(a, 2.0)  # noqa: B018
        tf.matmul([[1.0]], [[2.0]])
        tf.constant(1) / 2
        tf.reshape(a, [-1, 28, 28, 1])
        tf.sqrt(2.0)
        a > 0.5  # noqa: B018
    # TF 2.15's compat.v1 graph for the same lines
    assert [op.name for op in graph.get_operations()] == [
        "Placeholder", "b/y", "b", "mul/y", "mul", "mul_1/x", "mul_1", "Mul_2/y", "Mul_2",
        "truediv/y", "truediv", "div/y", "div", "MatMul/a", "MatMul/b", "MatMul", "Const",
        "truediv_1/y", "truediv_1/Cast", "truediv_1/Cast_1", "truediv_1", "Reshape/shape",
        "Reshape", "Sqrt/x", "Sqrt", "Greater/y", "Greater"]


def test_printing_an_operation_gives_its_node_def_text_as_tf():
    # TF's Operation.__str__ is str(op.node_def); the repr stays <tf.Operation ...>
    pytest.importorskip("tensorboard")
    a = tf.constant([[1.0, 2.0]])
    b = tf.constant([[1.0], [3.0]])
    op = tf.matmul(a, b, name="exampleop").op
    text = str(op)
    assert text.startswith('name: "exampleop"\nop: "MatMul"\ninput: "Const"\ninput: "Const_1"\n')
    assert 'key: "transpose_a"' in text and "type: DT_FLOAT" in text and text.endswith("}\n")
    assert repr(op) == "<tf.Operation 'exampleop' type=MatMul>"
    assert str([op]) == "[<tf.Operation 'exampleop' type=MatMul>]"


def test_a_variables_node_def_is_tfs():
    # TF 1.15's VariableV2 NodeDef: shared_name "" (the variable is its node's) and container ""
    pytest.importorskip("tensorboard")
    with tf.Graph().as_default() as graph:
        v = tf.Variable(1.0, name="v")
        node, = [n for n in graph.as_graph_def().node if n.name == "v"]
    assert node.attr["shared_name"].s == b"" and node.attr["container"].s == b""
    assert str(v.op.node_def) == str(v.op) == str(node)
