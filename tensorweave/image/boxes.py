"""tf.image bounding boxes (TF 1.15): non-max suppression (plain, padded, soft, with overlaps,
combined over classes), drawing boxes, sampling distorted boxes for augmentation.

    keep = tf.image.non_max_suppression(boxes, scores, max_output_size=10, iou_threshold=0.5)
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op, name_scope
from tensorweave.ops import image_box_ops  # noqa: F401 - registers the box op types
from tensorweave.ops._common import one

__all__ = ["non_max_suppression", "non_max_suppression_overlaps",
           "non_max_suppression_padded", "non_max_suppression_with_scores",
           "combined_non_max_suppression", "draw_bounding_boxes",
           "sample_distorted_bounding_box"]


def _nms_inputs(boxes, scores, max_output_size):
    boxes = convert_to_tensor(boxes, name="boxes")
    return [boxes, convert_to_tensor(scores, dtype=boxes.dtype, name="scores"),
            convert_to_tensor(max_output_size, dtype=dtypes.int32, name="max_output_size")]


def _float(value, name, dtype=dtypes.float32):
    return convert_to_tensor(value, dtype=dtype, name=name)


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5,
                        score_threshold=float("-inf"), name=None):
    """Indices of at most `max_output_size` boxes, greedily by score, dropping boxes that
    overlap a kept one by more than `iou_threshold` (NonMaxSuppressionV3)."""
    with name_scope(name, "non_max_suppression"):
        inputs = _nms_inputs(boxes, scores, max_output_size)
        return one(create_op("NonMaxSuppressionV3", inputs + [
            _float(iou_threshold, "iou_threshold"), _float(score_threshold, "score_threshold")],
            name="NonMaxSuppressionV3"))


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0,
                                    name=None):
    """(indices, scores) of non-max suppression; soft-NMS (scores decayed by
    exp(-iou^2 / (2 sigma))) when `soft_nms_sigma` > 0 (NonMaxSuppressionV5)."""
    with name_scope(name, "non_max_suppression_with_scores"):
        inputs = _nms_inputs(boxes, scores, max_output_size)
        op = create_op("NonMaxSuppressionV5", inputs + [
            _float(iou_threshold, "iou_threshold"), _float(score_threshold, "score_threshold"),
            _float(soft_nms_sigma, "soft_nms_sigma")], name="NonMaxSuppressionV5",
            pad_to_max_output_size=False)
        return op.outputs[0], op.outputs[1]


def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name=None):
    """Non-max suppression on a precomputed [n, n] overlap matrix."""
    with name_scope(name, "non_max_suppression_overlaps"):
        return one(create_op("NonMaxSuppressionWithOverlaps", [
            _float(overlaps, "overlaps"), _float(scores, "scores"),
            convert_to_tensor(max_output_size, dtype=dtypes.int32, name="max_output_size"),
            _float(overlap_threshold, "overlap_threshold"),
            _float(score_threshold, "score_threshold")], name="NonMaxSuppressionWithOverlaps"))


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5,
                               score_threshold=float("-inf"), pad_to_max_output_size=False,
                               name=None):
    """(indices, valid count); indices zero-padded to `max_output_size` when
    `pad_to_max_output_size` (NonMaxSuppressionV4)."""
    with name_scope(name, "non_max_suppression_padded"):
        inputs = _nms_inputs(boxes, scores, max_output_size)
        op = create_op("NonMaxSuppressionV4", inputs + [
            _float(iou_threshold, "iou_threshold"), _float(score_threshold, "score_threshold")],
            name="NonMaxSuppressionV4", pad_to_max_output_size=bool(pad_to_max_output_size))
        return op.outputs[0], op.outputs[1]


def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size,
                                 iou_threshold=0.5, score_threshold=float("-inf"),
                                 pad_per_class=False, clip_boxes=True, name=None):
    """Per-class NMS over a batch, merged by score: (boxes, scores, classes, valid counts)."""
    with name_scope(name, "combined_non_max_suppression"):
        op = create_op("CombinedNonMaxSuppression", [
            _float(boxes, "boxes"), _float(scores, "scores"),
            convert_to_tensor(max_output_size_per_class, dtype=dtypes.int32),
            convert_to_tensor(max_total_size, dtype=dtypes.int32),
            _float(iou_threshold, "iou_threshold"), _float(score_threshold, "score_threshold")],
            name="CombinedNonMaxSuppression", pad_per_class=bool(pad_per_class),
            clip_boxes=bool(clip_boxes))
        return tuple(op.outputs)


def draw_bounding_boxes(images, boxes, name=None, colors=None):
    """`images` with the outline of each normalized [y1, x1, y2, x2] box drawn in TF's colors
    (or `colors`, RGBA rows cycled through)."""
    images = convert_to_tensor(images, name="images")
    boxes = _float(boxes, "boxes")
    if colors is None:
        return one(create_op("DrawBoundingBoxes", [images, boxes],
                             name=name or "DrawBoundingBoxes"))
    return one(create_op("DrawBoundingBoxesV2", [images, boxes, _float(colors, "colors")],
                         name=name or "DrawBoundingBoxesV2"))


def sample_distorted_bounding_box(image_size, bounding_boxes, seed=None, seed2=None,
                                  min_object_covered=0.1, aspect_ratio_range=None,
                                  area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """A random crop (begin, size, box) covering at least `min_object_covered` of a box,
    within the aspect ratio and area ranges (SampleDistortedBoundingBoxV2; `seed`, `seed2` are
    the op's attrs, as in TF 1.15)."""
    with name_scope(name, "sample_distorted_bounding_box"):
        op = create_op("SampleDistortedBoundingBoxV2", [
            convert_to_tensor(image_size, name="image_size"),
            _float(bounding_boxes, "bounding_boxes"),
            _float(min_object_covered, "min_object_covered")],
            name=name or "SampleDistortedBoundingBoxV2", seed=int(seed or 0),
            seed2=int(seed2 or 0),
            aspect_ratio_range=[float(v) for v in (aspect_ratio_range or (0.75, 1.33))],
            area_range=[float(v) for v in (area_range or (0.05, 1.0))],
            max_attempts=int(max_attempts or 100),
            use_image_if_no_bounding_boxes=bool(use_image_if_no_bounding_boxes))
        return tuple(op.outputs)
