"""tf.contrib.tensorboard.plugins.projector: configure TensorBoard's embedding projector.

    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = embedding_var.name
    embedding.metadata_path = "metadata.tsv"
    projector.visualize_embeddings(summary_writer, config)   # writes projector_config.pbtxt
"""
import os

from tensorweave.contrib.tensorboard.plugins.projector import projector_config_pb2

__all__ = ["ProjectorConfig", "EmbeddingInfo", "SpriteMetadata", "visualize_embeddings",
           "PROJECTOR_FILENAME"]

PROJECTOR_FILENAME = "projector_config.pbtxt"  # the name TensorBoard's projector looks for


def visualize_embeddings(summary_writer, config):
    """Writes `config` as text to `projector_config.pbtxt` in the writer's log directory."""
    from google.protobuf import text_format
    logdir = summary_writer.get_logdir()
    if logdir is None:
        raise ValueError("Summary writer must have a logdir")
    with open(os.path.join(logdir, PROJECTOR_FILENAME), "w", encoding="utf-8") as f:
        f.write(text_format.MessageToString(config))


def __getattr__(name):
    if name in ("ProjectorConfig", "EmbeddingInfo", "SpriteMetadata"):
        return projector_config_pb2.message_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
