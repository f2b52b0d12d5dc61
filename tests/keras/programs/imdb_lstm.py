"""Keras's imdb_lstm example (tf.keras, TF 1.x): an LSTM over word embeddings classifying movie
reviews by sentiment (Embedding 20000x128, LSTM 128 with dropout 0.2 and recurrent dropout 0.2,
a sigmoid unit, Adam, batch 32, reviews cut to 80 words).

    python imdb_lstm.py [epochs] [train reviews] [test reviews]
"""
import sys

import numpy as np
import tensorflow.compat.v1 as tf
import imdb_data

tf.disable_v2_behavior()
np.random.seed(1337)  # for reproducibility, as Keras's examples seed
tf.set_random_seed(1337)
keras = tf.keras

max_features = 20000
maxlen = 80  # cut texts after this number of words (among top max_features most common words)
batch_size = 32
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
n_train = int(sys.argv[2]) if len(sys.argv) > 2 else 25000
n_test = int(sys.argv[3]) if len(sys.argv) > 3 else 25000

print("Loading data...")
(x_train, y_train), (x_test, y_test) = imdb_data.load_data(max_features, n_train, n_test)
print(len(x_train), "train sequences")
print(len(x_test), "test sequences")

print("Pad sequences (samples x time)")
x_train = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=maxlen)
x_test = keras.preprocessing.sequence.pad_sequences(x_test, maxlen=maxlen)
print("x_train shape:", x_train.shape)
print("x_test shape:", x_test.shape)

print("Build model...")
model = keras.Sequential()
model.add(keras.layers.Embedding(max_features, 128))
model.add(keras.layers.LSTM(128, dropout=0.2, recurrent_dropout=0.2))
model.add(keras.layers.Dense(1, activation="sigmoid"))

# try using different optimizers and different optimizer configs
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])

print("Train...")
model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=2,
          validation_data=(x_test, y_test))
score, acc = model.evaluate(x_test, y_test, batch_size=batch_size, verbose=0)
print("Test score:", score)
print("Test accuracy:", acc)
