"""tf.data: input pipelines that run inside the Session (Datasets and their iterators).

    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(1000).batch(32)
    images_batch, labels_batch = dataset.make_one_shot_iterator().get_next()
"""
from tensorweave.data import experimental  # noqa: F401
from tensorweave.data.dataset_ops import Dataset  # noqa: F401
from tensorweave.data.iterator_ops import (Iterator, get_output_classes,  # noqa: F401
                                           get_output_shapes, get_output_types,
                                           make_initializable_iterator, make_one_shot_iterator)
from tensorweave.data.options import (AUTOTUNE, INFINITE_CARDINALITY,  # noqa: F401
                                      UNKNOWN_CARDINALITY, Options, ThreadingOptions)
from tensorweave.data.readers import (FixedLengthRecordDataset, TextLineDataset,  # noqa: F401
                                      TFRecordDataset)
