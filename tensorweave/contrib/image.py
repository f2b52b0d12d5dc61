"""tf.contrib.image: projective transforms of images, as TF 1.15's contrib.image has them.

    rotated = tf.contrib.image.rotate(images, angles)              # radians, counterclockwise
    moved = tf.contrib.image.translate(images, [dx, dy])
    warped = tf.contrib.image.transform(images, [a0, a1, a2, b0, b1, b2, c0, c1])

Images are [height, width], [height, width, channels] or [batch, height, width, channels]
(uint8, int32, int64, float16, float32 or float64). A transform maps each output point (x, y)
to the input point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1;
points outside the image read zeros. Interpolation is "NEAREST" (the default) or "BILINEAR".
`dense_image_warp(image, flow)` samples each output pixel (j, i) bilinearly at (j - flow[..., 0],
i - flow[..., 1]) of the image, clamped to its border, as TF's does with gathers (so gradients
flow to the image and the flow). The other contrib.image functions (connected_components,
sparse_image_warp, interpolate_spline, the YIQ adjustments, ...) raise ContribNotImplemented
naming them.
"""
from tensorweave.contrib import not_provided
from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import control_dependencies, name_scope
from tensorweave.ops import array, check_ops, math_ops
from tensorweave.ops.array import structural
from tensorweave.ops.image_ops import projective_transform

__all__ = ["angles_to_projective_transforms", "compose_transforms", "dense_image_warp",
           "flat_transforms_to_matrices", "matrices_to_flat_transforms", "rotate", "transform",
           "translate", "translations_to_projective_transforms"]

_IMAGE_DTYPES = (dtypes.uint8, dtypes.int32, dtypes.int64, dtypes.float16, dtypes.float32,
                 dtypes.float64)
_NOT_PROVIDED = ("bipartite_match", "connected_components", "interpolate_spline", "single_image_random_dot_stereograms",
                 "sparse_image_warp", "adjust_hsv_in_yiq", "random_hsv_in_yiq")


__getattr__ = not_provided(__name__, _NOT_PROVIDED)


def _as_batch(images):
    """(the images as [batch, height, width, channels], their own rank)."""
    if images.dtype.base_dtype not in _IMAGE_DTYPES:
        raise TypeError(f"Invalid dtype {images.dtype}.")
    rank = images.shape.ndims
    if rank is None:
        raise TypeError("image_or_images rank must be statically known")
    if rank == 2:
        return array.expand_dims(array.expand_dims(images, 0), 3), rank
    if rank == 3:
        return array.expand_dims(images, 0), rank
    if rank == 4:
        return images, rank
    raise TypeError("Images should have rank between 2 and 4.")


def _as_rows(tensor, name, title):
    """A rank-1 tensor as one row, a rank-2 one as it is; TF's TypeErrors otherwise."""
    if tensor.shape.ndims is None:
        raise TypeError(f"{name} rank must be statically known")
    if tensor.shape.ndims == 1:
        return array.expand_dims(tensor, 0)
    if tensor.shape.ndims != 2:
        raise TypeError(f"{title} should have rank 1 or 2.")
    return tensor


def _as_given(output, rank):
    if rank == 2:
        return array.squeeze(output, [0, 3])
    return array.squeeze(output, [0]) if rank == 3 else output


def transform(images, transforms, interpolation="NEAREST", output_shape=None, name=None):
    """The images transformed by `transforms` ([8] for all, or [batch, 8]) into output_shape
    ([new_height, new_width]; default: the images' own)."""
    with name_scope(name, "transform"):
        images = convert_to_tensor(images, name="images")
        transforms = convert_to_tensor(transforms, name="transforms", dtype=dtypes.float32)
        batch, rank = _as_batch(images)
        if output_shape is None:
            output_shape = array.strided_slice(array.shape(batch), [1], [3], [1])
            known = constant_value(output_shape)
            if known is not None:
                output_shape = known
        output_shape = convert_to_tensor(output_shape, dtypes.int32, name="output_shape")
        if not output_shape.shape.is_compatible_with([2]):
            raise ValueError("output_shape must be a 1-D Tensor of 2 elements: new_height, "
                             "new_width")
        transforms = _as_rows(transforms, "transforms", "Transforms")
        output = projective_transform(batch, transforms, output_shape, interpolation.upper())
        return _as_given(output, rank)


def angles_to_projective_transforms(angles, image_height, image_width, name=None):
    """[n, 8] transforms rotating images of that height and width by each angle (radians,
    counterclockwise) about their centre."""
    with name_scope(name, "angles_to_projective_transforms"):
        angles = convert_to_tensor(angles, name="angles", dtype=dtypes.float32)
        if angles.shape.ndims == 0:
            angles = array.expand_dims(angles, 0)
        elif angles.shape.ndims != 1:
            raise TypeError("Angles should have rank 0 or 1.")
        cos, sin = math_ops.cos(angles), math_ops.sin(angles)
        x_offset = ((image_width - 1) - (cos * (image_width - 1) - sin * (image_height - 1))) \
            / 2.0
        y_offset = ((image_height - 1) - (sin * (image_width - 1) + cos * (image_height - 1))) \
            / 2.0
        count = array.strided_slice(array.shape(angles), [0], [1], [1])
        zeros = array.zeros(array.concat([count, [2]], 0), dtypes.float32)
        columns = [array.expand_dims(c, 1) for c in (cos, -sin, x_offset, sin, cos, y_offset)]
        return array.concat(columns + [zeros], 1)


def rotate(images, angles, interpolation="NEAREST", name=None):
    """The images rotated counterclockwise by `angles` (radians; one, or one per image)."""
    with name_scope(name, "rotate"):
        images = convert_to_tensor(images)
        batch, rank = _as_batch(images)
        shape = array.shape(batch)
        height = array.cast(array.strided_slice(shape, [1], [2], [1]), dtypes.float32)
        width = array.cast(array.strided_slice(shape, [2], [3], [1]), dtypes.float32)
        output = transform(batch, angles_to_projective_transforms(angles, height, width),
                           interpolation=interpolation)
        return _as_given(output, rank)


def translations_to_projective_transforms(translations, name=None):
    """[n, 8] transforms moving images by each [dx, dy]."""
    with name_scope(name, "translations_to_projective_transforms"):
        translations = convert_to_tensor(translations, name="translations",
                                         dtype=dtypes.float32)
        translations = _as_rows(translations, "translation_or_translations", "Translations")
        count = array.strided_slice(array.shape(translations), [0], [1], [1])
        ones = array.ones(array.concat([count, [1]], 0), dtypes.float32)
        zeros = array.zeros(array.concat([count, [1]], 0), dtypes.float32)
        dx = -array.slice_(translations, [0, 0], [-1, 1])
        dy = -array.slice_(translations, [0, 1], [-1, 1])
        return array.concat([ones, zeros, dx, zeros, ones, dy, zeros, zeros], 1)


def translate(images, translations, interpolation="NEAREST", name=None):
    """The images moved by `translations` ([dx, dy], or one per image)."""
    with name_scope(name, "translate"):
        return transform(images, translations_to_projective_transforms(translations),
                         interpolation=interpolation)


def flat_transforms_to_matrices(transforms):
    """[n, 8] transforms as [n, 3, 3] matrices (the implicit last entry 1)."""
    with name_scope("flat_transforms_to_matrices"):
        transforms = array.reshape(transforms, [-1, 8])
        ones = array.ones_like(array.slice_(transforms, [0, 0], [-1, 1]))
        return array.reshape(array.concat([transforms, ones], 1), [-1, 3, 3])


def matrices_to_flat_transforms(transform_matrices):
    """[n, 3, 3] matrices as [n, 8] transforms (each divided by its last entry)."""
    with name_scope("matrices_to_flat_transforms"):
        transforms = array.reshape(transform_matrices, [-1, 9])
        transforms = transforms / array.slice_(transforms, [0, 8], [-1, 1])
        return array.slice_(transforms, [0, 0], [-1, 8])


def compose_transforms(*transforms):
    """One transform doing the given ones in turn (the product of their matrices)."""
    if not transforms:
        raise AssertionError("transforms cannot be empty")
    with name_scope("compose_transforms"):
        composed = flat_transforms_to_matrices(transforms[0])
        for more in transforms[1:]:
            composed = math_ops.matmul(composed, flat_transforms_to_matrices(more))
        return matrices_to_flat_transforms(composed)


def interpolate_bilinear(grid, query_points, name="interpolate_bilinear", indexing="ij"):
    """[batch, n, channels]: `grid` ([batch, height, width, channels]) sampled bilinearly at
    `query_points` ([batch, n, 2], (row, column) for "ij", (x, y) for "xy"), each corner
    clamped to the grid (at least 2 x 2), as Matlab's interp2 and TF 1.15's helper do."""
    if indexing not in ("ij", "xy"):
        raise ValueError("Indexing mode must be 'ij' or 'xy'")
    with name_scope(name):
        grid = convert_to_tensor(grid)
        query_points = convert_to_tensor(query_points)
        if grid.shape.ndims != 4:
            raise ValueError(f"Grid must be 4 dimensional. Received size: {grid.shape}")
        if query_points.shape.ndims != 3:
            raise ValueError("Query points must be 3 dimensional")
        shape = array.shape(grid)
        batch, height, width, channels = (shape[0], shape[1], shape[2], shape[3])
        checks = [check_ops.assert_equal(array.shape(query_points)[2], 2,
                                         message="Query points must be size 2 in dim 2."),
                  check_ops.assert_greater_equal(height, 2,
                                                 message="Grid height must be at least 2"),
                  check_ops.assert_greater_equal(width, 2,
                                                 message="Grid width must be at least2")]
        with control_dependencies(checks):
            queries = array.unstack(query_points, num=2, axis=2)
        floors, ceils, alphas = [], [], []
        for dim in ((0, 1) if indexing == "ij" else (1, 0)):
            with name_scope(f"dim-{dim}"):
                size = (height, width)[dim]
                largest = array.cast(size - 2, query_points.dtype)
                floor = math_ops.minimum(math_ops.maximum(
                    array.zeros([], query_points.dtype), math_ops.floor(queries[dim])), largest)
                int_floor = array.cast(floor, dtypes.int32)
                floors.append(int_floor)
                ceils.append(int_floor + 1)
                alpha = array.cast(queries[dim] - floor, grid.dtype)
                alpha = math_ops.minimum(math_ops.maximum(array.zeros([], grid.dtype), alpha),
                                         array.ones([], grid.dtype))
                alphas.append(array.expand_dims(alpha, 2))
        flat = array.reshape(grid, array.stack([batch * height * width, channels]))
        offsets = array.reshape(array.range_(batch) * height * width, array.stack([batch, 1]))
        count = array.shape(query_points)[1]

        def corner(rows, columns, label):
            with name_scope("gather-" + label):
                values = array.gather(flat, offsets + rows * width + columns)
                return array.reshape(values, array.stack([batch, count, channels]))
        top_left = corner(floors[0], floors[1], "top_left")
        top_right = corner(floors[0], ceils[1], "top_right")
        bottom_left = corner(ceils[0], floors[1], "bottom_left")
        bottom_right = corner(ceils[0], ceils[1], "bottom_right")
        with name_scope("interpolate"):
            top = alphas[1] * (top_right - top_left) + top_left
            bottom = alphas[1] * (bottom_right - bottom_left) + bottom_left
            return alphas[0] * (bottom - top) + top


def dense_image_warp(image, flow, name="dense_image_warp"):
    """[batch, height, width, channels]: output[b, j, i] = image[b, j - flow[b, j, i, 0],
    i - flow[b, j, i, 1]], sampled bilinearly (interpolate_bilinear) and clamped to the
    image's border; image and flow may be of different float dtypes."""
    with name_scope(name):
        image = convert_to_tensor(image)
        flow = convert_to_tensor(flow)
        shape = array.shape(image)
        batch, height, width, channels = (shape[0], shape[1], shape[2], shape[3])
        grid_x, grid_y = structural.meshgrid(array.range_(width), array.range_(height))
        grid = array.cast(array.stack([grid_y, grid_x], axis=2), flow.dtype)
        queries = array.reshape(array.expand_dims(grid, 0) - flow,
                                array.stack([batch, height * width, 2]))
        warped = interpolate_bilinear(image, queries)
        return array.reshape(warped, array.stack([batch, height, width, channels]))
