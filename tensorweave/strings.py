"""tf.strings: operations on string tensors."""
from tensorweave.util import lazy

__getattr__ = lazy.attributes(__name__, {
    **lazy.names_from("tensorweave.ops.string_ops", "as_string", "bytes_split", "lower",
                      "ngrams", "reduce_join", "regex_full_match", "regex_replace", "upper",
                      "unsorted_segment_join"),
    "format": "tensorweave.ops.string_format:string_format",
    "join": "tensorweave.ops.string_ops:string_join",
    "length": "tensorweave.ops.string_ops:string_length",
    "split": "tensorweave.ops.string_ops:strings_split",
    "strip": "tensorweave.ops.string_ops:string_strip",
    "substr": "tensorweave.ops.string_ops:substr",
    "to_hash_bucket": "tensorweave.ops.string_ops:string_to_hash_bucket",
    "to_hash_bucket_fast": "tensorweave.ops.string_ops:string_to_hash_bucket_fast",
    "to_hash_bucket_strong": "tensorweave.ops.string_ops:string_to_hash_bucket_strong",
    "to_number": "tensorweave.ops.string_ops:string_to_number",
    **lazy.names_from("tensorweave.ops.unicode_ops", "unicode_decode",
                      "unicode_decode_with_offsets", "unicode_encode", "unicode_split",
                      "unicode_split_with_offsets", "unicode_transcode"),
})
