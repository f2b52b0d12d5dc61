"""Op table rows of the tf.image op types (ops/image_ops.py, image_codec_ops.py,
image_box_ops.py). Resampling is checked against per-pixel NumPy loops written from
TensorFlow's kernels; codecs and boxes against TensorFlow's own outputs
(tests/fixtures/image_reference.npz). The resize and crop outputs are float32 whatever the input
(as in TF), so their gradients are checked with wide finite-difference steps."""
import io
import math
import pathlib
import struct
import sys
import zlib

import numpy as np

import tensorweave as tf
from tensorweave.core import dtypes
from tensorweave.core.graph import create_op
from tensorweave.core.seeds import seed_attrs
from tensorweave.ops import image_box_ops, image_codec_ops, image_ops  # noqa: F401 - registers

from op_case import Case, ints, rand

_FIXTURES = pathlib.Path(__file__).parent.parent / "fixtures"
sys.path.insert(0, str(_FIXTURES))
import image_cases  # noqa: E402

_TF = np.load(_FIXTURES / "image_reference.npz")
_FILES = image_cases.files()
_I = image_cases.I
_NO_SECOND = "TensorFlow registers no gradient for the gradient op"


def _tf(name, i=0):
    return _TF[f"{name}/{i}"]


def scalar(value):
    return np.array(value, dtype=object)


# --- per-pixel references of TF's resamplers -------------------------------------------------
def _scale(in_size, out_size, align):
    f = np.float32
    return f(in_size - 1) / f(out_size - 1) if align and out_size > 1 else f(in_size) / f(out_size)


def _bilinear_ref(x, size, align=False, half=False):
    n, h, w, c = x.shape
    oh, ow = size
    sy, sx = _scale(h, oh, align), _scale(w, ow, align)
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        fy = float((np.float32(i) + np.float32(0.5)) * sy - np.float32(0.5) if half
                   else np.float32(i) * sy)
        y0, y1 = max(math.floor(fy), 0), min(math.ceil(fy), h - 1)
        ly = fy - math.floor(fy)
        for j in range(ow):
            fx = float((np.float32(j) + np.float32(0.5)) * sx - np.float32(0.5) if half
                       else np.float32(j) * sx)
            x0, x1 = max(math.floor(fx), 0), min(math.ceil(fx), w - 1)
            lx = fx - math.floor(fx)
            top = x[:, y0, x0] + (x[:, y0, x1] - x[:, y0, x0]) * lx
            bottom = x[:, y1, x0] + (x[:, y1, x1] - x[:, y1, x0]) * lx
            out[:, i, j] = top + (bottom - top) * ly
    return out


def _nearest_ref(x, size, align=False, half=False):
    n, h, w, c = x.shape
    rows, cols = [], []
    for count, limit, dest in ((size[0], h, rows), (size[1], w, cols)):
        s = _scale(limit, count, align)
        for o in range(count):
            at = float((np.float32(o) + np.float32(0.5)) * s if half else np.float32(o) * s)
            k = math.floor(at + 0.5) if align else math.floor(at)
            dest.append(max(min(k, limit - 1), 0))
    return x[:, rows][:, :, cols]


def _keys(t, a):
    t = abs(t)
    if t <= 1:
        return ((a + 2) * t - (a + 3)) * t * t + 1
    if t < 2:
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a
    return 0.0


def _cubic_weights(in_size, out_size, half):
    s = _scale(in_size, out_size, False)
    a = -0.5 if half else -0.75
    table = []
    for o in range(out_size):
        at = float((np.float32(o) + np.float32(0.5)) * s - np.float32(0.5) if half
                   else np.float32(o) * s)
        base = math.floor(at)
        delta = round((at - base) * 1024) / 1024
        taps = [(base + k, _keys(delta - k, a)) for k in (-1, 0, 1, 2)]
        if half:
            taps = [(i, wt if 0 <= i < in_size else 0.0) for i, wt in taps]
            total = sum(wt for _, wt in taps)
            taps = [(i, wt / total) for i, wt in taps]
        table.append([(min(max(i, 0), in_size - 1), wt) for i, wt in taps])
    return table


def _bicubic_ref(x, size, half=False):
    wy, wx = _cubic_weights(x.shape[1], size[0], half), _cubic_weights(x.shape[2], size[1], half)
    out = np.zeros((x.shape[0], size[0], size[1], x.shape[3]))
    for i, row in enumerate(wy):
        for j, col in enumerate(wx):
            out[:, i, j] = sum(a * b * x[:, r, c] for r, a in row for c, b in col)
    return out


def _area_ref(x, size):
    n, h, w, c = x.shape
    sy, sx = h / size[0], w / size[1]
    out = np.zeros((n, size[0], size[1], c))
    for i in range(size[0]):
        for j in range(size[1]):
            total = 0.0
            for r in range(h):  # overlap of output cell [i, i+1) * sy with input pixel r
                oy = max(0.0, min((i + 1) * sy, r + 1) - max(i * sy, r))
                for q in range(w):
                    ox = max(0.0, min((j + 1) * sx, q + 1) - max(j * sx, q))
                    total = total + oy * ox * x[:, r, q]
            out[:, i, j] = total / (sy * sx)
    return out


def _crop_ref(image, boxes, box_ind, size, method="bilinear", extrapolation=0.0):
    n, h, w, c = image.shape
    out = np.zeros((len(boxes),) + tuple(size) + (c,))
    for b, (y1, x1, y2, x2) in enumerate(boxes.astype(np.float64)):
        for i in range(size[0]):
            fy = y1 * (h - 1) + i * (y2 - y1) * (h - 1) / (size[0] - 1) if size[0] > 1 \
                else 0.5 * (y1 + y2) * (h - 1)
            for j in range(size[1]):
                fx = x1 * (w - 1) + j * (x2 - x1) * (w - 1) / (size[1] - 1) if size[1] > 1 \
                    else 0.5 * (x1 + x2) * (w - 1)
                if not (0 <= fy <= h - 1 and 0 <= fx <= w - 1):
                    out[b, i, j] = extrapolation
                    continue
                img = image[box_ind[b]]
                if method == "nearest":
                    out[b, i, j] = img[int(math.floor(fy + 0.5)), int(math.floor(fx + 0.5))]
                    continue
                y0, x0 = math.floor(fy), math.floor(fx)
                y_1, x_1 = math.ceil(fy), math.ceil(fx)
                top = img[y0, x0] + (img[y0, x_1] - img[y0, x0]) * (fx - x0)
                bottom = img[y_1, x0] + (img[y_1, x_1] - img[y_1, x0]) * (fx - x0)
                out[b, i, j] = top + (bottom - top) * (fy - y0)
    return out


def _adjoint(f, shape, dy):
    """J^T dy of the linear map f, one basis vector at a time."""
    out = np.zeros(int(np.prod(shape)))
    for i in range(out.size):
        e = np.zeros(out.size)
        e[i] = 1
        out[i] = np.sum(f(e.reshape(shape)) * dy)
    return out.reshape(shape)


_X = rand(2, 4, 5, 2)
_WIDE = {"eps": 1e-2, "tol": 1e-3, "ref_tol": (1e-5, 1e-5), "second": _NO_SECOND}
# boxes whose sample points stay 0.01 away from the pixel grid under the gradient's steps
_BOXES = np.array([[0.13, 0.21, 0.71, 0.87], [0.62, 0.79, 0.08, 0.33], [-0.2, 0.3, 1.1, 0.58]],
                  np.float32)
_BOX_IND = ints(0, 1, 1)


def _resize_case(op_type, ref, size, tag, **attrs):
    return Case(op_type, [_X, ints(*size)], lambda x, s: ref(x, tuple(s), **{
        {"align_corners": "align", "half_pixel_centers": "half"}[k]: v
        for k, v in attrs.items() if v}), tag=tag,
        attrs={"align_corners": False, "half_pixel_centers": False, **attrs}, **_WIDE)


RESIZE_CASES = [
    _resize_case("ResizeBilinear", _bilinear_ref, (3, 7), "down-up"),
    _resize_case("ResizeBilinear", _bilinear_ref, (6, 3), "aligned", align_corners=True),
    _resize_case("ResizeBilinear", _bilinear_ref, (7, 9), "half", half_pixel_centers=True),
    _resize_case("ResizeNearestNeighbor", _nearest_ref, (3, 7), "down-up"),
    _resize_case("ResizeNearestNeighbor", _nearest_ref, (7, 4), "aligned", align_corners=True),
    _resize_case("ResizeNearestNeighbor", _nearest_ref, (5, 9), "half",
                 half_pixel_centers=True),
    Case("ResizeBicubic", [_X, ints(3, 7)], lambda x, s: _bicubic_ref(x, tuple(s)),
         attrs={"align_corners": False, "half_pixel_centers": False}, **_WIDE),
    Case("ResizeBicubic", [_X, ints(7, 3)], lambda x, s: _bicubic_ref(x, tuple(s), True),
         tag="half", attrs={"align_corners": False, "half_pixel_centers": True}, **_WIDE),
    Case("ResizeArea", [_X, ints(3, 2)], lambda x, s: _area_ref(x, tuple(s)),
         attrs={"align_corners": False}, ref_tol=(1e-5, 1e-5)),
    Case("ResizeArea", [_X, ints(6, 7)], lambda x, s: _area_ref(x, tuple(s)), tag="up",
         attrs={"align_corners": False}, ref_tol=(1e-5, 1e-5)),
    Case("ResizeBilinearGrad", [rand(2, 3, 7, 2).astype(np.float32), _X],
         lambda g, x: _adjoint(lambda e: _bilinear_ref(e, (3, 7)), x.shape, g),
         attrs={"align_corners": False, "half_pixel_centers": False}, wrt=(),
         ref_tol=(1e-5, 1e-5)),
    Case("ResizeBicubicGrad", [rand(2, 7, 3, 2).astype(np.float32), _X],
         lambda g, x: _adjoint(lambda e: _bicubic_ref(e, (7, 3), True), x.shape, g),
         attrs={"align_corners": False, "half_pixel_centers": True}, wrt=(),
         ref_tol=(1e-5, 1e-5)),
    Case("ResizeNearestNeighborGrad", [rand(2, 7, 3, 2), ints(4, 5)],
         lambda g, s: _adjoint(lambda e: _nearest_ref(e, (7, 3), align=True), (2, 4, 5, 2), g),
         attrs={"align_corners": True, "half_pixel_centers": False}, wrt=()),
]


def _crop_box_grad_ref(dy, image, boxes, box_ind, size):
    """Central differences of sum(crop * dy) in the boxes, in float64."""
    out = np.zeros(boxes.shape)
    for index in np.ndindex(*boxes.shape):
        step = np.zeros(boxes.shape)
        step[index] = 1e-6
        plus = _crop_ref(image, boxes.astype(np.float64) + step, box_ind, size)
        minus = _crop_ref(image, boxes.astype(np.float64) - step, box_ind, size)
        out[index] = np.sum((plus - minus) * dy) / 2e-6
    return out


_CROP_X = rand(2, 5, 6, 2)
CROP_CASES = [
    Case("CropAndResize", [_CROP_X, _BOXES, _BOX_IND, ints(3, 4)],
         lambda x, b, i, s: _crop_ref(x, b, i, tuple(s)),
         attrs={"method": "bilinear", "extrapolation_value": 0.0}, wrt=(0, 1), eps=1e-3,
         tol=2e-2, ref_tol=(1e-5, 1e-5), second=_NO_SECOND),
    Case("CropAndResize", [_CROP_X, _BOXES, _BOX_IND, ints(1, 1)],
         lambda x, b, i, s: _crop_ref(x, b, i, (1, 1), extrapolation=2.5), tag="1x1",
         attrs={"method": "bilinear", "extrapolation_value": 2.5}, wrt=(0,), eps=1e-2,
         tol=1e-3, ref_tol=(1e-5, 1e-5), second=_NO_SECOND),
    Case("CropAndResize", [_CROP_X, _BOXES, _BOX_IND, ints(4, 3)],
         lambda x, b, i, s: _crop_ref(x, b, i, (4, 3), "nearest", -1.0), tag="nearest",
         attrs={"method": "nearest", "extrapolation_value": -1.0}, wrt=(0,), eps=1e-2,
         tol=1e-3, ref_tol=(1e-5, 1e-5), second=_NO_SECOND),
    Case("CropAndResizeGradImage", [rand(3, 3, 4, 2).astype(np.float32), _BOXES, _BOX_IND,
                                    ints(2, 5, 6, 2)],
         lambda g, b, i, s: _adjoint(lambda e: _crop_ref(e, b, i, (3, 4)), (2, 5, 6, 2), g),
         attrs={"T": dtypes.float64, "method": "bilinear"}, ref_tol=(1e-5, 1e-5), wrt=()),
    Case("CropAndResizeGradBoxes", [rand(3, 3, 4, 2).astype(np.float32), _CROP_X, _BOXES,
                                    _BOX_IND],
         lambda g, x, b, i: _crop_box_grad_ref(g, x, b, i, (3, 4)),
         attrs={"method": "bilinear"}, ref_tol=(1e-4, 1e-4), wrt=()),
    Case("ExtractGlimpse", [_I["img"], ints(3, 3), np.array([[0.0, 0.0], [-0.2, 0.3]],
                                                            np.float32)],
         lambda *a: _tf("glimpse_centered"),
         attrs={"centered": True, "normalized": True, "uniform_noise": True,
                "noise": "uniform"}, ref_tol=(1e-6, 1e-6)),
]


# --- codecs --------------------------------------------------------------------------------
def _png_ref(image):
    """An unfiltered PNG written from the spec, to compare EncodePng's bytes with."""
    h, w, c = image.shape
    raw = b"".join(b"\0" + image[r].tobytes() for r in range(h))

    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    return scalar(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(
        ">IIBBBBB", w, h, 8, {1: 0, 2: 4, 3: 2, 4: 6}[c], 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _jpeg_ref(image, quality, **options):
    from PIL import Image
    out = io.BytesIO()
    Image.fromarray(image).save(out, "JPEG", quality=quality, dpi=(300, 300), **options)
    return scalar(out.getvalue())


_RGB = _tf("codec_png_rgb")
_JPEG_ATTRS = {"channels": 0, "ratio": 1, "fancy_upscaling": True,
               "try_recover_truncated": False, "acceptable_fraction": 1.0,
               "dct_method": "INTEGER_ACCURATE"}
_ENCODE_ATTRS = {"format": "", "quality": 80, "progressive": False, "optimize_size": False,
                 "chroma_downsampling": True, "density_unit": "in", "x_density": 300,
                 "y_density": 300, "xmp_metadata": ""}
CODEC_CASES = [
    Case("DecodeJpeg", [scalar(_FILES["rgb.jpg"])], lambda c: _tf("jpeg_rgb_accurate"),
         attrs=_JPEG_ATTRS, partial_shape=True),
    Case("DecodeAndCropJpeg", [scalar(_FILES["rgb.jpg"]), ints(0, 0, 12, 2)],
         lambda c, w: _tf("jpeg_crop_gray"), attrs={**_JPEG_ATTRS, "channels": 1}),
    Case("DecodePng", [scalar(_FILES["gray16.png"])], lambda c: _tf("codec_png_gray16_16"),
         attrs={"channels": 0, "dtype": dtypes.uint16}, partial_shape=True),
    Case("DecodePng", [scalar(_FILES["rgba.png"])], lambda c: _tf("codec_png_rgba_c1"),
         tag="gray", attrs={"channels": 1, "dtype": dtypes.uint8}, partial_shape=True),
    Case("DecodeGif", [scalar(_FILES["anim.gif"])], lambda c: _tf("codec_gif_anim"),
         partial_shape=True),
    Case("DecodeBmp", [scalar(_FILES["rgb.bmp"])], lambda c: _tf("codec_bmp"),
         attrs={"channels": 0}, partial_shape=True),
    Case("ExtractJpegShape", [scalar(_FILES["gray.jpg"])], lambda c: np.array([12, 16, 1],
                                                                              np.int64),
         attrs={"output_type": dtypes.int64}),
    Case("EncodePng", [_RGB[:4, :5]], lambda x: _png_ref(x), attrs={"compression": 9}),
    Case("EncodeJpeg", [_RGB], lambda x: _jpeg_ref(x, 80, subsampling=2),
         attrs=_ENCODE_ATTRS),
    Case("EncodeJpegVariableQuality", [_RGB, np.array(35, np.int32)],
         lambda x, q: _jpeg_ref(x, 35, subsampling=2)),
]


# --- boxes ---------------------------------------------------------------------------------
def _f(value):
    return np.array(value, np.float32)


_NB, _NS = _I["nms_boxes"], _I["nms_scores"]
BOX_CASES = [
    Case("NonMaxSuppression", [_NB, _NS, np.array(10, np.int32)], lambda *a: _tf("box_nms"),
         attrs={"iou_threshold": 0.5}, partial_shape=True),
    Case("NonMaxSuppressionV2", [_NB, _NS, np.array(10, np.int32), _f(0.5)],
         lambda *a: _tf("box_nms"), partial_shape=True),
    Case("NonMaxSuppressionV3", [_NB, _NS, np.array(10, np.int32), _f(0.3), _f(0.55)],
         lambda *a: _tf("box_nms_score"), partial_shape=True),
    Case("NonMaxSuppressionV4", [_NB, _NS, np.array(6, np.int32), _f(0.5), _f(0.4)],
         lambda *a: (_tf("box_nms_padded"), _tf("box_nms_padded", 1)),
         attrs={"pad_to_max_output_size": True}),
    Case("NonMaxSuppressionV5", [_NB, _NS, np.array(10, np.int32), _f(1.0), _f(0.1), _f(0.5)],
         lambda *a: (_tf("box_nms_soft"), _tf("box_nms_soft", 1),
                     np.int32(len(_tf("box_nms_soft")))),
         attrs={"pad_to_max_output_size": False}, partial_shape=True, wrt=(),
         ref_tol=(1e-6, 1e-7)),
    Case("NonMaxSuppressionWithOverlaps", [_I["overlaps"], _NS[:5], np.array(4, np.int32),
                                           _f(0.5), _f(0.25)],
         lambda *a: _tf("box_nms_overlaps"), partial_shape=True),
    Case("CombinedNonMaxSuppression", [_I["cboxes"], _I["cscores"], np.array(3, np.int32),
                                       np.array(5, np.int32), _f(0.5), _f(0.1)],
         lambda *a: tuple(_tf("box_combined", i) for i in range(4)),
         attrs={"pad_per_class": False, "clip_boxes": True}, ref_tol=(1e-7, 1e-7)),
    Case("DrawBoundingBoxes", [_I["canvas"], _I["draw_boxes"]], lambda *a: _tf("box_draw"),
         wrt=()),
    Case("DrawBoundingBoxesV2", [_I["canvas"][..., :3], _I["draw_boxes"],
                                 _f([[0.2, 0.4, 0.6, 1.0], [0.9, 0.1, 0.3, 1.0]])],
         lambda *a: _tf("box_draw_colors"), wrt=()),
]

# --- ImageProjectiveTransformV2: TF 2.15's values (tests/fixtures/make_image_transform_reference.py)
_PT = np.load(_FIXTURES / "image_transform_reference.npz")
# TF's gradient is the output gradient transformed back (not the exact adjoint): checked
# against TF's own in tests/contrib/test_contrib_image.py, not numerically here
PROJECTIVE_CASES = [
    Case("ImageProjectiveTransformV2", [_PT["images"], _PT["rotations"], ints(5, 6)],
         lambda *a, k=k: _PT[f"rotate_{k.lower()}"], tag=f"rotate-{k.lower()}",
         attrs={"interpolation": k}, wrt=(), ref_tol=(0, 0))
    for k in ("NEAREST", "BILINEAR")] + [
    Case("ImageProjectiveTransformV2", [_PT["images"], _PT["projective"], ints(4, 7)],
         lambda *a: _PT["projective_bilinear"], tag="projective-resized",
         attrs={"interpolation": "BILINEAR"}, wrt=(), ref_tol=(0, 0)),
    Case("ImageProjectiveTransformV2", [_PT["uint8"], _PT["rotations"], ints(5, 6)],
         lambda *a: _PT["uint8_bilinear"], tag="uint8", attrs={"interpolation": "BILINEAR"},
         wrt=(), ref_tol=(0, 0)),
]

CASES = RESIZE_CASES + CROP_CASES + CODEC_CASES + BOX_CASES + PROJECTIVE_CASES


# --- the stateful box sampler: TensorFlow's draws for its seeds -------------------------------
def _sample(op_type):
    def build():
        boxes = tf.constant([[[0.1, 0.2, 0.5, 0.6], [0.3, 0.3, 0.9, 0.8]]])
        attrs = {**seed_attrs(3), "aspect_ratio_range": [0.75, 1.33],
                 "area_range": [0.05, 1.0], "max_attempts": 100,
                 "use_image_if_no_bounding_boxes": False}
        inputs = [tf.constant([40, 60, 3]), boxes]
        if op_type == "SampleDistortedBoundingBoxV2":
            inputs.append(tf.constant(0.1))
        else:
            attrs["min_object_covered"] = 0.1
        return create_op(op_type, inputs, **attrs)

    def check(begin):
        assert begin.dtype == np.int32 and begin[2] == 0 and 0 <= begin[0] < 40 \
            and 0 <= begin[1] < 60
    return build, check


RANDOM_CASES = {op_type: _sample(op_type)
                for op_type in ("SampleDistortedBoundingBox", "SampleDistortedBoundingBoxV2")}
