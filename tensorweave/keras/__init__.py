"""tf.keras: only what the TF1 tutorials use from it (`tf.keras.utils.get_file`)."""
from tensorweave.keras import utils  # noqa: F401
