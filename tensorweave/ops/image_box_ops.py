"""Bounding-box op types: NonMaxSuppression (V1-V5, WithOverlaps), CombinedNonMaxSuppression,
DrawBoundingBoxes (V1, V2), SampleDistortedBoundingBox (V1, V2).

NMS follows TensorFlow's CPU kernel: candidates above the score threshold in a priority queue
(higher score first, lower index on ties), each checked against the boxes selected so far,
newest first; soft-NMS (V5, sigma > 0) scales scores by exp(-iou^2 / (2 sigma)) (whatever the
IOU threshold) and re-queues them.
SampleDistortedBoundingBox draws from TensorFlow's Philox stream as its SimplePhilox does, so a
seeded op samples TensorFlow's boxes.
"""
import heapq

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape

_F32 = np.float32


def _invalid(message):
    return errors.InvalidArgumentError(None, None, message)


def _rank(op_type, t, rank, what):
    if t.shape.ndims not in (None, rank):
        raise ValueError(f"{op_type} requires {what} of rank {rank}, got shape {t.shape}")
    return t.shape.as_list() if t.shape.ndims is not None else [None] * rank


def _scalar_value(t):
    value = constant_value(t)
    return None if value is None else int(value)


# --- NMS -----------------------------------------------------------------------------------
def iou_matrix(boxes):
    """TF's IOU of every pair of [y1, x1, y2, x2] boxes (corners in any order), float32;
    0 where either box has no area."""
    b = boxes.astype(_F32)
    y_lo, y_hi = np.minimum(b[:, 0], b[:, 2]), np.maximum(b[:, 0], b[:, 2])
    x_lo, x_hi = np.minimum(b[:, 1], b[:, 3]), np.maximum(b[:, 1], b[:, 3])
    area = (y_hi - y_lo) * (x_hi - x_lo)
    inter_h = np.maximum(np.minimum(y_hi[:, None], y_hi) - np.maximum(y_lo[:, None], y_lo), 0)
    inter_w = np.maximum(np.minimum(x_hi[:, None], x_hi) - np.maximum(x_lo[:, None], x_lo), 0)
    inter = inter_h * inter_w
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = inter / (area[:, None] + area - inter)
    return np.where((area[:, None] <= 0) | (area[None, :] <= 0), _F32(0), iou).astype(_F32)


def select(similarity, scores, max_output, threshold, score_threshold, sigma=0.0):
    """TF's DoNonMaxSuppressionOp: (selected indices, their scores)."""
    scores = scores.astype(_F32)
    score_threshold, threshold = _F32(score_threshold), _F32(threshold)
    scale = _F32(-0.5 / sigma) if sigma > 0 else _F32(0)
    queue = [(-s, i, 0) for i, s in enumerate(scores) if s > score_threshold]
    heapq.heapify(queue)
    chosen, chosen_scores = [], []
    while len(chosen) < max_output and queue:
        neg, index, begin = heapq.heappop(queue)
        score = original = _F32(-neg)
        hard = False
        for j in range(len(chosen) - 1, begin - 1, -1):
            sim = similarity[index, chosen[j]]
            keep = sigma > 0 or sim <= threshold  # soft-NMS never zeroes a score
            score = _F32(score * (np.exp(scale * sim * sim, dtype=_F32) if keep else _F32(0)))
            if sigma <= 0 and sim > threshold:
                hard = True
                break
            if score <= score_threshold:
                break
        if hard:
            continue
        if score == original:
            chosen.append(index)
            chosen_scores.append(score)
        elif score > score_threshold:
            heapq.heappush(queue, (-score, index, len(chosen)))
    return np.array(chosen, np.int32), np.array(chosen_scores, _F32)


def _nms_inputs(boxes, scores, max_output_size, iou_threshold):
    if np.ndim(max_output_size) != 0:
        raise _invalid(f"max_output_size must be 0-D, got shape {list(np.shape(max_output_size))}")
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise _invalid(f"boxes must be 2-D, got shape {list(boxes.shape)}")
    if scores.shape != (boxes.shape[0],):
        raise _invalid("scores has incompatible shape")
    if not 0 <= iou_threshold <= 1:
        raise _invalid("iou_threshold must be in [0, 1]")
    return int(max_output_size)


def _nms_shape(op_type, float_inputs):
    def shape(boxes, scores, max_output_size, *thresholds, **attrs):
        _rank(op_type, boxes, 2, "boxes")
        _rank(op_type, scores, 1, "scores")
        _rank(op_type, max_output_size, 0, "max_output_size")
        for t in thresholds:
            _rank(op_type, t, 0, "thresholds")
        if boxes.dtype not in (dtypes.float16, dtypes.float32):
            raise TypeError(f"{op_type} requires float32 or half boxes, got {boxes.dtype.name}")
        return float_inputs(max_output_size, attrs)
    return shape


def _indices_only(max_output_size, attrs):
    return [(dtypes.int32, TensorShape([None]))]


def _padded_outputs(max_output_size, attrs):
    size = _scalar_value(max_output_size) if attrs.get("pad_to_max_output_size") else None
    return [(dtypes.int32, TensorShape([size])), (dtypes.int32, TensorShape([]))]


def _v5_outputs(max_output_size, attrs):
    size = _scalar_value(max_output_size) if attrs.get("pad_to_max_output_size") else None
    return [(dtypes.int32, TensorShape([size])), (dtypes.float32, TensorShape([size])),
            (dtypes.int32, TensorShape([]))]


def _pad(values, size, dtype):
    out = np.zeros(size, dtype)
    out[:len(values)] = values
    return out


def _nms_v1(boxes, scores, max_output_size, *, iou_threshold=0.5):
    size = _nms_inputs(boxes, scores, max_output_size, iou_threshold)
    return select(iou_matrix(boxes), scores, size, iou_threshold, -np.inf)[0]


def _nms_v2(boxes, scores, max_output_size, iou_threshold):
    size = _nms_inputs(boxes, scores, max_output_size, float(iou_threshold))
    return select(iou_matrix(boxes), scores, size, iou_threshold, -np.inf)[0]


def _nms_v3(boxes, scores, max_output_size, iou_threshold, score_threshold):
    size = _nms_inputs(boxes, scores, max_output_size, float(iou_threshold))
    return select(iou_matrix(boxes), scores, size, iou_threshold, score_threshold)[0]


def _nms_v4(boxes, scores, max_output_size, iou_threshold, score_threshold, *,
            pad_to_max_output_size=False):
    size = _nms_inputs(boxes, scores, max_output_size, float(iou_threshold))
    chosen = select(iou_matrix(boxes), scores, size, iou_threshold, score_threshold)[0]
    count = np.int32(len(chosen))
    return (_pad(chosen, size, np.int32) if pad_to_max_output_size else chosen), count


def _nms_v5(boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma, *,
            pad_to_max_output_size=False):
    size = _nms_inputs(boxes, scores, max_output_size, float(iou_threshold))
    if soft_nms_sigma < 0:
        raise _invalid("soft_nms_sigma must be non-negative")
    chosen, chosen_scores = select(iou_matrix(boxes), scores, size, iou_threshold,
                                   score_threshold, float(soft_nms_sigma))
    count = np.int32(len(chosen))
    if pad_to_max_output_size:
        return _pad(chosen, size, np.int32), _pad(chosen_scores, size, _F32), count
    return chosen, chosen_scores, count


def _overlaps_shape(overlaps, scores, max_output_size, overlap_threshold, score_threshold):
    _rank("NonMaxSuppressionWithOverlaps", overlaps, 2, "overlaps")
    _rank("NonMaxSuppressionWithOverlaps", scores, 1, "scores")
    return [(dtypes.int32, TensorShape([None]))]


def _overlaps_kernel(overlaps, scores, max_output_size, overlap_threshold, score_threshold):
    if overlaps.ndim != 2 or overlaps.shape[0] != overlaps.shape[1]:
        raise _invalid(f"overlaps must be square, got shape {list(overlaps.shape)}")
    if scores.shape != (overlaps.shape[0],):
        raise _invalid("scores has incompatible shape")
    return select(overlaps.astype(_F32), scores, int(max_output_size), overlap_threshold,
                  score_threshold)[0]


register_op("NonMaxSuppression", shape=_nms_shape("NonMaxSuppression", _indices_only),
            kernel=_nms_v1, grad=NOT_DIFFERENTIABLE)
register_op("NonMaxSuppressionV2", shape=_nms_shape("NonMaxSuppressionV2", _indices_only),
            kernel=_nms_v2, grad=NOT_DIFFERENTIABLE)
register_op("NonMaxSuppressionV3", shape=_nms_shape("NonMaxSuppressionV3", _indices_only),
            kernel=_nms_v3, grad=NOT_DIFFERENTIABLE)
register_op("NonMaxSuppressionV4", shape=_nms_shape("NonMaxSuppressionV4", _padded_outputs),
            kernel=_nms_v4, grad=NOT_DIFFERENTIABLE)
register_op("NonMaxSuppressionV5", shape=_nms_shape("NonMaxSuppressionV5", _v5_outputs),
            kernel=_nms_v5, grad=None)  # TensorFlow defines no gradient
register_op("NonMaxSuppressionWithOverlaps", shape=_overlaps_shape, kernel=_overlaps_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- CombinedNonMaxSuppression -------------------------------------------------------------
def _combined_shape(boxes, scores, max_per_class, max_total, iou_threshold, score_threshold, *,
                    pad_per_class=False, clip_boxes=True):
    op_type = "CombinedNonMaxSuppression"
    batch, num, q, four = _rank(op_type, boxes, 4, "boxes")
    sb, sn, classes = _rank(op_type, scores, 3, "scores")
    if four not in (None, 4):
        raise ValueError(f"{op_type} requires boxes [batch, num_boxes, q, 4], got {boxes.shape}")
    if q is not None and classes is not None and q not in (1, classes):
        raise ValueError(f"{op_type} requires q (third dimension of boxes) to be 1 or "
                         f"num_classes, got {q} and {classes}")
    per_class, total = _scalar_value(max_per_class), _scalar_value(max_total)
    size = total
    if pad_per_class and None not in (per_class, classes, total):
        size = min(per_class * classes, total)
    elif pad_per_class:
        size = None
    batch = batch if batch is not None else sb
    return [(dtypes.float32, TensorShape([batch, size, 4])),
            (dtypes.float32, TensorShape([batch, size])),
            (dtypes.float32, TensorShape([batch, size])), (dtypes.int32, TensorShape([batch]))]


def _combined_kernel(boxes, scores, max_per_class, max_total, iou_threshold, score_threshold, *,
                     pad_per_class=False, clip_boxes=True):
    batch, num, q, _ = boxes.shape
    classes = scores.shape[2]
    per_class, total = int(max_per_class), int(max_total)
    if per_class <= 0 or total <= 0:
        raise _invalid("max_size_per_class and max_total_size must be > 0")
    if not 0 <= iou_threshold <= 1:
        raise _invalid("iou_threshold must be in [0, 1]")
    size = min(per_class * classes, total) if pad_per_class else total
    out_boxes = np.zeros((batch, size, 4), _F32)
    out_scores = np.zeros((batch, size), _F32)
    out_classes = np.zeros((batch, size), _F32)
    valid = np.zeros(batch, np.int32)
    for b in range(batch):
        found = []
        for c in range(classes):
            class_boxes = boxes[b, :, 0 if q == 1 else c]
            chosen, chosen_scores = select(iou_matrix(class_boxes), scores[b, :, c],
                                           min(per_class, num), iou_threshold, score_threshold)
            found += [(s, c, class_boxes[i]) for i, s in zip(chosen, chosen_scores)]
        found.sort(key=lambda item: -item[0])
        found = found[:size]
        valid[b] = len(found)
        for i, (s, c, box) in enumerate(found):
            out_boxes[b, i] = np.clip(box, 0, 1) if clip_boxes else box
            out_scores[b, i], out_classes[b, i] = s, c
    return out_boxes, out_scores, out_classes, valid


register_op("CombinedNonMaxSuppression", shape=_combined_shape, kernel=_combined_kernel,
            grad=NOT_DIFFERENTIABLE)


# --- DrawBoundingBoxes ---------------------------------------------------------------------
DEFAULT_COLORS = np.array([[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1],
                           [0.5, 0, 0.5, 1], [0.5, 0.5, 0, 1], [0.5, 0, 0, 1], [0, 0, 0.5, 1],
                           [0, 1, 1, 1], [1, 0, 1, 1]], np.float32)


def _draw_shape(images, boxes, *colors):
    op_type = "DrawBoundingBoxesV2" if colors else "DrawBoundingBoxes"
    if images.dtype not in (dtypes.float32, dtypes.float16):
        raise TypeError(f"{op_type} requires float32 or half images, got {images.dtype.name}")
    _rank(op_type, images, 4, "images")
    _rank(op_type, boxes, 3, "boxes")
    return [(images.dtype, images.shape)]


def _draw_kernel(images, boxes, colors=None):
    if images.ndim != 4:
        raise _invalid("The rank of the images should be 4")
    batch, height, width, depth = images.shape
    if depth not in (1, 3, 4):
        raise _invalid("Channel depth should be either 1 (GRY), 3 (RGB), or 4 (RGBA)")
    if boxes.ndim != 3 or boxes.shape[0] != batch or boxes.shape[2] != 4:
        raise _invalid("The boxes must be [batch, num_bounding_boxes, 4]")
    table = DEFAULT_COLORS.copy() if colors is None or colors.size == 0 \
        else np.asarray(colors, np.float32).reshape(len(colors), -1)
    if table.shape[1] < depth:
        raise _invalid(f"Color table must have at least {depth} channels")
    if depth == 1:
        table[:, 0] = 1
    canvas = images.copy()
    for b in range(batch):
        for k, box in enumerate(boxes[b]):
            color = table[k % len(table), :depth].astype(images.dtype)
            top = int(_F32(box[0]) * _F32(height - 1))
            bottom = int(_F32(box[2]) * _F32(height - 1))
            left = int(_F32(box[1]) * _F32(width - 1))
            right = int(_F32(box[3]) * _F32(width - 1))
            if top > bottom or left > right:
                continue
            if top >= height or bottom < 0 or left >= width or right < 0:
                continue
            rows = slice(max(top, 0), min(bottom, height - 1) + 1)
            cols = slice(max(left, 0), min(right, width - 1) + 1)
            if top >= 0:
                canvas[b, top, cols] = color
            if bottom < height:
                canvas[b, bottom, cols] = color
            if left >= 0:
                canvas[b, rows, left] = color
            if right < width:
                canvas[b, rows, right] = color
    return canvas


register_op("DrawBoundingBoxes", shape=_draw_shape, kernel=_draw_kernel, grad=NOT_DIFFERENTIABLE)
register_op("DrawBoundingBoxesV2", shape=_draw_shape, kernel=_draw_kernel, grad=None)


# --- SampleDistortedBoundingBox --------------------------------------------------------------
class SimplePhilox:
    """TensorFlow's SimplePhilox over a Philox stream: 32-bit words one at a time."""

    def __init__(self, stream):
        self.stream, self.buffer, self.call = stream, [], 0

    def rand32(self):
        if not self.buffer:
            self.buffer = [int(w) for w in self.stream.calls(1, self.call)[0]]
            self.call += 1
        return self.buffer.pop(0)

    def rand_float(self):
        """TF's Uint32ToFloat: 23 random mantissa bits, in [0, 1)."""
        bits = np.array([(0x7F << 23) | (self.rand32() & 0x7FFFFF)], np.uint32)
        return bits.view(np.float32)[0] - _F32(1)

    def uniform(self, n):
        """TF's ExactUniformInt: an unbiased integer in [0, n)."""
        if n & (n - 1) == 0:
            return self.rand32() & (n - 1)
        limit = 0xFFFFFFFF
        rem = limit % n + 1
        while True:
            value = self.rand32()
            if not (rem < n and value > limit - rem):
                return value % n


def _round(x):
    """C's lrintf (round half to even) on a float32."""
    return int(np.rint(_F32(x)))


def _random_crop(width, height, min_area, max_area, aspect, rng):
    """TF's GenerateRandomCrop: (x, y, w, h) or None."""
    min_area = _F32(min_area) * _F32(width) * _F32(height)
    max_area = _F32(max_area) * _F32(width) * _F32(height)
    h = _round(np.sqrt(min_area / aspect, dtype=_F32))
    max_h = _round(np.sqrt(max_area / aspect, dtype=_F32))
    if _round(_F32(max_h) * aspect) > width:
        max_h = int((width + 0.5 - 0.0000001) / float(aspect))
        if _round(_F32(max_h) * aspect) > width:
            max_h -= 1
    max_h = min(max_h, height)
    h = min(h, max_h)
    if h < max_h:
        h += rng.uniform(max_h - h + 1)
    w = _round(_F32(h) * aspect)
    area = _F32(w * h)
    if area < min_area:
        h += 1
        w = _round(_F32(h) * aspect)
        area = _F32(w * h)
    if area > max_area:
        h -= 1
        w = _round(_F32(h) * aspect)
        area = _F32(w * h)
    if area < min_area or area > max_area or w > width or h > height or w <= 0 or h <= 0:
        return None
    y = rng.uniform(height - h) if h < height else 0
    x = rng.uniform(width - w) if w < width else 0
    return x, y, w, h


def _covers(crop, boxes, minimum):
    x, y, w, h = crop
    if w * h < 1:
        return False
    for bx0, by0, bx1, by1 in boxes:
        area = (bx1 - bx0) * (by1 - by0)
        if area < 1:
            continue
        iw = max(min(x + w, bx1) - max(x, bx0), 0)
        ih = max(min(y + h, by1) - max(y, by0), 0)
        if _F32(iw * ih) / _F32(area) >= minimum:
            return True
    return False


def _sample_box(state, name, image_size, bounding_boxes, min_object_covered, *, seed, seed2,
                aspect_ratio_range, area_range, max_attempts, use_image_if_no_bounding_boxes):
    if np.shape(image_size) != (3,):
        raise _invalid(f"image_size must be 1-dimensional with 3 elements, got shape "
                       f"{list(np.shape(image_size))}")
    height, width = int(image_size[0]), int(image_size[1])
    if height <= 0 or width <= 0:
        raise _invalid("image height and width must be positive")
    if bounding_boxes.shape[-1:] != (4,):
        raise _invalid(f"input boxes must have 4 coordinates (last dimension), got shape "
                       f"{list(bounding_boxes.shape)}")
    if len(aspect_ratio_range) != 2 or len(area_range) != 2:
        raise _invalid("aspect_ratio_range and area_range must each contain 2 elements")
    if not 0 < area_range[0] <= area_range[1] <= 1:
        raise _invalid("area_range must be in (0, 1] and ascending")
    if max_attempts <= 0:
        raise _invalid(f"max_attempts must be positive: {max_attempts}")
    if min_object_covered < 0:
        raise _invalid(f"min_object_covered must be non-negative: {min_object_covered}")
    boxes = []
    for box in bounding_boxes.reshape(-1, 4).astype(_F32):
        if (box < 0).any() or (box > 1).any():
            raise _invalid(f"All bounding box coordinates must be in [0.0, 1.0]: "
                           f"{', '.join(f'{v:g}' for v in box)}")
        boxes.append((int(box[1] * _F32(width)), int(box[0] * _F32(height)),
                      int(box[3] * _F32(width)), int(box[2] * _F32(height))))
    if not boxes:
        if not use_image_if_no_bounding_boxes:
            raise _invalid("No bounding boxes provided as input. One must enable "
                           "use_image_if_no_bounding_boxes if you wish to not provide any "
                           "bounding boxes.")
        boxes = [(0, 0, width, height)]
    rng = SimplePhilox(state.random_stream(name, seed, seed2).reserve_words(2 * max_attempts))
    low, high = (_F32(v) for v in aspect_ratio_range)
    crop = None
    for _ in range(max_attempts):
        aspect = rng.rand_float() * (high - low) + low
        candidate = _random_crop(width, height, area_range[0], area_range[1], aspect, rng)
        if candidate is not None and _covers(candidate, boxes, _F32(min_object_covered)):
            crop = candidate
            break
    x, y, w, h = crop if crop is not None else (0, 0, width, height)
    dtype = image_size.dtype
    box = np.array([y / height, x / width, (y + h) / height, (x + w) / width], _F32)
    return (np.array([y, x, 0], dtype), np.array([h, w, -1], dtype), box.reshape(1, 1, 4))


def _sample_shape_rule(op_type, attr_covered):
    def shape(image_size, bounding_boxes, *covered, **attrs):
        if image_size.dtype not in (dtypes.uint8, dtypes.int8, dtypes.int16, dtypes.int32,
                                    dtypes.int64):
            raise TypeError(f"{op_type} does not support image_size of type "
                            f"{image_size.dtype.name}")
        if image_size.shape.ndims not in (None, 1):
            raise ValueError(f"{op_type} requires a 1-D image_size, got {image_size.shape}")
        if bounding_boxes.dtype is not dtypes.float32:
            raise TypeError(f"{op_type} requires float32 bounding_boxes")
        dtype = image_size.dtype
        return [(dtype, TensorShape([3])), (dtype, TensorShape([3])),
                (dtypes.float32, TensorShape([1, 1, 4]))]
    return shape


def _sample_v1(state, name, image_size, bounding_boxes, *, min_object_covered=0.1, **attrs):
    return _sample_box(state, name, image_size, bounding_boxes, min_object_covered, **attrs)


register_op("SampleDistortedBoundingBox",
            shape=_sample_shape_rule("SampleDistortedBoundingBox", True), kernel=_sample_v1,
            stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("SampleDistortedBoundingBoxV2",
            shape=_sample_shape_rule("SampleDistortedBoundingBoxV2", False),
            kernel=_sample_box, stateful=True, grad=NOT_DIFFERENTIABLE)
