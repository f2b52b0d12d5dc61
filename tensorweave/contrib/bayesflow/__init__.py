"""tf.contrib.bayesflow: TF 1.15 keeps only its Monte Carlo helpers here (`monte_carlo`)."""
from tensorweave.contrib.bayesflow import monte_carlo

__all__ = ["monte_carlo"]
