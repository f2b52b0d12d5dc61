"""tf.io: Example parsing, TFRecord files, CSV, file reading and writing, queues, gfile.

Names load on first use from where they are defined (`import tensorweave` stays light).

    features = {"x": tf.io.FixedLenFeature([2], tf.float32)}
    parsed = tf.io.parse_single_example(record, features)
"""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    **lazy.names_from("tensorweave.ops.example_parsing",
                      "FixedLenFeature", "FixedLenSequenceFeature", "SparseFeature",
                      "VarLenFeature", "decode_compressed", "decode_padded_raw",
                      "parse_example", "parse_sequence_example", "parse_single_example",
                      "parse_single_sequence_example"),
    **lazy.names_from("tensorweave.io.tf_record",
                      "TFRecordCompressionType", "TFRecordOptions", "TFRecordWriter",
                      "tf_record_iterator"),
    **lazy.names_from("tensorweave.io.parsing_ops", "decode_csv"),
    **lazy.names_from("tensorweave.queues",
                      "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue"),
    **lazy.names_from("tensorweave.ops.reader_ops",
                      "decode_raw", "matching_files", "read_file", "write_file"),
    **lazy.names_from("tensorweave.train.input", "match_filenames_once"),
    **lazy.names_from("tensorweave.ops.sparse_serialize_ops",
                      "deserialize_many_sparse", "serialize_many_sparse", "serialize_sparse"),
    **lazy.names_from("tensorweave.ops.string_ops",
                      "decode_base64", "encode_base64", "parse_tensor", "serialize_tensor"),
    **lazy.names_from("tensorweave.image.codecs", "decode_and_crop_jpeg", "decode_bmp",
                      "decode_gif", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg",
                      "encode_png", "extract_jpeg_shape", "is_jpeg"),
    "decode_json_example": "tensorweave.ops.example_parsing:decode_json_example",
    "write_graph": "tensorweave.core.graph_io:write_graph",
    "gfile": "tensorweave.io.gfile",  # the module
})
