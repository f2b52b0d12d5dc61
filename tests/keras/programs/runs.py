"""The shortened runs the tests make of each program: (epochs, train images, test images)."""
RUNS = {
    "mnist_mlp": (1, 6000, 10000),
    "mnist_cnn": (1, 6000, 2000),
    "mnist_two_inputs": (1, 6000, 10000),
    "mnist_subclassed": (1, 6000, 10000),
    "imdb_lstm": (1, 2000, 1000),
}
