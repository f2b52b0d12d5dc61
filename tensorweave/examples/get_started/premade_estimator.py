"""TF's premade-Estimator tutorial: a DNNClassifier with two hidden layers of 10 units on Iris.

    python -m tensorweave.examples.get_started.premade_estimator --train_steps=1000
"""
import argparse

import tensorweave as tf
from tensorweave.examples.get_started import iris_data
from tensorweave.examples.tutorials import tutorial_flags

parser = argparse.ArgumentParser()
parser.add_argument("--batch_size", default=100, type=int, help="batch size")
parser.add_argument("--train_steps", default=1000, type=int, help="number of training steps")
parser.add_argument("--model_dir", default=None, help="where checkpoints go (default: a temp dir)")
tutorial_flags.add_seed_flag(parser)

# one flower of each species from the test set, to show predictions
PREDICT_X = {"SepalLength": [5.1, 5.9, 6.9], "SepalWidth": [3.3, 3.0, 3.1],
             "PetalLength": [1.7, 4.2, 5.4], "PetalWidth": [0.5, 1.5, 2.1]}
EXPECTED = ["Setosa", "Versicolor", "Virginica"]


def print_predictions(predictions):
    for pred_dict, expected in zip(predictions, EXPECTED):
        class_id = pred_dict["class_ids"][0]
        probability = pred_dict["probabilities"][class_id]
        print(f'\nPrediction is "{iris_data.SPECIES[class_id]}" ({100 * probability:.1f}%), '
              f'expected "{expected}"')


def main(argv):
    args = parser.parse_args(argv[1:])
    train_x = iris_data.load_data()[0][0]
    feature_columns = [tf.feature_column.numeric_column(key=key) for key in train_x.keys()]
    classifier = tf.estimator.DNNClassifier(feature_columns=feature_columns,
                                            hidden_units=[10, 10], n_classes=3,
                                            model_dir=args.model_dir,
                                            config=tf.estimator.RunConfig(tf_random_seed=args.seed))
    run(classifier, args)


def run(classifier, args):
    """Trains on the training set, prints the test accuracy and three predictions."""
    (train_x, train_y), (test_x, test_y) = iris_data.load_data()
    classifier.train(input_fn=lambda: iris_data.train_input_fn(train_x, train_y,
                                                               args.batch_size),
                     steps=args.train_steps)
    eval_result = classifier.evaluate(
        input_fn=lambda: iris_data.eval_input_fn(test_x, test_y, args.batch_size))
    print("\nTest set accuracy: {accuracy:0.3f}\n".format(**eval_result))
    predictions = classifier.predict(
        input_fn=lambda: iris_data.eval_input_fn(PREDICT_X, labels=None,
                                                 batch_size=args.batch_size))
    print_predictions(predictions)


if __name__ == "__main__":
    tf.logging.set_verbosity(tf.logging.INFO)
    tf.app.run(main)
