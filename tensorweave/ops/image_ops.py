"""Image resampling op types: ResizeBilinear, ResizeNearestNeighbor, ResizeBicubic, ResizeArea
and their gradients, CropAndResize with its two gradients, ExtractGlimpse, and
ImageProjectiveTransformV2 (tf.contrib.image.transform).

Every resize is separable: out[b] = Wy @ image[b] @ Wx^T with one weight matrix per axis,
built from TensorFlow 1.x's pixel mapping (float32 scales, `align_corners`,
`half_pixel_centers`, the bicubic kernel read from TF's 1024-entry coefficient table), so a
gradient is the same product with the matrices transposed.
"""
import zlib

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import partial_shape_from_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.ops import array
from tensorweave.ops._common import one

_F32 = np.float32
_REAL = (dtypes.int8, dtypes.uint8, dtypes.int16, dtypes.uint16, dtypes.int32, dtypes.int64,
         dtypes.float16, dtypes.float32, dtypes.float64)
_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


# --- shapes --------------------------------------------------------------------------------
def _dims(t, rank, op_type, what):
    if t.shape.ndims is None:
        return [None] * rank
    if t.shape.ndims != rank:
        raise ValueError(f"{op_type} requires {what} of rank {rank}, got shape {t.shape}")
    return t.shape.as_list()


def _size_pair(size, op_type, what="size"):
    """The (height, width) a 1-D int32 tensor of 2 elements holds, None where not known."""
    if size.dtype is not dtypes.int32:
        raise TypeError(f"{op_type} requires an int32 {what}, got {size.dtype.name}")
    dims = _dims(size, 1, op_type, what)
    if dims[0] not in (None, 2):
        raise ValueError(f"{op_type} requires a {what} of 2 elements, got shape {size.shape}")
    known = partial_shape_from_tensor(size)
    return [None, None] if known.ndims is None else known.as_list()


def _check_type(op_type, t, allowed, what="images"):
    if t.dtype not in allowed:
        raise TypeError(f"{op_type} does not support {what} of type {t.dtype.name}")


def _resize_shape(op_type, out_dtype):
    def shape(images, size, *, align_corners=False, half_pixel_centers=False):
        _check_type(op_type, images, _REAL)
        n, _, _, c = _dims(images, 4, op_type, "images")
        h, w = _size_pair(size, op_type)
        return [(out_dtype or images.dtype, TensorShape([n, h, w, c]))]
    return shape


def _grad_shape(op_type):
    def shape(grads, original, *, align_corners=False, half_pixel_centers=False):
        _check_type(op_type, original, _FLOATS, "original_image")
        _dims(grads, 4, op_type, "grads")
        return [(original.dtype, TensorShape(_dims(original, 4, op_type, "original_image")))]
    return shape


def _nearest_grad_shape(grads, size, *, align_corners=False, half_pixel_centers=False):
    n, _, _, c = _dims(grads, 4, "ResizeNearestNeighborGrad", "grads")
    h, w = _size_pair(size, "ResizeNearestNeighborGrad")
    return [(grads.dtype, TensorShape([n, h, w, c]))]


# --- TensorFlow's pixel mapping, one axis at a time -----------------------------------------
def resize_scale(in_size, out_size, align_corners):
    """TF's CalculateResizeScale, in float32."""
    if align_corners and out_size > 1:
        return _F32(in_size - 1) / _F32(out_size - 1)
    return _F32(in_size) / _F32(out_size)


def _round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + _F32(0.5))


def _nearest_index(in_size, out_size, align_corners, half_pixel_centers):
    scale = resize_scale(in_size, out_size, align_corners)
    o = np.arange(out_size, dtype=_F32)
    x = (o + _F32(0.5)) * scale if half_pixel_centers else o * scale
    index = _round_half_away(x) if align_corners else np.floor(x)
    index = np.minimum(index.astype(np.int64), in_size - 1)
    return np.maximum(index, 0) if half_pixel_centers else index


def _bilinear_matrix(in_size, out_size, align_corners, half_pixel_centers):
    scale = resize_scale(in_size, out_size, align_corners)
    o = np.arange(out_size, dtype=_F32)
    x = (o + _F32(0.5)) * scale - _F32(0.5) if half_pixel_centers else o * scale
    low = np.floor(x)
    lerp = (x - low).astype(np.float64)
    lower = np.maximum(low, 0).astype(np.int64)
    upper = np.minimum(np.ceil(x), in_size - 1).astype(np.int64)
    w = np.zeros((out_size, in_size))
    np.add.at(w, (np.arange(out_size), lower), 1 - lerp)
    np.add.at(w, (np.arange(out_size), upper), lerp)
    return w


_TABLE_SIZE = 1024


def _cubic_table(a):
    """TF's float32 table of the cubic kernel at offsets i / 1024 (pairs per offset)."""
    x = np.arange(_TABLE_SIZE + 1, dtype=_F32) / _F32(_TABLE_SIZE)
    a = _F32(a)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    x1 = x + _F32(1)
    far = ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a
    return near, far


def _bicubic_matrix(in_size, out_size, align_corners, half_pixel_centers):
    scale = resize_scale(in_size, out_size, align_corners)
    o = np.arange(out_size, dtype=_F32)
    x = (o + _F32(0.5)) * scale - _F32(0.5) if half_pixel_centers else o * scale
    base = np.floor(x)
    offset = np.rint((x - base) * _F32(_TABLE_SIZE)).astype(np.int64)
    near, far = _cubic_table(-0.5 if half_pixel_centers else -0.75)
    weights = np.stack([far[offset], near[offset], near[_TABLE_SIZE - offset],
                        far[_TABLE_SIZE - offset]], axis=1).astype(np.float64)
    taps = base.astype(np.int64)[:, None] + np.arange(-1, 3)
    index = np.clip(taps, 0, in_size - 1)
    if half_pixel_centers:  # Keys' kernel: taps outside the image get no weight
        weights = np.where(index == taps, weights, 0.0)
        total = weights.sum(axis=1, keepdims=True)
        weights = np.where(np.abs(total) >= 1000 * np.finfo(_F32).tiny, weights / total, weights)
    w = np.zeros((out_size, in_size))
    np.add.at(w, (np.repeat(np.arange(out_size), 4), index.reshape(-1)), weights.reshape(-1))
    return w


def _area_matrix(in_size, out_size, align_corners, half_pixel_centers=False):
    scale = resize_scale(in_size, out_size, align_corners)
    w = np.zeros((out_size, in_size))
    for o in range(out_size):
        lo, hi = _F32(o) * scale, _F32(o + 1) * scale
        for i in range(int(np.floor(lo)), int(np.ceil(hi))):
            if i < lo:
                part = scale if i + 1 > hi else _F32(i + 1) - lo
            else:
                part = hi - _F32(i) if i + 1 > hi else 1.0
            w[o, min(max(i, 0), in_size - 1)] += float(part)
    return w / float(scale)


def _resize_input(op_type, images, size):
    if images.ndim != 4:
        raise errors.InvalidArgumentError(
            None, None, f"input must be 4-dimensional{list(images.shape)}")
    size = np.asarray(size)
    if size.shape != (2,):
        raise errors.InvalidArgumentError(
            None, None, f"shape_t must be 1-dimensional with two elements: {list(size.shape)}")
    h, w = (int(v) for v in size)
    if h <= 0 or w <= 0:
        raise errors.InvalidArgumentError(None, None, "output dimensions must be positive")
    if images.shape[1] <= 0 or images.shape[2] <= 0:
        raise errors.InvalidArgumentError(
            None, None, f"{op_type}: input image must be of non-zero size")
    return h, w


def _check_centers(align_corners, half_pixel_centers):
    if align_corners and half_pixel_centers:
        raise errors.InvalidArgumentError(
            None, None, "If half_pixel_centers is True, align_corners must be False.")


def separable(matrix_y, values, matrix_x):
    """sum over (i, j) of matrix_y[o, i] * values[b, i, j, c] * matrix_x[p, j]."""
    rows = np.einsum("oi,bijc->bojc", matrix_y, values)
    return np.einsum("pj,bojc->bopc", matrix_x, rows)


def _resample_kernel(matrix, out_dtype):
    def kernel(images, size, *, align_corners=False, half_pixel_centers=False):
        h, w = _resize_input(matrix.__name__, images, size)
        _check_centers(align_corners, half_pixel_centers)
        wy = matrix(images.shape[1], h, align_corners, half_pixel_centers)
        wx = matrix(images.shape[2], w, align_corners, half_pixel_centers)
        return separable(wy, images.astype(np.float64), wx).astype(out_dtype)
    return kernel


def _resample_grad_kernel(matrix):
    def kernel(grads, original, *, align_corners=False, half_pixel_centers=False):
        _check_centers(align_corners, half_pixel_centers)
        wy = matrix(original.shape[1], grads.shape[1], align_corners, half_pixel_centers)
        wx = matrix(original.shape[2], grads.shape[2], align_corners, half_pixel_centers)
        return separable(wy.T, grads.astype(np.float64), wx.T).astype(original.dtype)
    return kernel


def _nearest_kernel(images, size, *, align_corners=False, half_pixel_centers=False):
    h, w = _resize_input("ResizeNearestNeighbor", images, size)
    _check_centers(align_corners, half_pixel_centers)
    rows = _nearest_index(images.shape[1], h, align_corners, half_pixel_centers)
    cols = _nearest_index(images.shape[2], w, align_corners, half_pixel_centers)
    return np.ascontiguousarray(images[:, rows][:, :, cols])


def _nearest_grad_kernel(grads, size, *, align_corners=False, half_pixel_centers=False):
    _check_centers(align_corners, half_pixel_centers)
    h, w = (int(v) for v in size)
    rows = _nearest_index(h, grads.shape[1], align_corners, half_pixel_centers)
    cols = _nearest_index(w, grads.shape[2], align_corners, half_pixel_centers)
    out = np.zeros((grads.shape[0], h, w, grads.shape[3]), dtype=grads.dtype)
    np.add.at(out, (slice(None), rows[:, None], cols[None, :]), grads)
    return out


def _centers(op):
    return {"align_corners": op.attrs["align_corners"],
            "half_pixel_centers": op.attrs["half_pixel_centers"]}


def _bilinear_grad(op, dy):
    return [one(create_op("ResizeBilinearGrad", [dy, op.inputs[0]], **_centers(op))), None]


def _bicubic_grad(op, dy):
    if op.inputs[0].dtype not in (dtypes.float32, dtypes.float64):
        return [None, None]
    return [one(create_op("ResizeBicubicGrad", [dy, op.inputs[0]], **_centers(op))), None]


def _nearest_grad(op, dy):
    image = op.inputs[0]
    known = image.shape.ndims == 4 and None not in image.shape.as_list()[1:3]
    size = (array.stacked_ints(image.shape.as_list()[1:3]) if known
            else array.strided_slice(array.shape(image), [1], [3], [1]))
    return [one(create_op("ResizeNearestNeighborGrad", [dy, size], **_centers(op))), None]


register_op("ResizeBilinear", shape=_resize_shape("ResizeBilinear", dtypes.float32),
            kernel=_resample_kernel(_bilinear_matrix, np.float32), grad=_bilinear_grad)
register_op("ResizeBicubic", shape=_resize_shape("ResizeBicubic", dtypes.float32),
            kernel=_resample_kernel(_bicubic_matrix, np.float32), grad=_bicubic_grad)
register_op("ResizeNearestNeighbor", shape=_resize_shape("ResizeNearestNeighbor", None),
            kernel=_nearest_kernel, grad=_nearest_grad)
register_op("ResizeArea", shape=_resize_shape("ResizeArea", dtypes.float32),
            kernel=_resample_kernel(_area_matrix, np.float32), grad=None)  # none in TF either
register_op("ResizeBilinearGrad", shape=_grad_shape("ResizeBilinearGrad"),
            kernel=_resample_grad_kernel(_bilinear_matrix), grad=None)
register_op("ResizeBicubicGrad", shape=_grad_shape("ResizeBicubicGrad"),
            kernel=_resample_grad_kernel(_bicubic_matrix), grad=None)
register_op("ResizeNearestNeighborGrad", shape=_nearest_grad_shape,
            kernel=_nearest_grad_kernel, grad=None)


def resize(op_type, images, size, name=None, **attrs):
    """Builds a Resize* op (the op function behind tf.image.resize_*)."""
    return one(create_op(op_type, [images, size], name=name or op_type, **attrs))


# --- CropAndResize -------------------------------------------------------------------------
def _crop_dims(op_type, image, boxes, box_ind):
    n, _, _, d = _dims(image, 4, op_type, "image")
    nb, four = _dims(boxes, 2, op_type, "boxes")
    (ni,) = _dims(box_ind, 1, op_type, "box_ind")
    if four not in (None, 4):
        raise ValueError(f"{op_type} requires boxes of shape [num_boxes, 4], got {boxes.shape}")
    if boxes.dtype is not dtypes.float32:
        raise TypeError(f"{op_type} requires float32 boxes, got {boxes.dtype.name}")
    if box_ind.dtype is not dtypes.int32:
        raise TypeError(f"{op_type} requires an int32 box_ind, got {box_ind.dtype.name}")
    if nb is not None and ni is not None and nb != ni:
        raise ValueError(f"{op_type} requires one box_ind per box, got {nb} boxes and {ni}")
    return nb if nb is not None else ni, d


def _check_method(method, allowed=("bilinear", "nearest")):
    if method not in allowed:
        raise ValueError(f"method must be one of {list(allowed)}, got {method!r}")


def _crop_and_resize_shape(image, boxes, box_ind, crop_size, *, method="bilinear",
                           extrapolation_value=0.0):
    _check_method(method)
    _check_type("CropAndResize", image, _REAL, "image")
    nb, d = _crop_dims("CropAndResize", image, boxes, box_ind)
    h, w = _size_pair(crop_size, "CropAndResize", "crop_size")
    return [(dtypes.float32, TensorShape([nb, h, w, d]))]


def _crop_axis(lo, hi, in_size, out_size):
    """TF's sample positions along one axis of a box (float32) and which fall inside."""
    lo, hi = _F32(lo), _F32(hi)
    if out_size > 1:
        step = (hi - lo) * _F32(in_size - 1) / _F32(out_size - 1)
        at = lo * _F32(in_size - 1) + np.arange(out_size, dtype=_F32) * step
    else:
        at = np.full(1, _F32(0.5) * (lo + hi) * _F32(in_size - 1), dtype=_F32)
    return at, (at >= 0) & (at <= in_size - 1)


def _crop_matrix(at, inside, in_size, method):
    w = np.zeros((at.size, in_size))
    rows = np.nonzero(inside)[0]
    if method == "nearest":
        w[rows, _round_half_away(at[rows]).astype(np.int64)] = 1.0
        return w
    low = np.floor(at[rows])
    lerp = (at[rows] - low).astype(np.float64)
    np.add.at(w, (rows, low.astype(np.int64)), 1 - lerp)
    np.add.at(w, (rows, np.ceil(at[rows]).astype(np.int64)), lerp)
    return w


def _check_crop(image_batch, boxes, box_ind, crop_size=None):
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise errors.InvalidArgumentError(
            None, None, f"boxes must be 2-D[num_boxes, 4] but got shape {list(boxes.shape)}")
    if box_ind.shape != (boxes.shape[0],):
        raise errors.InvalidArgumentError(None, None, "box_index has incompatible shape")
    if crop_size is not None and (np.asarray(crop_size) <= 0).any():
        raise errors.InvalidArgumentError(None, None, "crop dimensions must be positive")
    if box_ind.size and (box_ind.min() < 0 or box_ind.max() >= image_batch):
        raise errors.InvalidArgumentError(
            None, None, "box_index has values outside [0, batch_size)")


def _box_matrices(box, image_hw, crop_hw, method):
    (y_at, y_in), (x_at, x_in) = (_crop_axis(box[0], box[2], image_hw[0], crop_hw[0]),
                                  _crop_axis(box[1], box[3], image_hw[1], crop_hw[1]))
    return (_crop_matrix(y_at, y_in, image_hw[0], method), y_in,
            _crop_matrix(x_at, x_in, image_hw[1], method), x_in)


def _crop_and_resize_kernel(image, boxes, box_ind, crop_size, *, method="bilinear",
                            extrapolation_value=0.0):
    if image.ndim != 4:
        raise errors.InvalidArgumentError(
            None, None, f"input image must be 4-D, got {list(image.shape)}")
    _check_crop(image.shape[0], boxes, box_ind, crop_size)
    ch, cw = (int(v) for v in crop_size)
    out = np.zeros((boxes.shape[0], ch, cw, image.shape[3]), dtype=np.float32)
    for b, box in enumerate(boxes):
        wy, y_in, wx, x_in = _box_matrices(box, image.shape[1:3], (ch, cw), method)
        crop = separable(wy, image[box_ind[b]:box_ind[b] + 1].astype(np.float64), wx)[0]
        crop[~y_in] = extrapolation_value
        crop[:, ~x_in] = extrapolation_value
        out[b] = crop
    return out


def _grad_image_shape(grads, boxes, box_ind, image_size, *, T, method="bilinear"):
    _check_method(method)
    _crop_dims("CropAndResizeGradImage", grads, boxes, box_ind)
    known = partial_shape_from_tensor(image_size)
    return [(dtypes.as_dtype(T), TensorShape([None] * 4) if known.ndims is None else known)]


def _grad_image_kernel(grads, boxes, box_ind, image_size, *, T, method="bilinear"):
    n, h, w, d = (int(v) for v in image_size)
    _check_crop(n, boxes, box_ind)
    out = np.zeros((n, h, w, d))
    for b, box in enumerate(boxes):
        wy, _, wx, _ = _box_matrices(box, (h, w), grads.shape[1:3], method)
        out[box_ind[b]] += separable(wy.T, grads[b:b + 1].astype(np.float64), wx.T)[0]
    return out.astype(dtypes.as_dtype(T).as_numpy_dtype)


def _grad_boxes_shape(grads, image, boxes, box_ind, *, method="bilinear"):
    _check_method(method, ("bilinear",))
    _crop_dims("CropAndResizeGradBoxes", image, boxes, box_ind)
    return [(dtypes.float32, boxes.shape)]


def _box_axis_grad(at, inside, in_size, out_size):
    """Per sample: (lower index, upper index, lerp, d(at)/d(lo), d(at)/d(hi))."""
    low = np.floor(np.where(inside, at, 0))
    high = np.ceil(np.where(inside, at, 0))
    lerp = (np.where(inside, at, 0) - low).astype(np.float64)
    if out_size > 1:
        ratio = (in_size - 1) / (out_size - 1)
        k = np.arange(out_size) * ratio
        d_lo, d_hi = (in_size - 1) - k, k
    else:
        d_lo = d_hi = np.full(1, 0.5 * (in_size - 1))
    return low.astype(np.int64), high.astype(np.int64), lerp, d_lo, d_hi


def _grad_boxes_kernel(grads, image, boxes, box_ind, *, method="bilinear"):
    _check_crop(image.shape[0], boxes, box_ind)
    _, h, w, _ = image.shape
    ch, cw = grads.shape[1:3]
    out = np.zeros(boxes.shape, dtype=np.float64)
    for b, box in enumerate(boxes):
        y_at, y_in = _crop_axis(box[0], box[2], h, ch)
        x_at, x_in = _crop_axis(box[1], box[3], w, cw)
        top, bottom, yl, dy_lo, dy_hi = _box_axis_grad(y_at, y_in, h, ch)
        left, right, xl, dx_lo, dx_hi = _box_axis_grad(x_at, x_in, w, cw)
        img = image[box_ind[b]].astype(np.float64)
        tl, tr = img[top][:, left], img[top][:, right]
        bl, br = img[bottom][:, left], img[bottom][:, right]
        xl_, yl_ = xl[None, :, None], yl[:, None, None]
        upper, lower = tl + (tr - tl) * xl_, bl + (br - bl) * xl_
        west, east = tl + (bl - tl) * yl_, tr + (br - tr) * yl_
        mask = (y_in[:, None] & x_in[None, :])[..., None]
        g = np.where(mask, grads[b].astype(np.float64), 0.0)
        gy = ((lower - upper) * g).sum(axis=(1, 2))
        gx = ((east - west) * g).sum(axis=(0, 2))
        out[b] = [(gy * dy_lo).sum(), (gx * dx_lo).sum(), (gy * dy_hi).sum(),
                  (gx * dx_hi).sum()]
    return out.astype(np.float32)


def _crop_and_resize_grad(op, dy):
    image, boxes, box_ind, _ = op.inputs
    d_image = None
    if image.dtype in _FLOATS:
        d_image = one(create_op("CropAndResizeGradImage",
                                [dy, boxes, box_ind, array.shape(image)], T=image.dtype,
                                method=op.attrs["method"]))
    d_boxes = one(create_op("CropAndResizeGradBoxes", [dy, image, boxes, box_ind]))
    return [d_image, d_boxes, None, None]


register_op("CropAndResize", shape=_crop_and_resize_shape, kernel=_crop_and_resize_kernel,
            grad=_crop_and_resize_grad)
register_op("CropAndResizeGradImage", shape=_grad_image_shape, kernel=_grad_image_kernel,
            grad=None)  # TensorFlow registers no gradient for either gradient op
register_op("CropAndResizeGradBoxes", shape=_grad_boxes_shape, kernel=_grad_boxes_kernel,
            grad=None)


# --- ExtractGlimpse ------------------------------------------------------------------------
def _glimpse_shape(images, size, offsets, *, centered=True, normalized=True,
                   uniform_noise=True, noise="uniform"):
    if images.dtype is not dtypes.float32:
        raise TypeError(f"ExtractGlimpse requires float32 input, got {images.dtype.name}")
    n, _, _, c = _dims(images, 4, "ExtractGlimpse", "input")
    _dims(offsets, 2, "ExtractGlimpse", "offsets")
    h, w = _size_pair(size, "ExtractGlimpse")
    return [(dtypes.float32, TensorShape([n, h, w, c]))]


def _glimpse_origin(offset, in_size, size, centered, normalized):
    at = _F32(offset)
    if normalized:
        at = at * _F32(in_size)
    if centered:  # TF halves centered offsets in pixels too
        at = at / _F32(2) + _F32(in_size) / _F32(2)
    return int(at - _F32(size) / _F32(2))  # truncation toward zero, as TF's cast


def _glimpse_noise(image, shape, mode, rng):
    if mode == "uniform":
        lo, hi = float(image.min()), float(image.max())
        return rng.uniform(0, 1, shape) * (hi - lo) + lo
    if mode == "gaussian":
        mean, std = image.mean(axis=(0, 1)), image.std(axis=(0, 1))
        return rng.standard_normal(shape) * std + mean
    return np.zeros(shape)


def _glimpse_kernel(images, size, offsets, *, centered=True, normalized=True,
                    uniform_noise=True, noise="uniform"):
    if uniform_noise and noise not in ("", "uniform"):
        raise errors.InvalidArgumentError(
            None, None, "The uniform_noise and noise should not be specified at the same time")
    mode = "uniform" if uniform_noise else (noise or "gaussian")
    if mode not in ("uniform", "gaussian", "zero"):
        raise errors.InvalidArgumentError(None, None, f"Unknown noise type: {noise}")
    if offsets.shape != (images.shape[0], 2):
        raise errors.InvalidArgumentError(
            None, None, "input and offsets must have the same size, and offsets must be 2-D")
    gh, gw = (int(v) for v in size)
    _, h, w, c = images.shape
    # Noise: deterministic per input (TensorFlow's is not reproducible at all).
    rng = np.random.default_rng(zlib.crc32(images.tobytes() + offsets.tobytes()))
    out = np.zeros((images.shape[0], gh, gw, c), dtype=np.float32)
    for b in range(images.shape[0]):
        top = _glimpse_origin(offsets[b, 0], h, gh, centered, normalized)
        left = _glimpse_origin(offsets[b, 1], w, gw, centered, normalized)
        if top < 0 or left < 0 or top + gh >= h or left + gw >= w:
            out[b] = _glimpse_noise(images[b], (gh, gw, c), mode, rng)
        y0, y1 = max(top, 0), min(top + gh, h)
        x0, x1 = max(left, 0), min(left + gw, w)
        if y1 > y0 and x1 > x0:
            out[b, y0 - top:y1 - top, x0 - left:x1 - left] = images[b, y0:y1, x0:x1]
    return out


register_op("ExtractGlimpse", shape=_glimpse_shape, kernel=_glimpse_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- ImageProjectiveTransformV2 (tf.contrib.image.transform) ---------------------------------
_TRANSFORM_DTYPES = (dtypes.uint8, dtypes.int32, dtypes.int64, dtypes.float16, dtypes.float32,
                     dtypes.float64)


def _projective_shape(images, transforms, output_shape, *, interpolation):
    _check_type("ImageProjectiveTransformV2", images, _TRANSFORM_DTYPES)
    if interpolation not in ("NEAREST", "BILINEAR"):
        raise ValueError(f"ImageProjectiveTransformV2: interpolation must be NEAREST or "
                         f"BILINEAR, got {interpolation!r}")
    batch, _, _, channels = _dims(images, 4, "ImageProjectiveTransformV2", "images")
    _dims(transforms, 2, "ImageProjectiveTransformV2", "transforms")
    height, width = _size_pair(output_shape, "ImageProjectiveTransformV2", "output_shape")
    return [(images.dtype, TensorShape([batch, height, width, channels]))]


def _projective_kernel(images, transforms, output_shape, *, interpolation):
    """TensorFlow's kernel: output pixel (x, y) reads input point ((a0 x + a1 y + a2) / k,
    (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1, all in float32; points outside the image
    (and k == 0) read zeros; NEAREST rounds half away from zero, BILINEAR weighs the four
    neighbours in float32 and casts to the image's type."""
    batch, in_h, in_w, channels = images.shape
    if transforms.ndim != 2 or transforms.shape[1] != 8 or \
            transforms.shape[0] not in (1, batch):
        raise errors.InvalidArgumentError(
            None, None, "Input transform should be num_images x 8 or 1 x 8")
    out_h, out_w = (int(v) for v in np.asarray(output_shape).reshape(-1)[:2])
    if out_h <= 0 or out_w <= 0:
        raise errors.InvalidArgumentError(None, None, "output dimensions must be positive")
    t = np.broadcast_to(transforms.astype(_F32), (batch, 8))[:, :, None, None]
    oy, ox = np.meshgrid(np.arange(out_h, dtype=_F32), np.arange(out_w, dtype=_F32),
                         indexing="ij")
    projection = t[:, 6] * ox + t[:, 7] * oy + _F32(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (t[:, 0] * ox + t[:, 1] * oy + t[:, 2]) / projection
        y = (t[:, 3] * ox + t[:, 4] * oy + t[:, 5]) / projection
    valid = projection != 0
    rows = np.arange(batch)[:, None, None]

    def read(yi, xi):
        inside = valid & (yi >= 0) & (yi < in_h) & (xi >= 0) & (xi < in_w)
        values = images[rows, np.where(inside, yi, 0), np.where(inside, xi, 0)]
        return np.where(inside[..., None], values, np.zeros((), images.dtype))

    with np.errstate(invalid="ignore"):
        if interpolation == "NEAREST":
            def index(v):  # std::round, then the cast to an index
                v = v.astype(np.float64)
                return np.nan_to_num(np.sign(v) * np.floor(np.abs(v) + 0.5),
                                     nan=-1, posinf=-1, neginf=-1).astype(np.int64)
            return read(index(y), index(x))
        y0, x0 = np.floor(y), np.floor(x)
        y1, x1 = y0 + _F32(1), x0 + _F32(1)

        def at(yf, xf):
            return read(np.nan_to_num(yf, nan=-1, posinf=-1, neginf=-1).astype(np.int64),
                        np.nan_to_num(xf, nan=-1, posinf=-1, neginf=-1).astype(np.int64)
                        ).astype(_F32)
        wx0, wx1 = (x1 - x)[..., None], (x - x0)[..., None]
        top = wx0 * at(y0, x0) + wx1 * at(y0, x1)
        bottom = wx0 * at(y1, x0) + wx1 * at(y1, x1)
        value = (y1 - y)[..., None] * top + (y - y0)[..., None] * bottom
    value = np.where(valid[..., None], value, _F32(0))
    if images.dtype.kind in "iu":
        return np.trunc(value).astype(images.dtype)
    return value.astype(images.dtype)


def _projective_grad(op, dy):
    """TensorFlow's rule: the output gradient transformed by the inverse transforms (each
    8-vector as a 3x3 matrix with a trailing 1, inverted, scaled to a trailing 1), back onto
    the image's height and width; none for the transforms and the shape."""
    images, transforms = op.inputs[0], op.inputs[1]
    ones = array.ones_like(array.slice_(transforms, [0, 0], [-1, 1]))
    matrices = array.reshape(array.concat([transforms, ones], 1), [-1, 3, 3])
    inverse = array.reshape(one(create_op("MatrixInverse", [matrices], adjoint=False)), [-1, 9])
    flat = one(create_op("RealDiv", [inverse, array.slice_(inverse, [0, 8], [-1, 1])]))
    inverse_transforms = array.slice_(flat, [0, 0], [-1, 8])
    size = array.strided_slice(array.shape(images), [1], [3], [1])
    return [one(create_op("ImageProjectiveTransformV2", [dy, inverse_transforms, size],
                          interpolation=op.attrs["interpolation"])), None, None]


register_op("ImageProjectiveTransformV2", shape=_projective_shape, kernel=_projective_kernel,
            grad=_projective_grad)


def projective_transform(images, transforms, output_shape, interpolation, name=None):
    """ImageProjectiveTransformV2 of [batch, height, width, channels] images by [batch or 1,
    8] float32 transforms into [height, width] = output_shape (int32)."""
    return one(create_op("ImageProjectiveTransformV2", [images, transforms, output_shape],
                         interpolation=interpolation, name=name))
