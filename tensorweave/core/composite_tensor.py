"""Composite tensors: values a Session fetches and feeds as several tensors (a RaggedTensor is
its flat values and row splits). Libraries subclass CompositeTensor; runtime/fetch.py maps
them to their component tensors and rebuilds the fetched value.

    class Pair(CompositeTensor):
        def components(self): return [self.a, self.b]
        def value_from_components(self, a, b): return (a, b)
"""


class CompositeTensor:
    """A value made of several tensors of one graph."""

    def components(self):
        """The component tensors, in a fixed order."""
        raise NotImplementedError

    def value_from_components(self, *values):
        """The fetched value, given the fetched value of each component (in order)."""
        raise NotImplementedError

    def feed_items(self, value):
        """The (component tensor, value) pairs for feeding this composite with `value`;
        TypeError for a composite that cannot be fed."""
        raise TypeError(f"{type(self).__name__} cannot be fed.")
