"""A functional tf.keras model with two inputs (the top and bottom halves of each digit) and
two outputs (the digit, and whether it is even), trained with weighted losses.

    python mnist_two_inputs.py [epochs] [train images] [test images]
"""
import sys

import numpy as np
import tensorflow.compat.v1 as tf
import mnist_data

tf.disable_v2_behavior()
keras = tf.keras
layers = keras.layers

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 60000
n_test = int(sys.argv[3]) if len(sys.argv) > 3 else 10000

(x_train, y_train), (x_test, y_test) = mnist_data.load_data(n_train, n_test)


def halves(x):
    x = x.astype("float32") / 255
    return x[:, :14].reshape(-1, 14 * 28), x[:, 14:].reshape(-1, 14 * 28)


top_in = layers.Input(shape=(392,), name="top")
bottom_in = layers.Input(shape=(392,), name="bottom")
top = layers.Dense(128, activation="relu")(top_in)
bottom = layers.Dense(128, activation="relu")(bottom_in)
merged = layers.concatenate([top, bottom])
merged = layers.BatchNormalization()(merged)
hidden = layers.Dense(128, activation="relu")(merged)
digit = layers.Dense(10, activation="softmax", name="digit")(hidden)
even = layers.Dense(1, activation="sigmoid", name="even")(hidden)
model = keras.Model(inputs=[top_in, bottom_in], outputs=[digit, even])
model.summary()
model.compile(optimizer="adam",
              loss={"digit": "sparse_categorical_crossentropy", "even": "binary_crossentropy"},
              loss_weights={"digit": 1.0, "even": 0.3}, metrics=["accuracy"])
train_top, train_bottom = halves(x_train)
test_top, test_bottom = halves(x_test)
model.fit({"top": train_top, "bottom": train_bottom},
          {"digit": y_train, "even": (y_train % 2 == 0).astype("float32")},
          batch_size=64, epochs=epochs, verbose=2, validation_split=0.1)
scores = model.evaluate([test_top, test_bottom], [y_test, (y_test % 2 == 0).astype("float32")],
                        verbose=0)
for name, value in zip(model.metrics_names, scores):
    print(name, value)
print("Test accuracy:", scores[model.metrics_names.index("digit_acc")])
probabilities = model.predict([test_top[:5], test_bottom[:5]])[0]
print("first predictions:", np.argmax(probabilities, axis=1), "labels:", y_test[:5])
