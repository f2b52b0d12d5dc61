"""tf.keras.preprocessing: image (ImageDataGenerator, load_img, ...), sequence (pad_sequences,
TimeseriesGenerator, skipgrams), text (Tokenizer, one_hot, hashing_trick)."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    "image": "tensorweave.keras.preprocessing.image",
    "sequence": "tensorweave.keras.preprocessing.sequence",
    "text": "tensorweave.keras.preprocessing.text",
})
