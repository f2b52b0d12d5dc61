"""Op table rows for the rearranging and structural array ops (ops/array/rearrange.py,
diagonal.py, structural.py). The NumPy references are written with loops where the op's own
kernel uses reshapes, so the two are independent."""
import numpy as np

import tensorweave as tf
from tensorweave.core.graph import create_op

from op_case import Case, bools, ints, rand


def _space_to_depth(x, s):
    b, h, w, c = x.shape
    out = np.zeros((b, h // s, w // s, s * s * c))
    for i in range(h):
        for j in range(w):
            out[:, i // s, j // s, ((i % s) * s + j % s) * c:((i % s) * s + j % s + 1) * c] = \
                x[:, i, j, :]
    return out


def _depth_to_space(x, s):
    b, h, w, c = x.shape
    out = np.zeros((b, h * s, w * s, c // (s * s)))
    d = c // (s * s)
    for i in range(h * s):
        for j in range(w * s):
            k = (i % s) * s + j % s
            out[:, i, j, :] = x[:, i // s, j // s, k * d:(k + 1) * d]
    return out


def _space_to_batch(x, block, pads):
    """Output batch index (bi * block[1] + bj) * batch + n holds padded[n, i * block[0] + bi,
    j * block[1] + bj]."""
    padded = np.pad(x, [(0, 0)] + [tuple(p) for p in pads] + [(0, 0)] * (x.ndim - 3))
    n, h, w = padded.shape[:3]
    b0, b1 = block
    out = np.zeros((n * b0 * b1, h // b0, w // b1) + x.shape[3:])
    for bi in range(b0):
        for bj in range(b1):
            out[(bi * b1 + bj) * n:(bi * b1 + bj + 1) * n] = padded[:, bi::b0, bj::b1]
    return out


def _batch_to_space(x, block, crops):
    b0, b1 = block
    n = x.shape[0] // (b0 * b1)
    h, w = x.shape[1:3]
    full = np.zeros((n, h * b0, w * b1) + x.shape[3:])
    for bi in range(b0):
        for bj in range(b1):
            full[:, bi::b0, bj::b1] = x[(bi * b1 + bj) * n:(bi * b1 + bj + 1) * n]
    (t, bottom), (left, right) = crops
    return full[:, t:h * b0 - bottom, left:w * b1 - right]


def _patches(x, k, s, r, padding):
    """Loops over output positions and kernel offsets of an [N, H, W, C] image."""
    n, h, w, c = x.shape
    extent = [k[i] + (k[i] - 1) * (r[i] - 1) for i in range(2)]
    if padding == "VALID":
        out = [(d - e) // st + 1 for d, e, st in zip((h, w), extent, s)]
        before = [0, 0]
    else:
        out = [-(-d // st) for d, st in zip((h, w), s)]
        before = [max((o - 1) * st + e - d, 0) // 2 for o, st, e, d in zip(out, s, extent,
                                                                           (h, w))]
    result = np.zeros((n, out[0], out[1], k[0] * k[1] * c))
    for i in range(out[0]):
        for j in range(out[1]):
            for a in range(k[0]):
                for b in range(k[1]):
                    y = i * s[0] + a * r[0] - before[0]
                    z = j * s[1] + b * r[1] - before[1]
                    if 0 <= y < h and 0 <= z < w:
                        result[:, i, j, (a * k[1] + b) * c:(a * k[1] + b + 1) * c] = x[:, y, z]
    return result


def _volume_patches(x, k, s):
    """VALID patches of an [N, P, H, W, C] volume by loops."""
    out = [(d - kk) // st + 1 for d, kk, st in zip(x.shape[1:4], k, s)]
    c = x.shape[-1]
    result = np.zeros((x.shape[0], *out, k[0] * k[1] * k[2] * c))
    for pos in np.ndindex(*out):
        for off in np.ndindex(*k):
            flat = (off[0] * k[1] + off[1]) * k[2] + off[2]
            src = tuple(p * st + o for p, st, o in zip(pos, s, off))
            result[(slice(None),) + pos + (slice(flat * c, (flat + 1) * c),)] = \
                x[(slice(None),) + src]
    return result


def _band(x, lower, upper):
    out = np.array(x)
    rows, cols = x.shape[-2:]
    for i in range(rows):
        for j in range(cols):
            if (lower >= 0 and i - j > lower) or (upper >= 0 and j - i > upper):
                out[..., i, j] = 0
    return out


def _set_diag(x, d):
    out = np.array(x)
    for i in range(d.shape[-1]):
        out[..., i, i] = d[..., i]
    return out


_I4 = np.array([[1, 0], [0, 2]], np.int32)
_CROPS = np.array([[0, 1], [1, 0]], np.int32)
_PATCH = {"ksizes": (1, 2, 2, 1), "strides": (1, 2, 1, 1), "rates": (1, 1, 2, 1)}

CASES = [
    Case("ReverseV2", [rand(2, 3, 4), ints(0, 2)], lambda x, a: x[::-1, :, ::-1]),
    Case("ReverseV2", [rand(2, 3), ints(-1, dtype=np.int64)], lambda x, a: x[:, ::-1],
         tag="int64"),
    Case("Roll", [rand(3, 4), ints(1, -2), ints(0, 1)],
         lambda x, s, a: np.roll(np.roll(x, 1, 0), -2, 1)),
    Case("Roll", [rand(5), np.int32(7), np.int32(0)], lambda x, s, a: np.roll(x, 2),
         tag="scalar"),
    Case("SpaceToDepth", [rand(2, 4, 4, 2)], lambda x: _space_to_depth(x, 2),
         attrs={"block_size": 2, "data_format": "NHWC"}),
    Case("SpaceToDepth", [rand(1, 2, 4, 6)],
         lambda x: _space_to_depth(x.transpose(0, 2, 3, 1), 2).transpose(0, 3, 1, 2),
         attrs={"block_size": 2, "data_format": "NCHW"}, tag="nchw"),
    Case("DepthToSpace", [rand(2, 2, 3, 8)], lambda x: _depth_to_space(x, 2),
         attrs={"block_size": 2, "data_format": "NHWC"}),
    Case("SpaceToBatchND", [rand(2, 3, 4, 2), ints(2, 2), _I4],
         lambda x, b, p: _space_to_batch(x, (2, 2), p)),
    Case("SpaceToBatchND", [rand(1, 4, 2), ints(2, 1), np.zeros((2, 2), np.int32)],
         lambda x, b, p: _space_to_batch(x, (2, 1), p), tag="no_depth"),
    Case("BatchToSpaceND", [rand(8, 2, 3, 1), ints(2, 2), _CROPS],
         lambda x, b, c: _batch_to_space(x, (2, 2), c)),
    Case("ExtractImagePatches", [rand(1, 4, 5, 2)],
         lambda x: _patches(x, (2, 2), (2, 1), (1, 2), "VALID"),
         attrs=dict(_PATCH, padding="VALID")),
    Case("ExtractImagePatches", [rand(2, 3, 4, 1)],
         lambda x: _patches(x, (2, 2), (2, 1), (1, 2), "SAME"),
         attrs=dict(_PATCH, padding="SAME"), tag="same"),
    Case("ExtractVolumePatches", [rand(1, 3, 3, 4, 1)],
         lambda x: _volume_patches(x, (2, 2, 2), (1, 1, 2)),
         attrs={"ksizes": (1, 2, 2, 2, 1), "strides": (1, 1, 1, 2, 1), "padding": "VALID"}),
    Case("LinSpace", [np.float64(1.0), np.float64(3.0), np.int32(5)],
         lambda a, b, n: np.linspace(1.0, 3.0, 5)),
    Case("LinSpace", [np.float64(-2.0), np.float64(3.0), np.int64(1)],
         lambda a, b, n: np.array([-2.0]), tag="one"),
    Case("Diag", [rand(2, 3)], lambda d: np.diag(d.ravel()).reshape(2, 3, 2, 3)),
    Case("DiagPart", [rand(2, 3, 2, 3)],
         lambda x: np.array([[x[i, j, i, j] for j in range(3)] for i in range(2)])),
    Case("MatrixDiag", [rand(2, 3)], lambda d: np.stack([np.diag(r) for r in d])),
    Case("MatrixDiagPart", [rand(2, 3, 4)], lambda x: np.stack([np.diag(m) for m in x])),
    Case("MatrixSetDiag", [rand(2, 4, 3), rand(2, 3)], _set_diag),
    Case("MatrixBandPart", [rand(4, 5), np.int64(1), np.int64(-1)],
         lambda x, lo, up: _band(x, 1, -1)),
    Case("MatrixBandPart", [rand(2, 3, 4), np.int64(0), np.int64(2)],
         lambda x, lo, up: _band(x, 0, 2), tag="batched"),
    Case("ShapeN", [rand(2, 3), rand(4)],
         lambda a, b: (np.array([2, 3], np.int32), np.array([4], np.int32)),
         build=lambda a, b: create_op("ShapeN", [a, b], out_type=tf.int32).outputs),
    Case("IdentityN", [rand(2, 3), rand(4)], lambda a, b: (a, b),
         build=lambda a, b: create_op("IdentityN", [a, b]).outputs),
    Case("ParallelConcat", [rand(1, 3), rand(1, 3)], lambda a, b: np.concatenate([a, b]),
         attrs={"shape": tf.TensorShape([2, 3])}),
    Case("UnravelIndex", [ints(2, 5, 7), ints(3, 3)],
         lambda i, d: np.array([[0, 1, 2], [2, 2, 1]], np.int32)),
    Case("BroadcastArgs", [ints(2, 1), ints(4, 1, 3)], lambda a, b: ints(4, 2, 3)),
    Case("EnsureShape", [rand(2, 3)], lambda x: x, attrs={"shape": tf.TensorShape([None, 3])}),
    Case("SelectV2", [bools(3), rand(2, 3), rand(2, 1)],
         lambda c, x, y: np.where(c, x, y)),
    Case("Bitcast", [np.array([[1.5, -2.0]], np.float32)],
         lambda x: np.frombuffer(x.tobytes(), np.int8).reshape(1, 2, 4),
         attrs={"type": tf.int8}),
    Case("Bitcast", [np.array([[1, 2], [3, -4]], np.int16)],
         lambda x: np.frombuffer(x.tobytes(), np.int32).reshape(2), attrs={"type": tf.int32},
         tag="narrowing"),
    Case("GuaranteeConst", [rand(2, 3)], lambda x: x),
]
