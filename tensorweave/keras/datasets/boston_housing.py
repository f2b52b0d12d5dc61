"""tf.keras.datasets.boston_housing: 506 houses, 13 features, the median value as target."""
from tensorweave.keras.datasets import loading, npz

FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """`(x_train, y_train), (x_test, y_test)` after shuffling with `seed`; float64 arrays, the
    last `test_split` of the rows for testing."""
    assert 0 <= test_split < 1
    path = loading.fetch(path, loading.ORIGIN_FOLDER + "boston_housing.npz", FILE_HASH)
    f = npz.load(path)
    x, y = loading.shuffled(seed, f["x"], f["y"])
    split = int(len(x) * (1 - test_split))
    return (x[:split].copy(), y[:split].copy()), (x[split:].copy(), y[split:].copy())
