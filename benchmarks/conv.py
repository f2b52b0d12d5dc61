"""The deep MNIST training step (batch 50) and conv2d alone, forward and backward, on tensorweave
and on TensorFlow's compat.v1 (run as a subprocess with a separate Python, where installed).

    python benchmarks/conv.py [--steps 10] [--rounds 3] [--tf-python /opt/tfref/bin/python]

Prints milliseconds per step for both and their ratio (goals: the step <= 1.0x and conv2d
<= 1.2x TensorFlow as installed), against TensorFlow as installed (its own default on this CPU:
oneDNN on where the CPU has AVX-512), with oneDNN forced on and with it forced off
(benchmarks/tf_modes.py), and the GFLOP/s each achieves next to this machine's measured SGEMM
peak (NumPy's BLAS with the same threads), so the gap to the limit shows. Run it with
OPENBLAS_NUM_THREADS=1 and unset: on a loaded machine BLAS threads only contend. Then what
bounds tensorweave's step: its heaviest kernels timed one by one on the step's arrays, and the
time NumPy's matrix products alone take for the same convolutions (im2col shapes) and dense
layers. The two are measured in alternating rounds and the best round of each counts, so a
busy machine affects both alike.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import tf_modes

# Benchmarks run tensorweave as tuned as it gets: speed variants and process tuning
# (runtime/accel). TENSORWEAVE_ACCEL=0 measures the plain NumPy reference kernels.
os.environ.setdefault("TENSORWEAVE_ACCEL", "1")

REPO = Path(__file__).resolve().parents[1]
BATCH = 50
CONV_SHAPES = ((BATCH, 14, 14, 32), (5, 5, 32, 64))  # the second layer: the heaviest


def _conv_flops(n, h, w, c, kh, kw, k):
    """Multiply-adds x 2 of a stride-1 SAME convolution, counting only taps inside the image."""
    def taps(size, kernel):
        return sum(min(i + kernel // 2, size - 1) - max(i - kernel // 2, 0) + 1
                   for i in range(size))
    return 2 * n * taps(h, kh) * taps(w, kw) * c * k


# Floating-point work of one call: the step runs conv1 forward and its filter gradient, conv2
# forward and both gradients, the dense layers forward and both gradients; the conv benchmark
# fetches only the two gradients (its forward output is not needed by them).
CONV2_FLOPS = _conv_flops(BATCH, 14, 14, 32, 5, 5, 64)
FLOPS = {"step": 2 * _conv_flops(BATCH, 28, 28, 1, 5, 5, 32) + 3 * CONV2_FLOPS
         + 3 * 2 * BATCH * (3136 * 1024 + 1024 * 10),
         "conv": 2 * CONV2_FLOPS}


def deep_mnist_step(tf, seed=0):
    """run() -> None: one Adam step of the tutorial's model on a fixed random batch."""
    rng = np.random.RandomState(seed)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        x = tf.placeholder(tf.float32, [None, 784])
        labels = tf.placeholder(tf.int64, [None])
        keep_prob = tf.placeholder(tf.float32)

        def weight(shape):
            return tf.Variable(tf.truncated_normal(shape, stddev=0.1))

        def bias(shape):
            return tf.Variable(tf.constant(0.1, shape=shape))

        def conv_pool(h, shape):
            h = tf.nn.relu(tf.nn.conv2d(h, weight(shape), [1, 1, 1, 1], "SAME") +
                           bias(shape[-1:]))
            return tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")

        h = conv_pool(tf.reshape(x, [-1, 28, 28, 1]), [5, 5, 1, 32])
        h = tf.reshape(conv_pool(h, [5, 5, 32, 64]), [-1, 7 * 7 * 64])
        h = tf.nn.dropout(tf.nn.relu(tf.matmul(h, weight([3136, 1024])) + bias([1024])),
                          keep_prob)
        logits = tf.matmul(h, weight([1024, 10])) + bias([10])
        loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
        train = tf.train.AdamOptimizer(1e-4).minimize(loss)
        sess = tf.Session(graph=graph)
        sess.run(tf.global_variables_initializer())
    feed = {x: rng.rand(BATCH, 784).astype(np.float32),
            labels: rng.randint(0, 10, BATCH), keep_prob: 0.5}
    return lambda: sess.run(train, feed)


def conv_forward_backward(tf, seed=0):
    """run() -> None: conv2d of the second layer's shapes and both of its gradients."""
    rng = np.random.RandomState(seed)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, CONV_SHAPES[0])
        w = tf.placeholder(tf.float32, CONV_SHAPES[1])
        y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
        weights = tf.constant(rng.rand(BATCH, 14, 14, 64).astype(np.float32))
        grads = tf.gradients(tf.reduce_sum(y * weights), [x, w])
        sess = tf.Session(graph=graph)
    feed = {x: rng.rand(*CONV_SHAPES[0]).astype(np.float32),
            w: rng.rand(*CONV_SHAPES[1]).astype(np.float32)}
    return lambda: sess.run(grads, feed)


def per_call(fn, steps, blocks=5, warmup=3):
    """The best average time of `blocks` runs of `steps` calls (after `warmup` calls)."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(blocks):
        start = time.perf_counter()
        for _ in range(steps):
            fn()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def measure(tf, steps):
    return {"step": per_call(deep_mnist_step(tf), steps),
            "conv": per_call(conv_forward_backward(tf), steps)}


# --- what bounds tensorweave's step ----------------------------------------------------------
def bound_kernel(op_type, inputs, attrs):
    """op_type's kernel as a Plan binds it for `inputs` (arrays; strings are variable keys):
    runtime/accel's variant where one runs (not with TENSORWEAVE_ACCEL=0), else the
    reference kernel."""
    import tensorweave as tf
    from tensorweave.core.graph import create_op
    from tensorweave.core.registry import lookup
    from tensorweave.runtime import accel
    with tf.Graph().as_default():
        tensors, variable = [], None
        for value in inputs:
            if isinstance(value, str):  # a variable reference: the variable's shape
                if variable is None:
                    variable = tf.Variable(np.zeros_like(inputs[-1]))
                tensors.append(variable._as_graph_element())
            elif value.dtype.kind == "i":  # sizes: known, as the step's Shape ops fold
                tensors.append(tf.constant(value.astype(np.int32)))
            else:
                tensors.append(tf.placeholder(tf.as_dtype(value.dtype), value.shape))
        op = create_op(op_type, tensors, **attrs)
    variant = accel.variant_for(op) if accel.variants_enabled() else None
    return variant or lookup(op_type).kernel


def kernel_times(steps):
    """Milliseconds of the step's heavy kernels, each called on arrays of the step's shapes
    (pooling on ReLU outputs, whose zeros tie, as in the step), bound as a Plan binds them."""
    from tensorweave.core.registry import lookup
    rng = np.random.RandomState(1)
    conv = {"strides": (1, 1, 1, 1), "dilations": (1, 1, 1, 1), "padding": "SAME",
            "explicit_paddings": (), "data_format": "NHWC"}
    pool = {"ksize": (1, 2, 2, 1), "strides": (1, 2, 2, 1), "padding": "SAME",
            "data_format": "NHWC"}

    def arrays(*shapes):
        return [rng.rand(*s).astype(np.float32) for s in shapes]
    x2, w2, dy2 = arrays((BATCH, 14, 14, 32), (5, 5, 32, 64), (BATCH, 14, 14, 64))
    x1, w1, dy1 = arrays((BATCH, 28, 28, 1), (5, 5, 1, 32), (BATCH, 28, 28, 32))
    h1 = np.maximum(arrays((BATCH, 28, 28, 32))[0] - 0.5, 0)
    y1 = lookup("MaxPool").kernel(h1, **pool)
    flat, dense_w, dense_dy = arrays((BATCH, 3136), (3136, 1024), (BATCH, 1024))
    adam = _AdamArrays(dense_w)
    cases = {
        "Conv2D (layer 2)": ("Conv2D", (x2, w2), conv),
        "Conv2DBackpropInput (layer 2)": ("Conv2DBackpropInput",
                                          (np.array(x2.shape), w2, dy2), conv),
        "Conv2DBackpropFilter (layer 2)": ("Conv2DBackpropFilter",
                                           (x2, np.array(w2.shape), dy2), conv),
        "Conv2D (layer 1)": ("Conv2D", (x1, w1), conv),
        "Conv2DBackpropFilter (layer 1)": ("Conv2DBackpropFilter",
                                           (x1, np.array(w1.shape), dy1), conv),
        "MaxPool (layer 1)": ("MaxPool", (h1,), pool),
        "MaxPoolGrad (layer 1)": ("MaxPoolGrad", (h1, y1, y1), pool),
        "MatMul x3 (dense 3136x1024)": ("MatMul", None, None),
        "ApplyAdam (dense 3136x1024)": ("ApplyAdam", adam.inputs, {"use_nesterov": False}),
    }
    matmul = lookup("MatMul").kernel
    out = {}
    for name, (op_type, inputs, attrs) in cases.items():
        kernel = bound_kernel(op_type, inputs, attrs) if inputs is not None else None
        if op_type == "MatMul":  # forward, and the gradients of both operands
            def call():
                matmul(flat, dense_w, transpose_a=False, transpose_b=False)
                matmul(flat, dense_dy, transpose_a=True, transpose_b=False)
                matmul(dense_dy, dense_w, transpose_a=False, transpose_b=True)
        elif op_type == "ApplyAdam":
            def call(kernel=kernel, inputs=inputs, attrs=attrs):
                kernel(adam, "adam", *inputs, **attrs)
        else:
            def call(kernel=kernel, inputs=inputs, attrs=attrs):
                kernel(*inputs, **attrs)
        out[name] = per_call(call, steps, blocks=3) * 1e3
    return out


class _AdamArrays:
    """The session state ApplyAdam's kernel reads: a variable, its two slots, hyperparameters."""

    def __init__(self, w):
        self.variables = {"w": w.copy(), "m": np.zeros_like(w), "v": np.zeros_like(w)}
        hyper = [np.float32(v) for v in (0.9, 0.999, 1e-4, 0.9, 0.999, 1e-8)]
        self.inputs = ["w", "m", "v", *hyper, np.full_like(w, 1e-3)]

    def read_variable(self, key):
        return self.variables[key]


def gemm_floor(steps):
    """Milliseconds NumPy's matrix products alone take for the step's convolutions (im2col
    shapes) and dense layers, forward and backward: the floor of an im2col design (the
    second convolution now goes through the DFT, below this floor)."""
    rng = np.random.RandomState(2)

    def products(m, k, n, input_grad=True):
        a, b, g = (rng.rand(*s).astype(np.float32) for s in ((m, k), (k, n), (m, n)))
        work = [lambda: a @ b, lambda: a.T @ g] + ([lambda: g @ b.T] if input_grad else [])
        return lambda: [f() for f in work]
    layers = [products(BATCH * 28 * 28, 25, 32, input_grad=False),
              products(BATCH * 14 * 14, 800, 64), products(BATCH, 3136, 1024),
              products(BATCH, 1024, 10)]
    return per_call(lambda: [f() for f in layers], steps, blocks=3) * 1e3


def best_of(a, b):
    """The faster time of each entry of two measure() results (either may be None)."""
    if a is None or b is None:
        return a or b
    return {key: min(a[key], b[key]) for key in a}


def sgemm_peak():
    """GFLOP/s of NumPy's float32 matrix product on 2048x2048 operands: the machine's reachable
    peak with this process's BLAS threads."""
    rng = np.random.RandomState(3)
    a, b = (rng.rand(2048, 2048).astype(np.float32) for _ in range(2))
    return 2 * 2048 ** 3 / per_call(lambda: a @ b, 2, blocks=3, warmup=1) / 1e9


def tensorflow_times(python, steps, env):
    """measure() under TensorFlow's compat.v1 in a subprocess with `env`, or None if
    unavailable."""
    return tf_modes.run_json(python, [__file__, "--impl", "tensorflow", "--steps", steps], env)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tf-python", default=os.environ.get("TENSORWEAVE_TF_PYTHON",
                                                              "/opt/tfref/bin/python"))
    parser.add_argument("--impl", choices=["tensorweave", "tensorflow"], default="tensorweave",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.impl == "tensorflow":  # the subprocess: report TensorFlow's times as JSON
        import tensorflow.compat.v1 as tf
        tf.disable_v2_behavior()
        print(json.dumps(measure(tf, args.steps)))
        return
    sys.path.insert(0, str(REPO))
    import tensorweave as tf
    ours, theirs = None, {label: None for label, _ in tf_modes.MODES}
    for _ in range(args.rounds):
        ours = best_of(ours, measure(tf, args.steps))
        for label, env in tf_modes.environments():
            theirs[label] = best_of(theirs[label],
                                    tensorflow_times(args.tf_python, args.steps, env))
    theirs = {label: times for label, times in theirs.items() if times}
    peak = sgemm_peak()
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')} (TensorFlow "
          f"uses its own thread pools), load average {os.getloadavg()[0]:.1f}; "
          f"SGEMM peak {peak:.0f} GFLOP/s")
    print(f"{'':34} {'tensorweave':>18}" + "".join(f" {label:>24}" for label in theirs))
    for key, title, goal in (("step", "deep MNIST train step (batch 50)", 1.0),
                             ("conv", "conv2d 50x14x14x32 * 5x5x32x64", 1.2)):
        line = f"{title:34} {ours[key] * 1e3:6.1f} ms {FLOPS[key] / ours[key] / 1e9:4.0f} GF/s"
        for reference in theirs.values():
            line += (f" {reference[key] * 1e3:6.1f} ms {FLOPS[key] / reference[key] / 1e9:4.0f}"
                     f" GF/s {ours[key] / reference[key]:5.2f}x")
        print(line + f"  (goal <= {goal}x TF as installed)")
    print("\nwhat bounds the step (tensorweave kernels, ms per call):")
    kernels = None
    for _ in range(args.rounds):
        kernels = best_of(kernels, kernel_times(args.steps))
    conv1 = _conv_flops(BATCH, 28, 28, 1, 5, 5, 32)
    kernel_flops = {"Conv2D (layer 2)": CONV2_FLOPS, "Conv2DBackpropInput (layer 2)": CONV2_FLOPS,
                    "Conv2DBackpropFilter (layer 2)": CONV2_FLOPS, "Conv2D (layer 1)": conv1,
                    "Conv2DBackpropFilter (layer 1)": conv1,
                    "MatMul x3 (dense 3136x1024)": 3 * 2 * BATCH * 3136 * 1024}
    for name, ms in kernels.items():
        rate = (f"  {kernel_flops[name] / ms / 1e6:5.0f} GFLOP/s" if name in kernel_flops
                else "")
        print(f"  {name:34} {ms:8.1f}{rate}")
    floor = min(gemm_floor(args.steps) for _ in range(args.rounds))
    print(f"  {'im2col matrix products alone':34} {floor:8.1f}"
          "  (every GEMM of an im2col step, forward and backward)")


if __name__ == "__main__":
    main()
