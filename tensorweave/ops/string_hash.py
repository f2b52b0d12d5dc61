"""The hash functions of TensorFlow's string ops, bit for bit, in plain Python integers:

  fingerprint64(data)          FarmHash's Fingerprint64 (farmhashna::Hash64, from
                               feature_column.py): tf.fingerprint, StringToHashBucketFast
  legacy_hash64(data)          TensorFlow's own Hash64 (MurmurHash64A, seed 0xDECAFCAFFE):
                               the deprecated StringToHashBucket
  siphash24(key0, key1, data)  keyed SipHash-2-4: StringToHashBucketStrong

Each takes bytes and returns an unsigned 64-bit integer.
"""
from tensorweave.ops.feature_column import fingerprint64  # noqa: F401 - shared

_MASK = (1 << 64) - 1


def legacy_hash64(data, seed=0xDECAFCAFFE):
    """TensorFlow's Hash64 (MurmurHash64A) of bytes `data`."""
    m, r = 0xC6A4A7935BD1E995, 47
    size = len(data)
    h = (seed ^ (size * m)) & _MASK
    whole = size - size % 8
    for at in range(0, whole, 8):
        k = (_fetch64(data, at) * m) & _MASK
        k ^= k >> r
        k = (k * m) & _MASK
        h = ((h ^ k) * m) & _MASK
    rest = data[whole:]
    if rest:
        h ^= int.from_bytes(rest, "little")
        h = (h * m) & _MASK
    h ^= h >> r
    h = (h * m) & _MASK
    return h ^ (h >> r)


def _sip_round(v0, v1, v2, v3):
    v0 = (v0 + v1) & _MASK
    v1 = _rotate(v1, 64 - 13) ^ v0
    v0 = _rotate(v0, 32)
    v2 = (v2 + v3) & _MASK
    v3 = _rotate(v3, 64 - 16) ^ v2
    v0 = (v0 + v3) & _MASK
    v3 = _rotate(v3, 64 - 21) ^ v0
    v2 = (v2 + v1) & _MASK
    v1 = _rotate(v1, 64 - 17) ^ v2
    v2 = _rotate(v2, 32)
    return v0, v1, v2, v3


def siphash24(key0, key1, data):
    """SipHash-2-4 of bytes `data` under the 128-bit key (key0, key1)."""
    v0 = key0 ^ 0x736F6D6570736575
    v1 = key1 ^ 0x646F72616E646F6D
    v2 = key0 ^ 0x6C7967656E657261
    v3 = key1 ^ 0x7465646279746573
    size = len(data)
    whole = size - size % 8
    blocks = [_fetch64(data, at) for at in range(0, whole, 8)]
    blocks.append(int.from_bytes(data[whole:], "little") | ((size & 0xFF) << 56))
    for m in blocks:
        v3 ^= m
        for _ in range(2):
            v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
        v0 ^= m
    v2 ^= 0xFF
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def _fetch64(data, at):
    return int.from_bytes(data[at:at + 8], "little")


def _rotate(value, shift):
    """Rotates 64-bit `value` right by `shift` (0 < shift < 64)."""
    return ((value >> shift) | (value << (64 - shift))) & _MASK
