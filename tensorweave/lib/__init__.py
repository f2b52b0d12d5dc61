"""File formats that need no graph: CRC-32C, LevelDB tables, TensorFlow tensor bundles, and the
summary encodings (TF's histogram buckets, PNG, WAV)."""
