"""tf.contrib.factorization: k-means (KMeans), Gaussian mixtures (gmm, GmmAlgorithm) and
weighted alternating least squares (WALSModel), as TF 1.15 builds them."""
from tensorweave.contrib.factorization.clustering_ops import (  # noqa: F401
    COSINE_DISTANCE, KMC2_INIT, KMEANS_PLUS_PLUS_INIT, RANDOM_INIT, SQUARED_EUCLIDEAN_DISTANCE,
    KMeans)
from tensorweave.contrib.factorization.gmm_ops import (  # noqa: F401
    DIAG_COVARIANCE, FULL_COVARIANCE, GmmAlgorithm, gmm)
from tensorweave.contrib.factorization.wals import WALSModel  # noqa: F401

# TF 1.15's estimators here inherit tf.contrib.learn's Estimator, which tensorweave does not
# provide (see tensorweave/contrib/learn).
NOT_PROVIDED = ("GMM", "KMeansClustering", "WALSMatrixFactorization")


def __getattr__(name):
    if name in NOT_PROVIDED:
        from tensorweave.contrib import ContribNotImplemented
        raise ContribNotImplemented(f"tf.contrib.factorization.{name} is not implemented by "
                                    f"tensorweave (see docs/compatibility.md)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
