"""Keras's mnist_mlp example (tf.keras, TF 1.x): a 512-512 MLP with dropout, RMSprop.

    python mnist_mlp.py [epochs] [train images] [test images]
"""
import sys

import tensorflow.compat.v1 as tf
import mnist_data

tf.disable_v2_behavior()
keras = tf.keras

batch_size = 128
num_classes = 10
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 60000
n_test = int(sys.argv[3]) if len(sys.argv) > 3 else 10000

(x_train, y_train), (x_test, y_test) = mnist_data.load_data(n_train, n_test)
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = keras.Sequential()
model.add(keras.layers.Dense(512, activation="relu", input_shape=(784,)))
model.add(keras.layers.Dropout(0.2))
model.add(keras.layers.Dense(512, activation="relu"))
model.add(keras.layers.Dropout(0.2))
model.add(keras.layers.Dense(num_classes, activation="softmax"))
model.summary()
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2,
                    validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
