"""custom_gradient, recompute_grad and grad_pass_through: user-defined gradients."""

__all__ = []  # the names `tf.` takes from here
