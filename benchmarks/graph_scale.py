"""Cost as graphs grow: building, planning (the first Session.run) and running graphs of 1k, 10k
and 100k ops, and importing a ResNet-50-sized GraphDef, on tensorweave and, where installed, on
TensorFlow's compat.v1 (a subprocess with a separate Python, as installed).

    python benchmarks/graph_scale.py [--sizes 1000 10000 100000] [--tf-python PY]

The graphs are chains of small elementwise ops with a reshape/concat every few ops, on 8-element
tensors, so the numbers are the framework's own per-op costs, not kernel time. Printed per size:
build seconds, plan seconds (first run minus one steady run), microseconds per op of planning
and of a steady Session.run, and planning per op relative to the smallest size (flat = linear).
Goals (issue 24): planning grows linearly, a 10k-op graph plans in under 0.5 s, the per-op cost
of a steady run stays flat.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import tf_modes

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("TENSORWEAVE_ACCEL", "1")


def chain(tf, n_ops):
    """(graph, fetch, feed) of about n_ops ops: a chain of Mul/Add with a Reshape+ConcatV2
    +Slice detour every 8 steps."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [8], name="x")
        h = x
        for i in range(n_ops // 4):
            if i % 8 == 7:
                h = tf.slice(tf.concat([tf.reshape(h, [2, 4]), tf.ones([1, 4])], 0), [0, 0],
                             [2, 4])
                h = tf.reshape(h, [8])
            else:
                h = h * 0.999 + 0.001
    return graph, h, {x: np.ones(8, np.float32)}


def time_chain(tf, n_ops):
    """{"ops", "build", "plan", "run"} seconds for one chain graph."""
    start = time.perf_counter()
    graph, fetch, feed = chain(tf, n_ops)
    built = time.perf_counter()
    with tf.Session(graph=graph) as sess:
        sess.run(fetch, feed)
        first = time.perf_counter()
        runs = 5
        for _ in range(runs):
            sess.run(fetch, feed)
        steady = (time.perf_counter() - first) / runs
    ops = len(graph.get_operations())
    return {"ops": ops, "build": built - start, "plan": first - built - steady, "run": steady}


def resnet50_graph_def(tf):
    """A ResNet-50-sized inference GraphDef (tf.layers, 53 convolutions with batch norm, the
    bottleneck layout) built in this process, its variables folded to constants."""
    graph = tf.Graph()
    with graph.as_default():
        images = tf.placeholder(tf.float32, [1, 32, 32, 3], name="images")

        def conv_bn(h, filters, kernel, stride=1, relu=True):
            h = tf.layers.conv2d(h, filters, kernel, stride, padding="same", use_bias=False)
            h = tf.layers.batch_normalization(h, training=False, fused=True)
            return tf.nn.relu(h) if relu else h

        h = tf.layers.max_pooling2d(conv_bn(images, 64, 7, 2), 3, 2, padding="same")
        for stage, (blocks, width) in enumerate(((3, 64), (4, 128), (6, 256), (3, 512))):
            for block in range(blocks):
                stride = 2 if block == 0 and stage > 0 else 1
                shortcut = h
                if block == 0:
                    shortcut = conv_bn(h, 4 * width, 1, stride, relu=False)
                y = conv_bn(h, width, 1, stride)
                y = conv_bn(y, width, 3)
                y = conv_bn(y, 4 * width, 1, relu=False)
                h = tf.nn.relu(y + shortcut)
        logits = tf.layers.dense(tf.reduce_mean(h, [1, 2]), 10, name="logits")
        tf.identity(logits, name="output")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return tf.graph_util.convert_variables_to_constants(
                sess, graph.as_graph_def(), ["output"])


def time_import(tf):
    """{"nodes", "import", "plan", "run"} seconds for the ResNet-50-sized GraphDef."""
    graph_def = resnet50_graph_def(tf)
    start = time.perf_counter()
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    imported = time.perf_counter()
    feed = {"images:0": np.ones([1, 32, 32, 3], np.float32)}
    with tf.Session(graph=graph) as sess:
        sess.run("output:0", feed)
        first = time.perf_counter()
        sess.run("output:0", feed)
        steady = time.perf_counter() - first
    return {"nodes": len(graph_def.node), "import": imported - start,
            "plan": first - imported - steady, "run": steady}


def measure(tf, sizes):
    return {"chains": [time_chain(tf, n) for n in sizes], "resnet50": time_import(tf)}


def tensorflow_measure(python, sizes):
    """measure() under TensorFlow as installed, in a subprocess, or None if unavailable."""
    return tf_modes.run_json(python, [__file__, "--impl", "tensorflow", "--sizes", *sizes])


def report(name, result):
    chains = result["chains"]
    base = chains[0]["plan"] / chains[0]["ops"]
    print(f"{name}: {'ops':>7} {'build s':>8} {'plan s':>8} {'plan us/op':>11} "
          f"{'x smallest':>10} {'run us/op':>10}")
    for c in chains:
        per_op = c["plan"] / c["ops"]
        print(f"{'':{len(name) + 1}} {c['ops']:7d} {c['build']:8.3f} {c['plan']:8.3f} "
              f"{per_op * 1e6:11.1f} {per_op / base:10.2f} {c['run'] / c['ops'] * 1e6:10.2f}")
    r = result["resnet50"]
    print(f"{'':{len(name) + 1}} ResNet-50-sized GraphDef, {r['nodes']} nodes: import "
          f"{r['import']:.3f} s, plan {r['plan']:.3f} s, run {r['run'] * 1e3:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--tf-python", default=os.environ.get("TENSORWEAVE_TF_PYTHON",
                                                              "/work/tfenv/bin/python"))
    parser.add_argument("--impl", choices=["tensorweave", "tensorflow"], default="tensorweave",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.impl == "tensorflow":
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        print(json.dumps(measure(tf, args.sizes)))
        return
    sys.path.insert(0, str(REPO))
    import tensorweave as tf
    print(f"load average {os.getloadavg()[0]:.1f}")
    report("tensorweave", measure(tf, args.sizes))
    theirs = tensorflow_measure(args.tf_python, args.sizes)
    if theirs:
        report("tensorflow", theirs)


if __name__ == "__main__":
    main()
