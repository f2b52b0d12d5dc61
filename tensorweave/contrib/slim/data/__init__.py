"""TF-slim's data pipeline (tf.contrib.slim.python.slim.data): a Dataset describes files,
a reader and a decoder; a DatasetDataProvider reads them through queues and hands out
decoded items.

    provider = slim.dataset_data_provider.DatasetDataProvider(dataset, num_readers=2)
    image, label = provider.get(["image", "label"])
"""
