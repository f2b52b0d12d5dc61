"""TF's "A Guide to TF Layers" tutorial (`cnn_mnist`): a CNN built with tf.layers and trained
through an Estimator."""
