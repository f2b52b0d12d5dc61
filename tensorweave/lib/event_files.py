"""Event files as TensorFlow names and frames them: `events.out.tfevents.<seconds>.<host>` plus
a suffix, holding TFRecord-framed records (length, masked CRC32C of the length, data, masked
CRC32C of the data).

    path, fd = create_event_file("/tmp/logs", ".v2")
    os.write(fd, frame_record(event.SerializeToString()))
"""
import os
import socket
import struct
import time

from tensorweave.lib import crc32c

_LENGTH = struct.Struct("<Q")
_CHECKSUM = struct.Struct("<I")


def frame_record(data):
    """`data` (bytes) framed as one TFRecord."""
    length = _LENGTH.pack(len(data))
    return b"".join((length, _CHECKSUM.pack(crc32c.mask(crc32c.value(length))), data,
                     _CHECKSUM.pack(crc32c.mask(crc32c.value(data)))))


def create_event_file(logdir, suffix="", taken=None):
    """Creates the directory if needed and a new event file in it, named as TensorFlow names
    them (".<n>" before the suffix when that name exists, or `taken(path)` says a writer of
    this process holds it); returns (path, open fd)."""
    os.makedirs(logdir, exist_ok=True)
    base = os.path.join(logdir, "events.out.tfevents.%010d.%s" % (int(time.time()),
                                                                   socket.gethostname()))
    n = 0
    while True:
        path = base + ("" if n == 0 else f".{n}") + suffix
        if taken is None or not taken(path):
            try:
                return path, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                pass
        n += 1
