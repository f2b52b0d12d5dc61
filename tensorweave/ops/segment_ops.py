"""Segment reductions, cumulative sums and products, counting (bincount, histograms)."""

__all__ = []  # the names `tf.` takes from here
