"""A character-level language model: a stack of LSTM (or GRU) layers reads a text file one
character at a time and learns to predict the next character; then it writes new text.

    python -m tensorweave.examples.tutorials.rnn.char_rnn input.txt [--num_steps N]
        [--seq_length 50] [--hidden_size 128] [--num_layers 2] [--batch_size 32]
        [--learning_rate 0.002] [--sample_length 500] [--temperature 0.8] [--seed S]

Trains on random windows of --seq_length characters (embedding, tf.nn.dynamic_rnn over a
MultiRNNCell, tf.contrib.seq2seq.sequence_loss, Adam with gradients clipped by
tf.clip_by_global_norm), printing the loss and perplexity every --print_every steps, then
prints --sample_length characters sampled from the model at --temperature.
"""
import argparse
import sys
import time

import numpy as np

import tensorweave as tf
from tensorweave.examples.tutorials import tutorial_flags

FLAGS = None


class Vocabulary:
    """The characters of a text, each with an integer id (in sorted order)."""

    def __init__(self, text):
        if not text:
            raise ValueError("The input text is empty")
        self.chars = sorted(set(text))
        self.ids = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        return np.array([self.ids[c] for c in text], dtype=np.int32)

    def decode(self, ids):
        return "".join(self.chars[i] for i in ids)


def _make_cell(cell_type, hidden_size):
    if cell_type == "gru":
        return tf.nn.rnn_cell.GRUCell(hidden_size)
    return tf.nn.rnn_cell.BasicLSTMCell(hidden_size)


def build_model(vocab_size, batch_size, seq_length, hidden_size=128, num_layers=2,
                cell_type="lstm", learning_rate=0.002, grad_clip=5.0, training=True):
    """The graph of the model for [batch_size, seq_length] windows, in a dict. Call it inside
    one variable scope twice (training, then sampling with reuse) to share the weights."""
    inputs = tf.placeholder(tf.int32, [batch_size, seq_length], name="inputs")
    embedding = tf.get_variable("embedding", [vocab_size, hidden_size])
    cell = tf.nn.rnn_cell.MultiRNNCell([_make_cell(cell_type, hidden_size)
                                        for _ in range(num_layers)])
    initial_state = cell.zero_state(batch_size, tf.float32)
    outputs, final_state = tf.nn.dynamic_rnn(cell, tf.nn.embedding_lookup(embedding, inputs),
                                             initial_state=initial_state)
    logits = tf.layers.dense(outputs, vocab_size, name="softmax")
    model = {"inputs": inputs, "logits": logits, "initial_state": initial_state,
             "final_state": final_state}
    if training:
        targets = tf.placeholder(tf.int32, [batch_size, seq_length], name="targets")
        loss = tf.contrib.seq2seq.sequence_loss(logits, targets,
                                                tf.ones([batch_size, seq_length]))
        params = tf.trainable_variables()
        grads, _ = tf.clip_by_global_norm(tf.gradients(loss, params), grad_clip)
        train_op = tf.train.AdamOptimizer(learning_rate).apply_gradients(zip(grads, params))
        model.update(targets=targets, loss=loss, train_op=train_op)
    else:
        temperature = tf.placeholder_with_default(1.0, [], name="temperature")
        model["temperature"] = temperature
        model["next_char"] = tf.multinomial(logits[:, -1] / temperature, 1)[:, 0]
    return model


def _flat(structure):
    """The tensors (or arrays) of a nested RNN state, in order."""
    if isinstance(structure, (tuple, list)):
        return [leaf for part in structure for leaf in _flat(part)]
    return [structure]


def random_windows(data, batch_size, seq_length, rng):
    """`batch_size` random windows of the encoded text and the same windows shifted by one."""
    starts = rng.randint(0, len(data) - seq_length, size=batch_size)
    inputs = np.stack([data[s:s + seq_length] for s in starts])
    targets = np.stack([data[s + 1:s + seq_length + 1] for s in starts])
    return inputs, targets


def sample(sess, model, vocab, length, prime, temperature=1.0):
    """`prime` followed by `length` characters drawn one at a time from the model."""
    unknown = sorted(set(prime) - set(vocab.chars))
    if not prime or unknown:
        raise ValueError(f"The prime text must be non-empty and use the text's characters; "
                         f"unknown: {unknown}")
    state = sess.run(model["initial_state"])
    out = list(prime)
    for c in prime:
        feed = dict(zip(_flat(model["initial_state"]), _flat(state)))
        feed.update({model["inputs"]: [[vocab.ids[c]]], model["temperature"]: temperature})
        next_char, state = sess.run([model["next_char"], model["final_state"]], feed)
    for _ in range(length):
        out.append(vocab.chars[int(next_char[0])])
        feed = dict(zip(_flat(model["initial_state"]), _flat(state)))
        feed.update({model["inputs"]: [[int(next_char[0])]], model["temperature"]: temperature})
        next_char, state = sess.run([model["next_char"], model["final_state"]], feed)
    return "".join(out)


def train_and_sample(text, num_steps=2000, seq_length=50, hidden_size=128, num_layers=2,
                     batch_size=32, learning_rate=0.002, grad_clip=5.0, cell_type="lstm",
                     print_every=100, sample_length=500, temperature=1.0, prime=None,
                     seed=None, log=print):
    """Trains on `text`; returns (the last printed loss, the sampled text)."""
    vocab = Vocabulary(text)
    data = vocab.encode(text)
    seq_length = min(seq_length, len(data) - 1)
    if seq_length < 1:
        raise ValueError("The input text needs at least two characters")
    rng = np.random.RandomState(seed)
    graph = tf.Graph()
    with graph.as_default():
        if seed is not None:
            tf.set_random_seed(seed)
        with tf.variable_scope("char_rnn"):
            model = build_model(len(vocab), batch_size, seq_length, hidden_size, num_layers,
                                cell_type, learning_rate, grad_clip)
        with tf.variable_scope("char_rnn", reuse=True):
            sampler = build_model(len(vocab), 1, 1, hidden_size, num_layers, cell_type,
                                  training=False)
        init = tf.global_variables_initializer()
    log(f"{len(data)} characters, vocabulary of {len(vocab)}; uniform loss "
        f"{np.log(len(vocab)):.3f}")
    loss = None
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        start = time.time()
        for step in range(1, num_steps + 1):
            inputs, targets = random_windows(data, batch_size, seq_length, rng)
            loss, _ = sess.run([model["loss"], model["train_op"]],
                               {model["inputs"]: inputs, model["targets"]: targets})
            if step % print_every == 0 or step == num_steps:
                log(f"step {step}/{num_steps}: loss {loss:.4f}, perplexity "
                    f"{np.exp(loss):.3f} ({time.time() - start:.1f} sec)")
        prime = prime or text[0]
        text_out = sample(sess, sampler, vocab, sample_length, prime, temperature)
    return float(loss), text_out


def main(_):
    path = FLAGS.input_file or FLAGS.input_path
    if not path:
        raise SystemExit("char_rnn: give a text file (positional or --input_file)")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    _, sampled = train_and_sample(
        text, FLAGS.num_steps, FLAGS.seq_length, FLAGS.hidden_size, FLAGS.num_layers,
        FLAGS.batch_size, FLAGS.learning_rate, FLAGS.grad_clip, FLAGS.cell, FLAGS.print_every,
        FLAGS.sample_length, FLAGS.temperature, FLAGS.prime, FLAGS.seed)
    print("--- sample ---")
    print(sampled)


def parse_flags(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input_path", nargs="?", help="The text file to learn from.")
    parser.add_argument("--input_file", type=str, default=None,
                        help="The text file to learn from (instead of the positional one).")
    parser.add_argument("--num_steps", type=int, default=2000, help="Training steps.")
    parser.add_argument("--seq_length", type=int, default=50,
                        help="Characters per training window (steps of back-propagation).")
    parser.add_argument("--hidden_size", type=int, default=128, help="Units per layer.")
    parser.add_argument("--num_layers", type=int, default=2, help="Recurrent layers.")
    parser.add_argument("--cell", choices=["lstm", "gru"], default="lstm",
                        help="Recurrent cell type.")
    parser.add_argument("--batch_size", type=int, default=32, help="Windows per step.")
    parser.add_argument("--learning_rate", type=float, default=0.002,
                        help="Adam's learning rate.")
    parser.add_argument("--grad_clip", type=float, default=5.0,
                        help="Clip gradients to this global norm.")
    parser.add_argument("--print_every", type=int, default=100,
                        help="Print the loss every this many steps.")
    parser.add_argument("--sample_length", type=int, default=500,
                        help="Characters to sample after training.")
    parser.add_argument("--temperature", type=float, default=1.0,
                        help="Sampling temperature: below 1 is more conservative.")
    parser.add_argument("--prime", type=str, default=None,
                        help="Text to start sampling from (default: the file's first "
                        "character).")
    tutorial_flags.add_seed_flag(parser)
    return parser.parse_known_args(argv)


if __name__ == "__main__":
    FLAGS, unparsed = parse_flags(sys.argv[1:])
    tf.app.run(main=main, argv=[sys.argv[0]] + unparsed)
