"""slim.dataset.Dataset: the files of a dataset with the reader and decoder that read them."""

__all__ = ["Dataset"]


class Dataset:
    """data_sources, reader (a Reader class), decoder, num_samples, items_to_descriptions,
    and any other keyword argument, as attributes."""

    def __init__(self, data_sources, reader, decoder, num_samples, items_to_descriptions,
                 **kwargs):
        kwargs.update(data_sources=data_sources, reader=reader, decoder=decoder,
                      num_samples=num_samples, items_to_descriptions=items_to_descriptions)
        self.__dict__.update(kwargs)
