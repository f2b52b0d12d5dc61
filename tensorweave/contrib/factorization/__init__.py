"""tf.contrib.factorization: k-means (KMeans), Gaussian mixtures (gmm, GmmAlgorithm) and
weighted alternating least squares (WALSModel), as TF 1.15 builds them."""
from tensorweave.contrib.factorization.clustering_ops import (  # noqa: F401
    COSINE_DISTANCE, KMC2_INIT, KMEANS_PLUS_PLUS_INIT, RANDOM_INIT, SQUARED_EUCLIDEAN_DISTANCE,
    KMeans)
