"""A subclassed tf.keras.Model (layers made in __init__, the forward pass in call) trained on
MNIST with Adam, then evaluated; TF 1.x graph mode builds it on the first batch.

    python mnist_subclassed.py [epochs] [train images] [test images]
"""
import sys

import tensorflow.compat.v1 as tf
import mnist_data

tf.disable_v2_behavior()
keras = tf.keras

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 60000
n_test = int(sys.argv[3]) if len(sys.argv) > 3 else 10000


class MLP(keras.Model):
    def __init__(self, num_classes=10):
        super(MLP, self).__init__(name="mlp")
        self.hidden = keras.layers.Dense(256, activation="relu")
        self.dropout = keras.layers.Dropout(0.2)
        self.out = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=None):
        x = self.hidden(inputs)
        x = self.dropout(x, training=training)
        return self.out(x)


(x_train, y_train), (x_test, y_test) = mnist_data.load_data(n_train, n_test)
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255

model = MLP()
model.compile(optimizer=keras.optimizers.Adam(0.001),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=2)
print("trainable weights:", [w.name for w in model.trainable_weights])
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
