"""Keras's mnist_cnn example (tf.keras, TF 1.x): two convolutions, max pooling, dropout,
Adadelta (learning rate 1.0, as Keras's example has it).

    python mnist_cnn.py [epochs] [train images] [test images]
"""
import sys

import tensorflow.compat.v1 as tf
import mnist_data

tf.disable_v2_behavior()
keras = tf.keras
layers = keras.layers

batch_size = 128
num_classes = 10
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 12
n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 60000
n_test = int(sys.argv[3]) if len(sys.argv) > 3 else 10000

(x_train, y_train), (x_test, y_test) = mnist_data.load_data(n_train, n_test)
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255
print("x_train shape:", x_train.shape)
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = keras.Sequential([
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1)),
    layers.Conv2D(64, (3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Dropout(0.25),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.5),
    layers.Dense(num_classes, activation="softmax")])
model.compile(loss=keras.losses.categorical_crossentropy,
              optimizer=keras.optimizers.Adadelta(learning_rate=1.0), metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2,
          validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
