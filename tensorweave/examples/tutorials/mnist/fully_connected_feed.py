"""Trains and evaluates the MNIST network with a feed dictionary ("TensorFlow Mechanics 101").

    python -m tensorweave.examples.tutorials.mnist.fully_connected_feed [--max_steps 2000]
    tensorboard --logdir /tmp/tensorflow/mnist/logs/fully_connected_feed   # the loss curve

Summaries need the optional `tensorboard` extra: pip install 'tensorweave[tensorboard]'.
"""
import argparse
import os
import sys
import time

import tensorweave as tf
from tensorweave.examples.tutorials import tutorial_flags
from tensorweave.examples.tutorials.mnist import input_data, mnist

FLAGS = None


def placeholder_inputs(batch_size):
    """Placeholders for one batch of images [batch, 784] and labels [batch]."""
    images_placeholder = tf.placeholder(tf.float32, shape=(batch_size, mnist.IMAGE_PIXELS))
    labels_placeholder = tf.placeholder(tf.int32, shape=(batch_size))
    return images_placeholder, labels_placeholder


def fill_feed_dict(data_set, images_pl, labels_pl):
    """The feed for the next batch of `data_set`."""
    images_feed, labels_feed = data_set.next_batch(FLAGS.batch_size, FLAGS.fake_data)
    return {images_pl: images_feed, labels_pl: labels_feed}


def do_eval(sess, eval_correct, images_placeholder, labels_placeholder, data_set):
    """Runs one epoch of `data_set` through the model and prints the precision."""
    true_count = 0
    steps_per_epoch = data_set.num_examples // FLAGS.batch_size
    num_examples = steps_per_epoch * FLAGS.batch_size
    for _ in range(steps_per_epoch):
        feed_dict = fill_feed_dict(data_set, images_placeholder, labels_placeholder)
        true_count += sess.run(eval_correct, feed_dict=feed_dict)
    precision = float(true_count) / num_examples
    print("Num examples: %d  Num correct: %d  Precision @ 1: %0.04f"
          % (num_examples, true_count, precision))
    return precision


def run_training():
    """Trains for FLAGS.max_steps steps, evaluating every 1000 steps and at the end."""
    data_sets = input_data.read_data_sets(FLAGS.input_data_dir, FLAGS.fake_data,
                                          seed=FLAGS.seed)
    precisions = {}
    with tf.Graph().as_default():
        if FLAGS.seed is not None:
            tf.set_random_seed(FLAGS.seed)
        images_placeholder, labels_placeholder = placeholder_inputs(FLAGS.batch_size)
        logits = mnist.inference(images_placeholder, FLAGS.hidden1, FLAGS.hidden2)
        loss = mnist.loss(logits, labels_placeholder)
        train_op = mnist.training(loss, FLAGS.learning_rate)
        eval_correct = mnist.evaluation(logits, labels_placeholder)
        summary = tf.summary.merge_all()  # the summaries of the SUMMARIES collection
        init = tf.global_variables_initializer()
        saver = tf.train.Saver()  # writes training checkpoints
        sess = tf.Session()
        summary_writer = tf.summary.FileWriter(FLAGS.log_dir, sess.graph)
        sess.run(init)
        for step in range(FLAGS.max_steps):
            start_time = time.time()
            feed_dict = fill_feed_dict(data_sets.train, images_placeholder, labels_placeholder)
            _, loss_value = sess.run([train_op, loss], feed_dict=feed_dict)
            duration = time.time() - start_time
            if step % 100 == 0:
                print("Step %d: loss = %.2f (%.3f sec)" % (step, loss_value, duration))
                summary_str = sess.run(summary, feed_dict=feed_dict)  # update the events file
                summary_writer.add_summary(summary_str, step)
                summary_writer.flush()
            if (step + 1) % 1000 == 0 or (step + 1) == FLAGS.max_steps:
                checkpoint_file = os.path.join(FLAGS.log_dir, "model.ckpt")
                saver.save(sess, checkpoint_file, global_step=step)
                for title, data_set in (("Training", data_sets.train),
                                        ("Validation", data_sets.validation),
                                        ("Test", data_sets.test)):
                    print(f"{title} Data Eval:")
                    precisions[title] = do_eval(sess, eval_correct, images_placeholder,
                                                labels_placeholder, data_set)
        summary_writer.close()
    return precisions


def main(_):
    if tf.gfile.Exists(FLAGS.log_dir):
        tf.gfile.DeleteRecursively(FLAGS.log_dir)
    tf.gfile.MakeDirs(FLAGS.log_dir)
    run_training()


def parse_flags(argv):
    """The tutorial's flags (TF's names and defaults) and the arguments left over."""
    parser = argparse.ArgumentParser(description=__doc__)
    tmp = os.getenv("TEST_TMPDIR", "/tmp")
    parser.add_argument("--learning_rate", type=float, default=0.01,
                        help="Initial learning rate.")
    parser.add_argument("--max_steps", type=int, default=2000, help="Number of steps to run "
                        "trainer.")
    parser.add_argument("--hidden1", type=int, default=128,
                        help="Number of units in hidden layer 1.")
    parser.add_argument("--hidden2", type=int, default=32,
                        help="Number of units in hidden layer 2.")
    parser.add_argument("--batch_size", type=int, default=100,
                        help="Batch size.  Must divide evenly into the dataset sizes.")
    parser.add_argument("--input_data_dir", type=str,
                        default=os.path.join(tmp, "tensorflow/mnist/input_data"),
                        help="Directory to put the input data.")
    parser.add_argument("--log_dir", type=str,
                        default=os.path.join(tmp, "tensorflow/mnist/logs/fully_connected_feed"),
                        help="Directory to put the log data.")
    parser.add_argument("--fake_data", default=False, action="store_true",
                        help="If true, uses fake data for unit testing.")
    tutorial_flags.add_seed_flag(parser)
    return parser.parse_known_args(argv)


if __name__ == "__main__":
    FLAGS, unparsed = parse_flags(sys.argv[1:])
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
