"""contrib.learn.preprocessing (VocabularyProcessor, ByteProcessor, CategoricalVocabulary),
load_dataset('dbpedia', test_with_fake_data=True) and load_dataset('boston') from the files TF
1.x shipped, and contrib.layers.bow_encoder (TF 1.15 semantics)."""
import numpy as np
import pytest

import tensorweave as tf
from tensorweave.contrib import learn
from tensorweave.contrib.learn import preprocessing


def test_vocabulary_processor_ids_in_order_of_first_sight(tmp_path):
    docs = ["Google is a company.", "Larry Page is the co-founder of Google."]
    vocab = preprocessing.VocabularyProcessor(5)
    ids = np.array(list(vocab.fit_transform(docs)))
    assert ids.dtype == np.int64
    np.testing.assert_array_equal(ids, [[1, 2, 3, 4, 0], [5, 6, 2, 7, 8]])
    assert len(vocab.vocabulary_) == 10  # 9 words and "<UNK>"
    # frozen after fit: unseen words are 0, documents cut to 5
    np.testing.assert_array_equal(list(vocab.transform(["Sergey Brin is the co-founder"])),
                                  [[0, 0, 2, 7, 8]])
    assert list(vocab.reverse([[1, 2, 0]])) == ["Google is <UNK>"]
    path = str(tmp_path / "vocab")
    vocab.save(path)
    assert len(preprocessing.VocabularyProcessor.restore(path).vocabulary_) == 10


def test_saved_vocabulary_is_data_and_restores_the_same_ids(tmp_path):
    """save() writes JSON, never a pickle; restore() gives the same ids, frozen, reversible,
    and refuses TF's pickles and anything else as DataLossError naming the file."""
    vocab = preprocessing.VocabularyProcessor(4, min_frequency=1)
    vocab.fit(["b a a", "c b a d d"])
    path = tmp_path / "vocab"
    vocab.save(str(path))
    assert path.read_text().startswith("{")
    again = preprocessing.VocabularyProcessor.restore(str(path))
    docs = ["a b c d e"]
    np.testing.assert_array_equal(list(again.transform(docs)), list(vocab.transform(docs)))
    assert list(again.reverse([[1, 2, 3]])) == list(vocab.reverse([[1, 2, 3]]))
    assert len(again.vocabulary_) == len(vocab.vocabulary_)
    pickled = tmp_path / "tf_vocab"
    pickled.write_bytes(b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94.")
    for bad in (pickled, tmp_path / "empty"):
        bad.touch()
        with pytest.raises(tf.errors.DataLossError, match=str(bad.name)):
            preprocessing.VocabularyProcessor.restore(str(bad))
    custom = preprocessing.VocabularyProcessor(3, tokenizer_fn=lambda docs: (d.split()
                                                                             for d in docs))
    with pytest.raises(ValueError, match="custom tokenizer_fn"):
        custom.save(str(tmp_path / "custom"))


def test_tokenizer_and_min_frequency_trim():
    assert list(preprocessing.tokenizer(["IBM's CamelCase co-op, x!"])) == \
        [["IBM", "'s", "Camel", "Case", "co-op", "x"]]
    vocab = preprocessing.VocabularyProcessor(4, min_frequency=1)
    vocab.fit(["b a a", "c b a"])
    # kept: seen more than once, by count then word: a (3), b (2); c dropped
    np.testing.assert_array_equal(list(vocab.transform(["a b c"])), [[1, 2, 0, 0]])


def test_byte_processor_pads_and_reverses():
    proc = preprocessing.ByteProcessor(6)
    out = list(proc.fit_transform(["abc", "abcdefgh"]))
    assert out[0].dtype == np.uint8
    np.testing.assert_array_equal(out, [[97, 98, 99, 0, 0, 0], [97, 98, 99, 100, 101, 102]])
    assert list(proc.reverse(np.array(out))) == ["abc", "abcdef"]


def test_load_dbpedia_fake_and_boston():
    dbpedia = learn.datasets.load_dataset("dbpedia", test_with_fake_data=True)
    assert dbpedia.validation is None
    assert dbpedia.train.data.shape == (3, 2) and dbpedia.test.data.shape == (1, 2)
    np.testing.assert_array_equal(dbpedia.train.target, [1, 2, 3])
    assert dbpedia.train.target.dtype == np.int32
    assert dbpedia.test.data[0, 1] == "Sergey Brin is the co-founder of Google."
    boston = learn.datasets.load_dataset("boston")
    assert boston.data.shape == (506, 13) and boston.data.dtype == np.float64
    np.testing.assert_allclose(boston.data[0, :3], [0.00632, 18, 2.31])
    np.testing.assert_allclose(boston.target[:3], [24.0, 21.6, 34.7])
    with pytest.raises(ValueError):
        learn.datasets.load_dataset("cifar")


def test_bow_encoder_means_embeddings():
    table = np.arange(8, dtype=np.float32).reshape(4, 2)
    with tf.Graph().as_default():
        ids = tf.constant([[1, 2, 0], [0, 0, 0], [3, 3, 1]], tf.int64)
        init = tf.constant_initializer(table)
        sparse = tf.contrib.layers.bow_encoder(ids, 4, 2, initializer=init)
        dense = tf.contrib.layers.bow_encoder(ids, 4, 2, sparse_lookup=False, initializer=init,
                                              scope="dense")
        names = [v.op.name for v in tf.global_variables()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got_sparse, got_dense = sess.run([sparse, dense])
    assert names == ["bow_encoder/embeddings", "dense/embeddings"]
    # sparse: id 0 is padding (left out); an empty row gets id 0's embedding
    np.testing.assert_allclose(got_sparse, [table[[1, 2]].mean(0), table[0],
                                            table[[3, 3, 1]].mean(0)], rtol=1e-6)
    np.testing.assert_allclose(got_dense, table[[[1, 2, 0], [0, 0, 0], [3, 3, 1]]].mean(1),
                               rtol=1e-6)
    with pytest.raises(ValueError):
        tf.contrib.layers.bow_encoder(tf.constant([[1]]), 0, 2)


def test_dbpedia_archive_is_extracted_member_by_checked_member(tmp_path):
    """An archive already in data_dir is extracted with every member checked: one that would
    write outside data_dir is refused and nothing is written there."""
    import io
    import tarfile
    from tensorweave.contrib.learn.datasets import text_datasets
    data_dir = tmp_path / "dbpedia_data"
    data_dir.mkdir()
    with tarfile.open(data_dir / "dbpedia_csv.tar.gz", "w:gz") as tar:
        payload = b"1,x,y\n"
        member = tarfile.TarInfo("../outside.csv")
        member.size = len(payload)
        tar.addfile(member, io.BytesIO(payload))
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside.csv"):
        text_datasets.maybe_download_dbpedia(str(data_dir))
    assert not (tmp_path / "outside.csv").exists()
