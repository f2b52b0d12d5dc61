"""CRC-32C (Castagnoli) checksums, and the masking TensorFlow applies to stored checksums.

The C-accelerated `google-crc32c` package is used when installed (the `checkpoint` extra);
otherwise a table-driven pure-Python version computes the same values, slowly.

>>> hex(value(b"123456789"))
'0xe3069283'
"""
import functools

_POLYNOMIAL = 0x82F63B78  # CRC-32C, bit-reversed
_MASK_DELTA = 0xA282EAD8


_accelerated = ...  # the google_crc32c module or None: loaded on first use, not at import


def _accelerated_module():
    global _accelerated
    if _accelerated is ...:
        try:
            import google_crc32c as _accelerated
        except ImportError:  # pragma: no cover - depends on the environment
            _accelerated = None
    return _accelerated


@functools.lru_cache(maxsize=None)
def _table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (_POLYNOMIAL if crc & 1 else 0)
        table.append(crc)
    return tuple(table)


def python_extend(crc, data):
    """`crc` extended over `data` (any bytes-like object), in pure Python."""
    table = _table()
    crc ^= 0xFFFFFFFF
    for byte in memoryview(data).cast("B"):
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def extend(crc, data):
    """The CRC-32C of the bytes whose checksum is `crc` followed by `data`."""
    accelerated = _accelerated_module()
    if accelerated is not None:
        return accelerated.extend(crc, bytes(data) if not isinstance(data, bytes) else data)
    return python_extend(crc, data)


def value(data):
    """The CRC-32C of `data`."""
    return extend(0, data)


def mask(crc):
    """The checksum as TensorFlow stores it: rotated and offset, so that a checksum of data
    that itself holds checksums is not degenerate."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF


def unmask(masked):
    """Undoes `mask`."""
    rotated = (masked - _MASK_DELTA) & 0xFFFFFFFF
    return ((rotated >> 17) | (rotated << 15)) & 0xFFFFFFFF


def implementation():
    """'c' when the accelerated package computes checksums, else 'python'."""
    accelerated = _accelerated_module()
    if accelerated is not None:
        return getattr(accelerated, "implementation", "c")
    return "python"
