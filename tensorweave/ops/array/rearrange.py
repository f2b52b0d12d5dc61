"""Rearranging arrays: reverse, roll, space/depth/batch moves, patches, meshgrid, eye, diag."""

__all__ = []  # the names `tf.` takes from here
