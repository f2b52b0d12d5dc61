"""tf.image geometry (TF 1.15): resizing, cropping and padding, crop_and_resize, glimpses,
patches, flips, rotations and transposes, random crops and flips.

Composites build the same ops TensorFlow 1.15 builds (ReverseV2, Slice, Pad, Transpose, cond);
the resamplers are the op types of `ops/image_ops.py`.

    small = tf.image.resize_images(images, [64, 64], align_corners=True)
"""
from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import control_dependencies, create_op, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.ops import array, check_ops, control, image_ops, math_ops, random_ops
from tensorweave.ops import random_distributions
from tensorweave.ops._common import one
from tensorweave.ops.array import rearrange

__all__ = ["ResizeMethod", "resize", "resize_area", "resize_bicubic", "resize_bilinear",
           "resize_images", "resize_nearest_neighbor", "resize_image_with_crop_or_pad",
           "resize_with_crop_or_pad", "resize_image_with_pad", "central_crop",
           "crop_to_bounding_box", "pad_to_bounding_box", "crop_and_resize", "extract_glimpse",
           "extract_image_patches", "extract_patches", "flip_left_right", "flip_up_down",
           "rot90", "transpose", "transpose_image", "random_crop", "random_flip_left_right",
           "random_flip_up_down"]


class ResizeMethod:
    """TF 1.x's resize methods (tf.image.ResizeMethod)."""
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


# --- checks shared by the composites -------------------------------------------------------
def _is_tensor(x):
    return isinstance(x, Tensor)


def _assert(cond, message):
    """An Assert op for a tensor condition; raises ValueError(message) for a false bool."""
    if _is_tensor(cond):
        return [check_ops.Assert(cond, [message])]
    if not cond:
        raise ValueError(message)
    return []


def _with_dependencies(deps, x):
    if not deps:
        return x
    with control_dependencies(deps):
        return array.identity(x)


def _image_dimensions(image, rank):
    """Static dimensions where known, scalar tensors of the dynamic shape elsewhere."""
    static = image.shape.with_rank(rank).as_list()
    if None not in static:
        return static
    dynamic = array.unstack(array.shape(image), rank)
    return [s if s is not None else d for s, d in zip(static, dynamic)]


def _check_at_least_3d(image):
    shape = image.shape
    try:
        shape = shape.with_rank(3) if shape.ndims is None else shape.with_rank_at_least(3)
    except ValueError:
        raise ValueError(f"'image' (shape {image.shape}) must be at least three-dimensional.") \
            from None
    inner = shape.as_list()[-3:]
    if any(d == 0 for d in inner):
        raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {shape}")
    if None in inner:
        return [check_ops.assert_positive(array.shape(image)[-3:],
                                          ["inner 3 dims of 'image.shape' must be > 0."]),
                check_ops.assert_greater_equal(
                    array.rank(image), 3, message="'image' must be at least three-dimensional.")]
    return []


def _at_least_3d(image):
    return _with_dependencies(_check_at_least_3d(image), image)


def _as_batch(image):
    """(4-D image, whether the input was a batch)."""
    ndims = image.shape.ndims
    if ndims == 4:
        return image, True
    if ndims in (3, None):
        batch = array.expand_dims(image, 0)
        if ndims is None:
            batch.set_shape([None] * 4)
        return batch, False
    raise ValueError(f"'image' (shape {image.shape}) must have either 3 or 4 dimensions.")


def _unbatch(image, is_batch):
    return image if is_batch else array.squeeze(image, axis=[0])


def _by_rank(image, rank3, rank4):
    ndims = image.shape.ndims
    if ndims is None:
        return control.cond(math_ops.equal(array.rank(image), 3), rank3, rank4)
    if ndims == 3:
        return rank3()
    if ndims == 4:
        return rank4()
    raise ValueError(f"'image' (shape {image.shape}) must have either 3 or 4 dimensions.")


def _max(x, y):
    return math_ops.maximum(x, y) if _is_tensor(x) or _is_tensor(y) else max(x, y)


def _min(x, y):
    return math_ops.minimum(x, y) if _is_tensor(x) or _is_tensor(y) else min(x, y)


# --- resizing ------------------------------------------------------------------------------
def _resize_op(op_type, images, size, name, **attrs):
    return image_ops.resize(op_type, convert_to_tensor(images, name="images"),
                            convert_to_tensor(size, dtype=dtypes.int32, name="size"),
                            name=name, **attrs)


def resize_bilinear(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """Bilinear resize of 4-D `images` to `size` (float32 out)."""
    return _resize_op("ResizeBilinear", images, size, name, align_corners=align_corners,
                      half_pixel_centers=half_pixel_centers)


def resize_nearest_neighbor(images, size, align_corners=False, name=None,
                            half_pixel_centers=False):
    """Nearest-neighbor resize of 4-D `images` to `size` (dtype kept)."""
    return _resize_op("ResizeNearestNeighbor", images, size, name, align_corners=align_corners,
                      half_pixel_centers=half_pixel_centers)


def resize_bicubic(images, size, align_corners=False, name=None, half_pixel_centers=False):
    """Bicubic resize of 4-D `images` to `size` (float32 out)."""
    return _resize_op("ResizeBicubic", images, size, name, align_corners=align_corners,
                      half_pixel_centers=half_pixel_centers)


def resize_area(images, size, align_corners=False, name=None):
    """Area-averaging resize of 4-D `images` to `size` (float32 out)."""
    return _resize_op("ResizeArea", images, size, name, align_corners=align_corners)


_RESIZERS = {ResizeMethod.BILINEAR: resize_bilinear, "bilinear": resize_bilinear,
             ResizeMethod.NEAREST_NEIGHBOR: resize_nearest_neighbor,
             "nearest": resize_nearest_neighbor,
             ResizeMethod.BICUBIC: resize_bicubic, "bicubic": resize_bicubic,
             ResizeMethod.AREA: resize_area, "area": resize_area}


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners=False,
                  preserve_aspect_ratio=False, name=None):
    """Resizes 3-D or 4-D `images` to `size` [new_height, new_width] with `method`."""
    resizer = _RESIZERS.get(method)
    if resizer is None:
        raise ValueError(f"Resize method is not implemented: {method}")
    with name_scope(name, "resize", [images, size]):
        images = convert_to_tensor(images, name="images")
        if images.shape.ndims is None:
            raise ValueError("'images' contains no shape.")
        if images.shape.ndims not in (3, 4):
            raise ValueError("'images' must have either 3 or 4 dimensions.")
        images, is_batch = _as_batch(images)
        _, height, width, _ = images.shape.as_list()
        try:
            size = convert_to_tensor(size, dtype=dtypes.int32, name="size")
        except (TypeError, ValueError):
            raise ValueError("'size' must be a 1-D int32 Tensor") from None
        if not size.shape.is_compatible_with([2]):
            raise ValueError("'size' must be a 1-D Tensor of 2 elements: new_height, new_width")
        if preserve_aspect_ratio:
            _, cur_h, cur_w, _ = _image_dimensions(images, 4)
            cur_h = array.cast(cur_h, dtypes.float32)
            cur_w = array.cast(cur_w, dtypes.float32)
            factor = math_ops.minimum(array.cast(size[0], dtypes.float32) / cur_h,
                                      array.cast(size[1], dtypes.float32) / cur_w)
            size = array.stack([array.cast(math_ops.round(factor * cur_h), dtypes.int32),
                                array.cast(math_ops.round(factor * cur_w), dtypes.int32)],
                               name="size")
        known = constant_value(size)
        new_h, new_w = (None, None) if known is None else (int(known[0]), int(known[1]))
        if new_h is not None and (new_h, new_w) == (height, width):
            return _unbatch(images, is_batch)
        images = resizer(images, size, align_corners=align_corners)
        images.set_shape([None, new_h, new_w, None])
        return _unbatch(images, is_batch)


resize = resize_images


def resize_image_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR,
                          align_corners=False):
    """Resizes keeping the aspect ratio, then pads with zeros to the target size."""
    with name_scope(None, "resize_image_with_pad", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _as_batch(image)
        checks = _check_at_least_3d(image)
        checks += _assert(target_width > 0, "target_width must be > 0.")
        checks += _assert(target_height > 0, "target_height must be > 0.")
        image = _with_dependencies(checks, image)
        _, height, width, _ = _image_dimensions(image, 4)
        f_h, f_w = array.cast(height, dtypes.float32), array.cast(width, dtypes.float32)
        t_h = array.cast(target_height, dtypes.float32)
        t_w = array.cast(target_width, dtypes.float32)
        ratio = math_ops.maximum(f_w / t_w, f_h / t_h)
        resized_h, resized_w = f_h / ratio, f_w / ratio
        new_h = array.cast(math_ops.floor(resized_h), dtypes.int32)
        new_w = array.cast(math_ops.floor(resized_w), dtypes.int32)
        pad_h = _max(0, array.cast(math_ops.floor((t_h - resized_h) / 2), dtypes.int32))
        pad_w = _max(0, array.cast(math_ops.floor((t_w - resized_w) / 2), dtypes.int32))
        resized = resize_images(image, array.stack([new_h, new_w]), method,
                                align_corners=align_corners)
        padded = pad_to_bounding_box(resized, pad_h, pad_w, target_height, target_width)
        if padded.shape.ndims is None:
            raise ValueError("padded contains no shape.")
        return _unbatch(padded, is_batch)


# --- cropping and padding ------------------------------------------------------------------
def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Pads `image` with zeros: `offset_*` rows/columns before, up to `target_*`."""
    with name_scope(None, "pad_to_bounding_box", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _as_batch(image)
        batch, height, width, depth = _image_dimensions(image, 4)
        after_w = target_width - offset_width - width
        after_h = target_height - offset_height - height
        checks = _check_at_least_3d(image)
        checks += _assert(offset_height >= 0, "offset_height must be >= 0")
        checks += _assert(offset_width >= 0, "offset_width must be >= 0")
        checks += _assert(after_w >= 0, "width must be <= target - offset")
        checks += _assert(after_h >= 0, "height must be <= target - offset")
        image = _with_dependencies(checks, image)
        paddings = array.reshape(array.stack([0, 0, offset_height, after_h, offset_width,
                                              after_w, 0, 0]), [4, 2])
        padded = array.pad(image, paddings)
        padded.set_shape([None if _is_tensor(d) else d
                          for d in (batch, target_height, target_width, depth)])
        return _unbatch(padded, is_batch)


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The `target_*` sized block of `image` whose top-left corner is at `offset_*`."""
    with name_scope(None, "crop_to_bounding_box", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _as_batch(image)
        checks = _check_at_least_3d(image)
        batch, height, width, depth = _image_dimensions(image, 4)
        checks += _assert(offset_width >= 0, "offset_width must be >= 0.")
        checks += _assert(offset_height >= 0, "offset_height must be >= 0.")
        checks += _assert(target_width > 0, "target_width must be > 0.")
        checks += _assert(target_height > 0, "target_height must be > 0.")
        checks += _assert(width >= target_width + offset_width,
                          "width must be >= target + offset.")
        checks += _assert(height >= target_height + offset_height,
                          "height must be >= target + offset.")
        image = _with_dependencies(checks, image)
        shape = array.shape(image)
        cropped = array.slice_(image, array.stack([0, offset_height, offset_width, 0]),
                               array.stack([shape[0], target_height, target_width, shape[3]]))
        cropped.set_shape([None if _is_tensor(d) else d
                           for d in (batch, target_height, target_width, depth)])
        return _unbatch(cropped, is_batch)


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """Centrally crops or zero-pads `image` to `target_height` x `target_width`."""
    with name_scope(None, "resize_image_with_crop_or_pad", [image]):
        image = convert_to_tensor(image, name="image")
        image, is_batch = _as_batch(image)
        checks = _check_at_least_3d(image)
        checks += _assert(target_width > 0, "target_width must be > 0.")
        checks += _assert(target_height > 0, "target_height must be > 0.")
        image = _with_dependencies(checks, image)
        if _is_tensor(target_height):
            target_height = _with_dependencies(checks, target_height)
        if _is_tensor(target_width):
            target_width = _with_dependencies(checks, target_width)
        _, height, width, _ = _image_dimensions(image, 4)
        width_diff, height_diff = target_width - width, target_height - height
        cropped = crop_to_bounding_box(image, _max(-height_diff // 2, 0),
                                       _max(-width_diff // 2, 0),
                                       _min(target_height, height), _min(target_width, width))
        resized = pad_to_bounding_box(cropped, _max(height_diff // 2, 0),
                                      _max(width_diff // 2, 0), target_height, target_width)
        if resized.shape.ndims is None:
            raise ValueError("resized contains no shape.")
        return _unbatch(resized, is_batch)


resize_with_crop_or_pad = resize_image_with_crop_or_pad


def central_crop(image, central_fraction):
    """The central `central_fraction` (in (0, 1]) of each spatial dimension of `image`."""
    with name_scope(None, "central_crop", [image]):
        image = convert_to_tensor(image, name="image")
        fraction = constant_value(central_fraction) if _is_tensor(central_fraction) \
            else central_fraction
        if fraction is not None:
            if fraction <= 0.0 or fraction > 1.0:
                raise ValueError("central_fraction must be within (0, 1]")
            if fraction == 1.0:
                return image
        _at_least_3d(image)
        rank = image.shape.ndims
        if rank not in (3, 4):
            raise ValueError(f"`image` should either be a Tensor with rank = 3 or rank = 4. "
                             f"Had rank = {rank}.")
        first = 0 if rank == 3 else 1
        dims = image.shape.as_list()
        starts, sizes, static = [], [], []
        for axis in (first, first + 1):
            size = dims[axis]
            dynamic = size is None or fraction is None
            if size is None:
                size = array.shape(image)[axis]
            if dynamic:
                sized = array.cast(size, dtypes.float64)
                start = array.cast(
                    (sized - sized * array.cast(central_fraction, dtypes.float64)) / 2,
                    dtypes.int32)
            else:
                start = int((float(size) - float(size) * fraction) / 2)
            starts.append(start)
            sizes.append(size - start * 2)
            static.append(None if dynamic else size - start * 2)
        if rank == 3:
            begin, size = array.stack(starts + [0]), array.stack(sizes + [-1])
            out_shape = static + [dims[2]]
        else:
            begin, size = array.stack([0] + starts + [0]), array.stack([-1] + sizes + [-1])
            out_shape = [dims[0]] + static + [dims[3]]
        cropped = array.slice_(image, begin, size)
        cropped.set_shape(out_shape)
        return cropped


def crop_and_resize(image, boxes, box_ind=None, crop_size=None, method="bilinear",
                    extrapolation_value=0, name=None, box_indices=None):
    """Crops boxes (normalized [y1, x1, y2, x2]) of images `box_ind` and resizes each crop to
    `crop_size` by bilinear or nearest sampling (CropAndResize)."""
    if box_indices is not None:
        if box_ind is not None:
            raise ValueError("Cannot specify both 'box_indices' and 'box_ind'")
        box_ind = box_indices
    image = convert_to_tensor(image, name="image")
    return one(create_op(
        "CropAndResize",
        [image, convert_to_tensor(boxes, dtype=dtypes.float32, name="boxes"),
         convert_to_tensor(box_ind, dtype=dtypes.int32, name="box_ind"),
         convert_to_tensor(crop_size, dtype=dtypes.int32, name="crop_size")],
        name=name or "CropAndResize", method=method,
        extrapolation_value=float(extrapolation_value)))


def extract_glimpse(input, size, offsets, centered=True, normalized=True,  # noqa: A002
                    uniform_noise=True, name=None):
    """Glimpses of `size` from each image at `offsets` [y, x] (ExtractGlimpse); parts outside
    the image are filled with noise."""
    return one(create_op(
        "ExtractGlimpse",
        [convert_to_tensor(input, dtype=dtypes.float32, name="input"),
         convert_to_tensor(size, dtype=dtypes.int32, name="size"),
         convert_to_tensor(offsets, dtype=dtypes.float32, name="offsets")],
        name=name or "ExtractGlimpse", centered=bool(centered), normalized=bool(normalized),
        uniform_noise=bool(uniform_noise), noise="uniform"))


extract_image_patches = rearrange.extract_image_patches


def extract_patches(images, sizes, strides, rates, padding, name=None):
    """Patches of `sizes` from 4-D `images` flattened into depth (ExtractImagePatches)."""
    return rearrange.extract_image_patches(images, ksizes=sizes, strides=strides, rates=rates,
                                           padding=padding, name=name)


# --- flips, rotations, transposes ----------------------------------------------------------
def _fix_flip_shape(image, result):
    result.set_shape([None] * 3 if image.shape.ndims is None else image.shape)
    return result


def _flip(image, axis, scope_name):
    with name_scope(None, scope_name, [image]):
        image = _at_least_3d(convert_to_tensor(image, name="image"))
        return _by_rank(image,
                        lambda: _fix_flip_shape(image, rearrange.reverse_v2(image, [axis])),
                        lambda: rearrange.reverse_v2(image, [axis + 1]))


def flip_left_right(image):
    """`image` (3-D or a 4-D batch) mirrored along its width."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image):
    """`image` (3-D or a 4-D batch) mirrored along its height."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image, axis, seed, scope_name):
    with name_scope(None, scope_name, [image]) as scope:
        image = _at_least_3d(convert_to_tensor(image, name="image"))

        def rank3():
            draw = random_ops.random_uniform([], 0, 1.0, seed=seed)
            result = control.cond(math_ops.less(draw, 0.5),
                                  lambda: rearrange.reverse_v2(image, [axis]),
                                  lambda: image, name=scope)
            return _fix_flip_shape(image, result)

        def rank4():
            batch = array.shape(image)[0]
            draw = random_ops.random_uniform(array.stack([batch]), 0, 1.0, seed=seed)
            flips = math_ops.round(array.reshape(draw, array.stack([batch, 1, 1, 1])))
            flips = array.cast(flips, image.dtype)
            flipped = rearrange.reverse_v2(image, [axis + 1])
            return flips * flipped + (1 - flips) * image
        return _by_rank(image, rank3, rank4)


def random_flip_left_right(image, seed=None):
    """With probability 1/2 (per image of a batch), `image` mirrored along its width."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """With probability 1/2 (per image of a batch), `image` mirrored along its height."""
    return _random_flip(image, 0, seed, "random_flip_up_down")


def _rotations(image, k, first, scope):
    h, w = first, first + 1
    perm = list(range(image.shape.ndims if image.shape.ndims else 3))
    perm[h], perm[w] = w, h
    cases = [(math_ops.equal(k, 1),
              lambda: array.transpose(rearrange.reverse_v2(image, [w]), perm)),
             (math_ops.equal(k, 2), lambda: rearrange.reverse_v2(image, [h, w])),
             (math_ops.equal(k, 3),
              lambda: rearrange.reverse_v2(array.transpose(image, perm), [w]))]
    result = control.case(cases, default=lambda: image, exclusive=True, name=scope)
    dims = image.shape.as_list()
    result.set_shape([None, None, dims[2]] if first == 0 else [dims[0], None, None, dims[3]])
    return result


def rot90(image, k=1, name=None):
    """`image` rotated counter-clockwise by `k` quarter turns."""
    with name_scope(name, "rot90", [image, k]) as scope:
        image = _at_least_3d(convert_to_tensor(image, name="image"))
        k = convert_to_tensor(k, dtype=dtypes.int32, name="k")
        k.shape.assert_has_rank(0)
        k = math_ops.mod(k, 4)
        if image.shape.ndims is None:
            def rank3():
                shaped = array.reshape(image, array.shape(image))
                shaped.set_shape([None] * 3)
                return _rotations(shaped, k, 0, scope)

            def rank4():
                shaped = array.reshape(image, array.shape(image))
                shaped.set_shape([None] * 4)
                return _rotations(shaped, k, 1, scope)
            return control.cond(math_ops.equal(array.rank(image), 3), rank3, rank4)
        if image.shape.ndims not in (3, 4):
            raise ValueError(f"'image' (shape {image.shape}) must have either 3 or 4 "
                             f"dimensions.")
        return _rotations(image, k, image.shape.ndims - 3, scope)


def transpose(image, name=None):
    """`image` with height and width swapped."""
    with name_scope(name, "transpose", [image]):
        image = _at_least_3d(convert_to_tensor(image, name="image"))
        return _by_rank(image, lambda: array.transpose(image, [1, 0, 2], name=name),
                        lambda: array.transpose(image, [0, 2, 1, 3], name=name))


transpose_image = transpose
random_crop = random_distributions.random_crop
