"""TF's module path `tensorflow.contrib.learn.python.learn.estimators.constants`: the problem
types a contrib model's output alternatives name (they pick the SignatureDef an export
writes)."""

__all__ = ["ProblemType"]


class ProblemType:
    """What a head predicts, as TF 1.x numbers it."""
    UNSPECIFIED = 0
    CLASSIFICATION = 1
    LINEAR_REGRESSION = 2
    LOGISTIC_REGRESSION = 3
