""""Intro to TensorFlow" (LTFN 1): a one-layer network on one-hot MNIST labels, printing the
cost of each of 1000 gradient-descent steps of 100 images.

    python -m tensorweave.examples.tutorials.mnist.intro [--data_dir DIR] [--steps 1000]
"""
import argparse
import sys

import tensorweave as tf
from tensorweave.examples.tutorials.mnist import input_data


def build_graph(batch_size=100, seed=None):
    """The graph and its (input, labels, optimizer, cost) nodes; `seed`: the graph-level seed
    of its random initial weights."""
    graph = tf.Graph()
    with graph.as_default():
        if seed is not None:
            tf.set_random_seed(seed)
        input = tf.placeholder(tf.float32, shape=(batch_size, 784))  # noqa: A001 - as posted
        labels = tf.placeholder(tf.float32, shape=(batch_size, 10))
        layer1_weights = tf.Variable(tf.random_normal([784, 10]))
        layer1_bias = tf.Variable(tf.zeros([10]))
        logits = tf.matmul(input, layer1_weights) + layer1_bias
        cost = tf.reduce_mean(
            tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))
        optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.01).minimize(cost)
    return graph, input, labels, optimizer, cost


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data_dir", default="/tmp/tensorflow/mnist/input_data")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    mnist = input_data.read_data_sets(args.data_dir, one_hot=True, seed=args.seed)
    graph, input, labels, optimizer, cost = build_graph(seed=args.seed)
    costs = []
    with tf.Session(graph=graph) as session:
        tf.global_variables_initializer().run()
        for _ in range(args.steps):
            batch_images, batch_labels = mnist.train.next_batch(100)
            feed_dict = {input: batch_images, labels: batch_labels}
            _, c = session.run([optimizer, cost], feed_dict=feed_dict)
            print("Cost: ", c)
            costs.append(float(c))
    return costs


if __name__ == "__main__":
    main(sys.argv[1:])
