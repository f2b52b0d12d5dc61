"""TF's custom-Estimator tutorial: the same Iris classifier written as a model_fn with
tf.feature_column.input_layer and tf.layers.dense.

    python -m tensorweave.examples.get_started.custom_estimator --train_steps=1000
"""
import tensorweave as tf
from tensorweave.examples.get_started import iris_data, premade_estimator


def my_model(features, labels, mode, params):
    """DNN with hidden layers params['hidden_units'] and a softmax over params['n_classes']."""
    net = tf.feature_column.input_layer(features, params["feature_columns"])
    for units in params["hidden_units"]:
        net = tf.layers.dense(net, units=units, activation=tf.nn.relu)
    logits = tf.layers.dense(net, params["n_classes"], activation=None)

    predicted_classes = tf.argmax(logits, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        predictions = {"class_ids": predicted_classes[:, tf.newaxis],
                       "probabilities": tf.nn.softmax(logits),
                       "logits": logits}
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)

    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    accuracy = tf.metrics.accuracy(labels=labels, predictions=predicted_classes,
                                   name="acc_op")
    tf.summary.scalar("accuracy", accuracy[1])
    if mode == tf.estimator.ModeKeys.EVAL:
        return tf.estimator.EstimatorSpec(mode, loss=loss,
                                          eval_metric_ops={"accuracy": accuracy})

    optimizer = tf.train.AdagradOptimizer(learning_rate=0.1)
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def main(argv):
    args = premade_estimator.parser.parse_args(argv[1:])
    train_x = iris_data.load_data()[0][0]
    feature_columns = [tf.feature_column.numeric_column(key=key) for key in train_x.keys()]
    classifier = tf.estimator.Estimator(
        model_fn=my_model, model_dir=args.model_dir,
        config=tf.estimator.RunConfig(tf_random_seed=args.seed),
        params={"feature_columns": feature_columns, "hidden_units": [10, 10], "n_classes": 3})
    premade_estimator.run(classifier, args)


if __name__ == "__main__":
    tf.logging.set_verbosity(tf.logging.INFO)
    tf.app.run(main)
