"""slim.data_decoder.DataDecoder: the interface of decoders of serialized records."""
import abc

__all__ = ["DataDecoder"]


class DataDecoder(abc.ABC):
    """Decodes serialized data into named item tensors."""

    @abc.abstractmethod
    def decode(self, data, items):
        """The tensors of `items` decoded from `data`."""

    @abc.abstractmethod
    def list_items(self):
        """The names of the items this decoder can decode."""
