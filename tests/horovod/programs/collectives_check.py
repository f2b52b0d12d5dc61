"""Run under mpirun on 2+ processes: the collectives and their gradients give Horovod's values
on every rank (asserts; prints 'OK rank N')."""
import numpy as np
import tensorflow as tf
import horovod.tensorflow as hvd

hvd.init()
r, n = hvd.rank(), hvd.size()
assert n >= 2, n
assert 0 <= hvd.local_rank() < hvd.local_size() <= n

base = np.arange(6, dtype=np.float32).reshape(2, 3)
x = tf.constant(base + r)
every = np.stack([base + k for k in range(n)])
summed = hvd.allreduce(x, op=hvd.Sum)
averaged = hvd.allreduce(x)
half = hvd.allreduce(x, compression=hvd.Compression.fp16)
ints = hvd.allreduce(tf.constant([r, 1]), op=hvd.Sum)
grouped = hvd.grouped_allreduce([x, tf.constant([float(r)])], op=hvd.Sum)
gathered = hvd.allgather(tf.fill([r + 1, 2], float(r)))
broadcast = hvd.broadcast(x, 1)
adasum = hvd.allreduce(tf.constant([1.0, 0.0]) if r == 0 else tf.constant([0.0, 1.0]),
                       op=hvd.Adasum)
sparse = hvd.allreduce(tf.IndexedSlices(tf.constant([[1.0, 2.0]]) * (r + 1), tf.constant([r]),
                                        tf.constant([n, 2])))

# gradients: d/dx of sum(w * collective(x)) with a rank-dependent w
w = tf.constant(np.full((2, 3), r + 1.0, np.float32))
g_sum, = tf.gradients(tf.reduce_sum(w * summed), [x])
g_gather, = tf.gradients(tf.reduce_sum(hvd.allgather(x) * tf.tile(w, [n, 1])), [x])
g_bcast, = tf.gradients(tf.reduce_sum(w * broadcast), [x])

with tf.Session() as sess:
    got = sess.run({"summed": summed, "averaged": averaged, "half": half, "ints": ints,
                    "grouped": grouped, "gathered": gathered, "broadcast": broadcast,
                    "adasum": adasum, "sparse_values": sparse.values,
                    "sparse_indices": sparse.indices, "g_sum": g_sum, "g_gather": g_gather,
                    "g_bcast": g_bcast, "size": hvd.size_op(), "rank": hvd.rank_op()})
    np.testing.assert_array_equal(got["summed"], every.sum(0))
    np.testing.assert_allclose(got["averaged"], every.mean(0), rtol=1e-6)
    assert got["half"].dtype == np.float32
    np.testing.assert_allclose(got["half"], every.mean(0), rtol=1e-3)
    np.testing.assert_array_equal(got["ints"], [sum(range(n)), n])
    np.testing.assert_array_equal(got["grouped"][0], every.sum(0))
    np.testing.assert_array_equal(got["grouped"][1], [sum(range(n))])
    np.testing.assert_array_equal(
        got["gathered"], np.concatenate([np.full((k + 1, 2), float(k)) for k in range(n)]))
    np.testing.assert_array_equal(got["broadcast"], base + 1)
    if n == 2:  # orthogonal gradients add up under Adasum
        np.testing.assert_allclose(got["adasum"], [1.0, 1.0])
    np.testing.assert_array_equal(got["sparse_indices"], np.arange(n))
    np.testing.assert_allclose(got["sparse_values"],
                               [[(k + 1) / n, 2 * (k + 1) / n] for k in range(n)])
    ranks_w = sum(k + 1.0 for k in range(n))
    np.testing.assert_array_equal(got["g_sum"], np.full((2, 3), ranks_w))
    np.testing.assert_array_equal(got["g_gather"], np.full((2, 3), ranks_w))
    np.testing.assert_array_equal(got["g_bcast"], np.full((2, 3), ranks_w if r == 1 else 0.0))
    assert got["size"] == n and got["rank"] == r

    # the optimizer: fused groups, Sum and backward passes
    v = tf.Variable(np.ones(3, np.float32) * (r + 1))
    u = tf.Variable(np.ones(2, np.float32))
    loss = tf.reduce_sum(v * v) + tf.reduce_sum(u) * (r + 1)
    train = hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1)).minimize(loss)
    grouped_types = {op.type for op in tf.get_default_graph().get_operations()}
    assert "HorovodGroupedAllreduce" in grouped_types, grouped_types
    sess.run(tf.global_variables_initializer())
    sess.run(hvd.broadcast_global_variables(0))
    np.testing.assert_array_equal(sess.run(v), np.ones(3))
    sess.run(train)
    np.testing.assert_allclose(sess.run(v), np.ones(3) * 0.8, rtol=1e-6)
    mean_ranks = sum(k + 1.0 for k in range(n)) / n
    np.testing.assert_allclose(sess.run(u), 1 - 0.1 * mean_ranks, rtol=1e-6)

    a = tf.Variable(0.0)
    step_loss = a * float(r + 1)
    opt = hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(1.0),
                                   backward_passes_per_step=2, op=hvd.Sum)
    train2 = opt.minimize(step_loss)
    sess.run(tf.global_variables_initializer())
    sess.run(tf.local_variables_initializer())
    sess.run(train2)
    assert sess.run(a) == 0.0  # first pass only accumulates
    sess.run(train2)
    np.testing.assert_allclose(sess.run(a), -sum(k + 1.0 for k in range(n)))

    # large buffers (the ring, reading the input in place): sums, means, ints, a fused group;
    # the input stays as it was and every rank gets the same bits
    big = np.random.RandomState(r).rand(100003).astype(np.float32)
    every_big = [np.random.RandomState(k).rand(100003).astype(np.float32) for k in range(n)]
    source = tf.Variable(big)
    big_ints = tf.constant(np.arange(50000, dtype=np.int64) * (r + 1))
    parts = [tf.constant(np.full(40000, r + 1.0)), tf.constant(np.full((3, 10000), r + 2.0))]
    sess.run(source.initializer)
    got = sess.run({"sum": hvd.allreduce(source.value(), op=hvd.Sum),
                    "mean": hvd.allreduce(source.value()),
                    "ints": hvd.allreduce(big_ints, op=hvd.Sum),
                    "int_mean": hvd.allreduce(big_ints),
                    "group": hvd.grouped_allreduce(parts)})
    np.testing.assert_allclose(got["sum"], np.sum(every_big, 0), rtol=1e-6)
    np.testing.assert_allclose(got["mean"], np.mean(every_big, 0), rtol=1e-6)
    np.testing.assert_array_equal(sess.run(source), big)
    ranks_1 = sum(k + 1 for k in range(n))
    np.testing.assert_array_equal(got["ints"], np.arange(50000) * ranks_1)
    np.testing.assert_array_equal(got["int_mean"], np.arange(50000) * ranks_1 // n)
    np.testing.assert_allclose(got["group"][0], np.full(40000, ranks_1 / n))
    np.testing.assert_allclose(got["group"][1], np.full((3, 10000), ranks_1 / n + 1))
    bits = hvd.allgather(tf.reshape(tf.bitcast(hvd.allreduce(source.value()), tf.int32),
                                    [1, -1]))
    rows = sess.run(bits)
    assert all(np.array_equal(row, rows[0]) for row in rows)

    # gradients whose static shapes are partly unknown are fused by their variables' sizes
    with tf.Graph().as_default():
        inputs = tf.placeholder(tf.float32, [None, 5])
        hidden = tf.layers.dense(inputs, 4, activation=tf.nn.relu)
        out = tf.layers.dense(hidden, 1)
        hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1)).minimize(
            tf.reduce_mean(out))
        types = [op.type for op in tf.get_default_graph().get_operations()
                 if op.type.startswith("HorovodAllreduce") or op.type.startswith("HorovodGr")]
        assert types == ["HorovodGroupedAllreduce"], types
print(f"OK rank {r}", flush=True)
