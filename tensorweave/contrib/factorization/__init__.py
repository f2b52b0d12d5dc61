"""tf.contrib.factorization: k-means (KMeans, and the KMeansClustering Estimator), Gaussian
mixtures (gmm, GmmAlgorithm) and weighted alternating least squares (WALSModel), as TF 1.15
builds them."""
from tensorweave.contrib.factorization.clustering_ops import (  # noqa: F401
    COSINE_DISTANCE, KMC2_INIT, KMEANS_PLUS_PLUS_INIT, RANDOM_INIT, SQUARED_EUCLIDEAN_DISTANCE,
    KMeans)
from tensorweave.contrib.factorization.gmm_ops import (  # noqa: F401
    DIAG_COVARIANCE, FULL_COVARIANCE, GmmAlgorithm, gmm)
from tensorweave.contrib.factorization.wals import WALSModel  # noqa: F401
from tensorweave.contrib import not_provided
from tensorweave.util import lazy

# TF 1.15's GMM and WALSMatrixFactorization inherit tf.contrib.learn's Estimator, which
# tensorweave does not provide (see tensorweave/contrib/learn).
NOT_PROVIDED = ("GMM", "WALSMatrixFactorization")

# KMeansClustering is a tf.estimator.Estimator (floor 5), loaded on first use
_load_lazily = lazy.attributes(__name__, lazy.names_from(
    "tensorweave.contrib.factorization.kmeans", "KMeansClustering"))


__getattr__ = not_provided(__name__, NOT_PROVIDED, fallback=_load_lazily)
