"""tf.contrib.tensorboard.plugins.projector: ProjectorConfig (TF's projector_config.proto) and
visualize_embeddings, read back by the real TensorBoard projector plugin's own code."""
import numpy as np
import pytest

import tensorweave as tf

projector = tf.contrib.tensorboard.plugins.projector
tb_projector = pytest.importorskip("tensorboard.plugins.projector.projector_plugin")
tb_config = pytest.importorskip("tensorboard.plugins.projector.projector_config_pb2")


def _config(checkpoint):
    config = projector.ProjectorConfig()
    config.model_checkpoint_path = checkpoint
    embedding = config.embeddings.add()
    embedding.tensor_name = "word_embedding"
    embedding.metadata_path = "metadata.tsv"
    embedding.sprite.image_path = "sprite.png"
    embedding.sprite.single_image_dim.extend([28, 28])
    embedding.tensor_shape.extend([10, 4])
    return config


def test_messages_are_tensorflows():
    config = _config("model.ckpt")
    assert type(config).DESCRIPTOR.full_name == "tensorflow.ProjectorConfig"
    assert projector.EmbeddingInfo.DESCRIPTOR.full_name == "tensorflow.EmbeddingInfo"
    assert [(f.name, f.number) for f in projector.EmbeddingInfo.DESCRIPTOR.fields] == [
        ("tensor_name", 1), ("metadata_path", 2), ("bookmarks_path", 3), ("tensor_shape", 4),
        ("sprite", 5), ("tensor_path", 6)]
    # the binary encoding is TensorBoard's message's too
    theirs = tb_config.ProjectorConfig.FromString(config.SerializeToString())
    assert theirs.embeddings[0].sprite.single_image_dim == [28, 28]


def test_visualize_embeddings_writes_what_tensorboard_reads(tmp_path):
    embedding = tf.Variable(np.arange(40, dtype=np.float32).reshape(10, 4),
                            name="word_embedding")
    logdir = str(tmp_path)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        checkpoint = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"), global_step=1)
    (tmp_path / "metadata.tsv").write_text("\n".join(str(i) for i in range(10)) + "\n")
    writer = tf.summary.FileWriter(logdir)
    projector.visualize_embeddings(writer, _config(checkpoint))
    writer.close()
    text = (tmp_path / projector.PROJECTOR_FILENAME).read_text()
    assert 'tensor_name: "word_embedding"' in text
    configs, paths = tb_projector.ProjectorPlugin._read_latest_config_files(
        None, [(".", logdir)])
    config = configs["."]
    assert paths["."] == str(tmp_path / "projector_config.pbtxt")
    assert config.model_checkpoint_path == checkpoint
    info = config.embeddings[0]
    assert (info.tensor_name, info.metadata_path, list(info.tensor_shape)) == (
        "word_embedding", "metadata.tsv", [10, 4])
    assert info.sprite.image_path == "sprite.png"
    assert embedding.name == "word_embedding:0"


def test_visualize_embeddings_needs_a_logdir():
    class NoLogdir:
        def get_logdir(self):
            return None

    with pytest.raises(ValueError, match="Summary writer must have a logdir"):
        projector.visualize_embeddings(NoLogdir(), projector.ProjectorConfig())
