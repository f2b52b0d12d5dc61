"""tf.reverse, tf.roll, space/depth/batch moves, patches, diagonals, bands, eye, linspace,
meshgrid, repeat, boolean_mask, where_v2, bitcast, ... against TensorFlow's numbers
(tests/fixtures/rearrange_reference.json, made by make_rearrange_reference.py), and their
errors and static shapes as TensorFlow gives them."""
import json
import pathlib

import numpy as np
import pytest

import tensorweave as tf

_FIXTURE = pathlib.Path(__file__).parents[1] / "fixtures" / "rearrange_reference.json"
_CASES = json.loads(_FIXTURE.read_text())["cases"]


def _decode(value):
    if isinstance(value, dict) and "array" in value:
        return np.array(value["array"], dtype=value["dtype"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _weights(shape):
    n = int(np.prod(shape))
    return np.cos(np.arange(n) * 0.7 + 0.3).reshape(shape)


def _call(fn, args, kwargs):
    if fn == "bitcast":
        return tf.bitcast(args[0], tf.as_dtype(args[1]))
    if fn == "eye" and "dtype" in kwargs:
        kwargs = dict(kwargs, dtype=tf.as_dtype(kwargs["dtype"]))
    if fn in ("shape_n", "identity_n", "parallel_stack"):
        return getattr(tf, fn)(list(args), **kwargs)
    return getattr(tf, fn)(*args, **kwargs)


def _ids():
    seen = {}
    for row in _CASES:
        seen[row["fn"]] = seen.get(row["fn"], -1) + 1
        yield f"{row['fn']}-{seen[row['fn']]}"


@pytest.mark.parametrize("mode", ["const", "placeholder"])
@pytest.mark.parametrize("row", _CASES, ids=list(_ids()))
def test_matches_tensorflow(row, mode):
    """Outputs (and gradients of a weighted sum) equal TensorFlow's, with the array arguments
    as constants and as placeholders of unknown shape."""
    args = [_decode(a) for a in row["args"]]
    grad_at = [int(i) for i in row["grads"]]
    feeds = {}
    with tf.Graph().as_default():
        tensors = []
        for i, a in enumerate(args):
            if not isinstance(a, np.ndarray):
                tensors.append(a)
            elif mode == "placeholder" and (i in grad_at or i == 0):
                t = tf.placeholder(tf.as_dtype(a.dtype), [None] * a.ndim)
                feeds[t] = a
                tensors.append(t)
            else:
                tensors.append(tf.constant(a))
        out = _call(row["fn"], tensors, row["kwargs"])
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        expected = [_decode(v) for v in row["outputs"]]
        with tf.Session() as sess:
            values = sess.run(outs, feeds)
            for t, v, e in zip(outs, values, expected):
                assert t.shape.is_compatible_with(e.shape), (t.shape, e.shape)
                assert np.asarray(v).dtype == e.dtype, (np.asarray(v).dtype, e.dtype)
                np.testing.assert_allclose(v, e, rtol=1e-6, atol=1e-7)
            if grad_at:
                loss = tf.add_n([tf.reduce_sum(o * tf.constant(_weights(e.shape), o.dtype))
                                 for o, e in zip(outs, expected) if o.dtype.is_floating])
                grads = sess.run([tf.convert_to_tensor(g) for g in  # gathers give IndexedSlices
                                  tf.gradients(loss, [tensors[i] for i in grad_at])], feeds)
                for i, g in zip(grad_at, grads):
                    np.testing.assert_allclose(g, _decode(row["grads"][str(i)]), rtol=1e-6,
                                               atol=1e-7, err_msg=f"gradient of argument {i}")


def test_fixture_covers_every_name():
    names = {row["fn"] for row in _CASES}
    assert {"reverse", "roll", "space_to_depth", "depth_to_space", "space_to_batch_nd",
            "batch_to_space_nd", "extract_image_patches", "extract_volume_patches", "eye",
            "matrix_band_part", "repeat", "boolean_mask", "where_v2", "bitcast"} <= names


# --- static shapes and build-time errors as TensorFlow gives them -------------------------------
def _raises(exc, fn, match=None):
    with tf.Graph().as_default():
        with pytest.raises(exc, match=match):
            fn()


def test_build_time_errors():
    x = np.zeros((2, 3))
    _raises(ValueError, lambda: tf.reverse(x, [1, 1]), "specified more than once")
    _raises(ValueError, lambda: tf.reverse(x, [2]), "out of valid range")
    _raises(ValueError, lambda: tf.space_to_depth(np.zeros((1, 3, 4, 1)), 2),
            "evenly divisible by 2 but is 3")
    _raises(ValueError, lambda: tf.depth_to_space(np.zeros((1, 3, 4, 3)), 2),
            "evenly divisible by 4 but is 3")
    _raises(ValueError, lambda: tf.space_to_batch_nd(np.zeros((1, 5, 4, 1)), [2, 2],
                                                     [[0, 0], [0, 0]]), "divisible by 2")
    _raises(ValueError, lambda: tf.batch_to_space_nd(np.zeros((3, 5, 4, 1)), [2, 2],
                                                     [[0, 0], [0, 0]]), "divisible by 4")
    _raises(ValueError, lambda: tf.ensure_shape(np.zeros((3, 3)), [3, 4]), "incompatible")
    _raises(ValueError, lambda: tf.broadcast_static_shape(tf.TensorShape([2, 3]),
                                                          tf.TensorShape([4, 3])),
            "Incompatible shapes for broadcasting")
    _raises(ValueError, lambda: tf.bitcast(np.zeros((2, 4), np.int16), tf.float32),
            "Cannot bitcast")
    _raises(ValueError, lambda: tf.diag_part(np.zeros((3, 4))), "must be equal")
    _raises(ValueError, lambda: tf.boolean_mask(np.zeros((3, 4)), [[True] * 4]),
            "incompatible")
    _raises(ValueError, lambda: tf.boolean_mask(np.zeros((3, 4)), True), "scalar")
    _raises(TypeError, lambda: tf.lin_space(1, 2, 5), "float32 or float64")
    _raises(ValueError, lambda: tf.matrix_diag([1.0, 2.0], k=1), "main diagonal")


@pytest.mark.parametrize("build, message", [
    (lambda: tf.ensure_shape(tf.placeholder_with_default(np.zeros((3, 3)), [None, None]),
                             [3, 4]), r"Shape of tensor \[3,3\] is not compatible with "
                                      r"expected shape \[3,4\]"),
    (lambda: tf.unravel_index(9, [3, 3]), "index is out of bound"),
    (lambda: tf.broadcast_dynamic_shape(tf.placeholder_with_default([2, 3], [None]), [4, 3]),
     r"Incompatible shapes: \[2,3\] vs. \[4,3\]"),
    (lambda: tf.invert_permutation(tf.placeholder_with_default([0, 0, 1], [None])),
     "permutation"),
    (lambda: tf.matrix_set_diag(tf.placeholder_with_default(np.ones((3, 4)), [None, None]),
                                [5., 6, 7, 8]), "diagonal"),
    (lambda: tf.lin_space(1.0, 2.0, tf.placeholder_with_default(0, [])), "num > 0"),
])
def test_run_time_errors_are_invalid_argument(build, message):
    with tf.Graph().as_default():
        t = build()
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match=message):
                sess.run(t)


def test_static_shapes():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32, [None, 4, None, 3])
        assert tf.space_to_depth(p, 2).shape.as_list() == [None, 2, None, 12]
        assert tf.ensure_shape(p, [5, None, 6, None]).shape.as_list() == [5, 4, 6, 3]
        assert tf.extract_image_patches(np.zeros((1, 5, 5, 2)), [1, 3, 3, 1], [1, 2, 2, 1],
                                        [1, 2, 2, 1], "SAME").shape.as_list() == [1, 3, 3, 18]
        assert tf.extract_volume_patches(np.zeros((1, 5, 5, 5, 2)), [1, 3, 3, 2, 1],
                                         [1, 2, 2, 1, 1], "SAME").shape.as_list() == \
            [1, 3, 3, 5, 36]
        n = tf.placeholder(tf.int32, [])
        assert tf.space_to_batch_nd(np.zeros((1, 6, 4, 1)), tf.stack([2, n]),
                                    [[0, 0], [0, 0]]).shape.as_list() == [None, 3, None, 1]
        assert tf.unravel_index([2, 5, 7], [3, 3]).shape.as_list() == [2, 3]
        assert tf.broadcast_dynamic_shape([2, 1], [4, 1, 3]).shape.as_list() == [3]
        assert tf.lin_space(1.0, 2.0, 5).shape.as_list() == [5]
        assert tf.matrix_diag_part(np.zeros((2, 3, 5))).shape.as_list() == [2, 3]
        assert tf.bitcast(np.zeros((2, 4), np.float32), tf.int8).shape.as_list() == [2, 4, 4]
        assert tf.space_to_batch(tf.placeholder(tf.float32), [[0, 0], [0, 0]], 2).shape.ndims \
            == 4
        q = tf.placeholder(tf.float32, [None, 3])
        assert tf.boolean_mask(q, [True, False, True], axis=1).shape.as_list() == [None, None]
        assert tf.repeat(q, 2, axis=1).shape.ndims == 2


def test_default_op_names_as_tensorflow():
    with tf.Graph().as_default():
        assert tf.reverse([1, 2], [0]).op.name == "ReverseV2"
        assert tf.matrix_diag([1.0, 2.0]).op.name == "diag"
        assert tf.matrix_diag_part(np.zeros((2, 2))).op.name == "diag_part"
        assert tf.matrix_set_diag(np.zeros((2, 2)), [1.0, 2.0]).op.name == "set_diag"
        assert tf.where_v2([True], [1.0], [2.0]).op.type == "SelectV2"
        assert tf.parallel_stack([[1.0], [2.0]]).op.name == "parallel_stack"
        assert tf.trace(np.zeros((2, 2))).op.name == "Trace"
        assert tf.eye(2).op.name.startswith("eye/")


def test_nchw_is_nhwc_transposed():
    x = np.arange(2 * 4 * 6 * 3, dtype=np.float64).reshape(2, 4, 6, 3)
    with tf.Graph().as_default(), tf.Session() as sess:
        nchw = tf.space_to_depth(x.transpose(0, 3, 1, 2), 2, data_format="NCHW")
        back = tf.depth_to_space(nchw, 2, data_format="NCHW")
        a, b = sess.run([nchw, back])
        expected = sess.run(tf.space_to_depth(x, 2))
    np.testing.assert_array_equal(a, expected.transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(b, x.transpose(0, 3, 1, 2))


def test_matrix_transpose_of_unknown_rank_and_trace():
    x = np.arange(24.0).reshape(2, 3, 4)
    with tf.Graph().as_default(), tf.Session() as sess:
        p = tf.placeholder(tf.float64)
        t = tf.matrix_transpose(p)
        np.testing.assert_array_equal(sess.run(t, {p: x}), x.transpose(0, 2, 1))
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="rank >= 2"):
            tf.matrix_transpose(np.zeros(3))


def test_no_gradient_where_tensorflow_has_none():
    with tf.Graph().as_default():
        x = tf.constant([1.0, 2.0])
        with pytest.raises(LookupError):
            tf.gradients(tf.reduce_sum(tf.guarantee_const(x)), [x])
        with pytest.raises(LookupError):
            tf.gradients(tf.reduce_sum(tf.parallel_stack([x, x])), [x])
        assert tf.gradients(tf.lin_space(x[0], x[1], 3), [x]) == [None]


def test_eye_with_run_time_sizes():
    with tf.Graph().as_default(), tf.Session() as sess:
        n = tf.placeholder(tf.int32, [])
        e = tf.eye(n, 3, batch_shape=[2])
        assert sess.run(e, {n: 2}).shape == (2, 2, 3)
        np.testing.assert_array_equal(sess.run(e, {n: 4})[1], np.eye(4, 3))


def test_graph_tensorflow_wrote_imports_and_runs():
    """TF's GraphDef with these ops (TF's attrs such as Tidx, N, Tshift included) imports and
    gives TensorFlow's numbers."""
    pytest.importorskip("google.protobuf")
    fixture = json.loads(_FIXTURE.read_text())["graph"]
    graph_def = tf.GraphDef()
    graph_def.ParseFromString(bytes.fromhex(fixture["graph_def"]))
    names = sorted(fixture["outputs"])
    with tf.Graph().as_default() as graph:
        outs = tf.import_graph_def(graph_def, return_elements=names, name="")
        with tf.Session() as sess:
            values = sess.run(outs, {graph.get_tensor_by_name("x:0"): _decode(fixture["x"])})
    for name, value in zip(names, values):
        np.testing.assert_allclose(value, _decode(fixture["outputs"][name]), rtol=1e-6,
                                   err_msg=name)


def test_graph_written_in_tensorflows_form_reads_back():
    """Roll, SelectV2, ShapeN, IdentityN and ParallelConcat get the attrs TensorFlow's OpDefs
    need (Tshift/Taxis, x's T, N, a list T) and read back."""
    pytest.importorskip("google.protobuf")
    from tensorweave.core import tensorflow_forms
    x0 = np.arange(8.0, dtype=np.float32).reshape(2, 4)
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [2, 4], name="x")
        outs = [tf.roll(x, [1], [1]), tf.where_v2(x > 3, x, 0.0), tf.shape_n([x, x])[1],
                tf.identity_n([x, tf.cast(x, tf.int32)])[1], tf.parallel_stack([x, x])]
        graph_def = tensorflow_forms.to_tensorflow(graph)
        with tf.Session() as sess:
            expected = sess.run(outs, {x: x0})
    nodes = {n.name: n for n in graph_def.node}
    assert {"Tshift", "Taxis"} <= set(nodes["Roll"].attr)
    assert nodes["ShapeN"].attr["N"].i == 2
    assert len(nodes["IdentityN"].attr["T"].list.type) == 2
    assert nodes["SelectV2"].attr["T"].type == 1  # DT_FLOAT, not the condition's DT_BOOL
    with tf.Graph().as_default():
        back = tf.import_graph_def(graph_def, return_elements=[t.name for t in outs], name="")
        with tf.Session() as sess:
            for v, e in zip(sess.run(back, {"x:0": x0}), expected):
                np.testing.assert_array_equal(v, e)
