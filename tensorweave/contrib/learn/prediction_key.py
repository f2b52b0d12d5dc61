"""tf.contrib.learn.prediction_key: the names of canned estimators' prediction outputs."""

__all__ = ["PredictionKey"]


class PredictionKey:
    """Keys of the predictions dict contrib.learn's heads return."""
    CLASSES = "classes"
    PROBABILITIES = "probabilities"
    LOGITS = "logits"
    LOGISTIC = "logistic"
    SCORES = "scores"
    TOP_K = "top_k"
    GENERIC = "output"
