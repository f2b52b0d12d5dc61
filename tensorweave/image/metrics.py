"""tf.image's image measures as TensorFlow 1.15 defines them: total variation, PSNR, SSIM and
multi-scale SSIM, finite-difference and Sobel gradients. All are composites of ordinary ops,
so they are differentiable wherever their parts are.

    >>> tf.image.ssim(img1, img2, max_val=1.0)      # one value per image
"""
import numpy as np

from tensorweave.core import dtypes
from tensorweave.core.constants import constant, convert_to_tensor
from tensorweave.core.graph import control_dependencies, name_scope
from tensorweave.image import color
from tensorweave.ops import array, check_ops, conv_ops, math_ops, nn_ops
from tensorweave.ops.array import index, structural
from tensorweave.ops.control import cond

__all__ = ["image_gradients", "psnr", "sobel_edges", "ssim", "ssim_multiscale",
           "total_variation"]

_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def total_variation(images, name=None):
    """Sum of absolute differences of neighbouring pixels: a scalar for a 3-D image, one value
    per image for a 4-D batch."""
    with name_scope(name, "total_variation"):
        ndims = images.get_shape().ndims
        if ndims == 3:
            dif1 = images[1:, :, :] - images[:-1, :, :]
            dif2 = images[:, 1:, :] - images[:, :-1, :]
            sum_axis = None
        elif ndims == 4:
            dif1 = images[:, 1:, :, :] - images[:, :-1, :, :]
            dif2 = images[:, :, 1:, :] - images[:, :, :-1, :]
            sum_axis = [1, 2, 3]
        else:
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        return (math_ops.reduce_sum(math_ops.abs(dif1), axis=sum_axis)
                + math_ops.reduce_sum(math_ops.abs(dif2), axis=sum_axis))


def _verify_compatible_image_shapes(img1, img2):
    """Static checks (ValueError) and run-time Assert ops that img1 and img2 are image batches
    of rank >= 3 with equal last three dimensions and broadcastable batch dimensions."""
    shape1 = img1.get_shape().with_rank_at_least(3)
    shape2 = img2.get_shape().with_rank_at_least(3)
    shape1[-3:].assert_is_compatible_with(shape2[-3:])
    if shape1.ndims is not None and shape2.ndims is not None:
        for dim1, dim2 in zip(reversed(shape1.dims[:-3]), reversed(shape2.dims[:-3])):
            if not (dim1 == 1 or dim2 == 1 or dim1.is_compatible_with(dim2)):
                raise ValueError(f"Two images are not compatible: {shape1} and {shape2}")
    shape1, shape2 = structural.shape_n([img1, img2])
    checks = [
        check_ops.Assert(math_ops.greater_equal(array.size(shape1), 3), [shape1, shape2],
                         summarize=10),
        check_ops.Assert(math_ops.reduce_all(math_ops.equal(shape1[-3:], shape2[-3:])),
                         [shape1, shape2], summarize=10),
    ]
    return shape1, shape2, checks


def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio of each image pair (float32, over the last three dims)."""
    with name_scope(name, "PSNR", [a, b]):
        a = convert_to_tensor(a)
        b = convert_to_tensor(b)
        max_val = array.cast(max_val, a.dtype)
        max_val = color.convert_image_dtype(max_val, dtypes.float32)
        a = color.convert_image_dtype(a, dtypes.float32)
        b = color.convert_image_dtype(b, dtypes.float32)
        mse = math_ops.reduce_mean(math_ops.squared_difference(a, b), [-3, -2, -1])
        psnr_val = math_ops.subtract(
            20 * math_ops.log(max_val) / math_ops.log(10.0),
            np.float32(10 / np.log(10)) * math_ops.log(mse), name="psnr")
        _, _, checks = _verify_compatible_image_shapes(a, b)
        with control_dependencies(checks):
            return array.identity(psnr_val)


def _ssim_helper(x, y, reducer, max_val, compensation=1.0, k1=0.01, k2=0.03):
    """SSIM's luminance and contrast-structure terms with local means from `reducer`."""
    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mean0 = reducer(x)
    mean1 = reducer(y)
    num0 = mean0 * mean1 * 2.0
    den0 = math_ops.square(mean0) + math_ops.square(mean1)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = reducer(x * y) * 2.0
    den1 = reducer(math_ops.square(x) + math_ops.square(y))
    c2 *= compensation
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    return luminance, cs


def _fspecial_gauss(size, sigma):
    """A [size, size, 1, 1] Gaussian window summing to 1 (MATLAB's fspecial)."""
    size = convert_to_tensor(size, dtypes.int32)
    sigma = convert_to_tensor(sigma)
    coords = array.cast(index.range_(size), sigma.dtype)
    coords -= array.cast(size - 1, sigma.dtype) / 2.0
    g = math_ops.square(coords)
    g *= -0.5 / math_ops.square(sigma)
    g = array.reshape(g, shape=[1, -1]) + array.reshape(g, shape=[-1, 1])
    g = array.reshape(g, shape=[1, -1])
    g = nn_ops.softmax(g)
    return array.reshape(g, shape=[size, size, 1, 1])


def _ssim_per_channel(img1, img2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01,
                      k2=0.03):
    """SSIM and contrast-structure per channel ([..., channels]) with a Gaussian window."""
    filter_size = constant(filter_size, dtype=dtypes.int32)
    filter_sigma = constant(filter_sigma, dtype=img1.dtype)
    shape1, shape2 = structural.shape_n([img1, img2])
    checks = [
        check_ops.Assert(math_ops.reduce_all(math_ops.greater_equal(shape1[-3:-1], filter_size)),
                         [shape1, filter_size], summarize=8),
        check_ops.Assert(math_ops.reduce_all(math_ops.greater_equal(shape2[-3:-1], filter_size)),
                         [shape2, filter_size], summarize=8),
    ]
    with control_dependencies(checks):
        img1 = array.identity(img1)
    kernel = _fspecial_gauss(filter_size, filter_sigma)
    kernel = array.tile(kernel, multiples=[1, 1, shape1[-1], 1])

    def reducer(x):
        shape = array.shape(x)
        x = array.reshape(x, shape=array.concat([[-1], shape[-3:]], 0))
        y = conv_ops.depthwise_conv2d(x, kernel, strides=[1, 1, 1, 1], padding="VALID")
        return array.reshape(y, array.concat([shape[:-3], array.shape(y)[1:]], 0))

    luminance, cs = _ssim_helper(img1, img2, reducer, max_val, 1.0, k1, k2)
    axes = constant([-3, -2], dtype=dtypes.int32)
    ssim_val = math_ops.reduce_mean(luminance * cs, axes)
    cs = math_ops.reduce_mean(cs, axes)
    return ssim_val, cs


def _float32_pair(img1, img2, max_val):
    """The two images (checked to be compatible) and max_val, converted to float32 as
    convert_image_dtype does; and the images' shapes."""
    img1 = convert_to_tensor(img1, name="img1")
    img2 = convert_to_tensor(img2, name="img2")
    shape1, shape2, checks = _verify_compatible_image_shapes(img1, img2)
    with control_dependencies(checks):
        img1 = array.identity(img1)
    max_val = array.cast(max_val, img1.dtype)
    max_val = color.convert_image_dtype(max_val, dtypes.float32)
    img1 = color.convert_image_dtype(img1, dtypes.float32)
    img2 = color.convert_image_dtype(img2, dtypes.float32)
    return img1, img2, max_val, shape1, shape2


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03):
    """Structural similarity of each image pair (Wang et al. 2004), averaged over channels;
    images at least filter_size x filter_size."""
    with name_scope(None, "SSIM", [img1, img2]):
        img1, img2, max_val, _, _ = _float32_pair(img1, img2, max_val)
        ssim_per_channel, _ = _ssim_per_channel(img1, img2, max_val, filter_size,
                                                filter_sigma, k1, k2)
        return math_ops.reduce_mean(ssim_per_channel, [-1])


def ssim_multiscale(img1, img2, max_val, power_factors=_MSSSIM_WEIGHTS, filter_size=11,
                    filter_sigma=1.5, k1=0.01, k2=0.03):
    """Multi-scale SSIM (Wang, Simoncelli and Bovik 2003): one scale per power factor, each
    halving the image (2x2 average pooling after symmetric padding to even sizes)."""
    with name_scope(None, "MS-SSIM", [img1, img2]):
        img1, img2, max_val, shape1, shape2 = _float32_pair(img1, img2, max_val)
        imgs = [img1, img2]
        heads = [s[:-3] for s in (shape1, shape2)]
        tails = [s[-3:] for s in (shape1, shape2)]
        divisor = [1, 2, 2, 1]
        divisor_tensor = constant(divisor[1:], dtype=dtypes.int32)

        def do_pad(images, remainder):
            padding = array.expand_dims(remainder, -1)
            padding = array.pad(padding, [[1, 0], [1, 0]])
            return [array.pad(x, padding, mode="SYMMETRIC") for x in images]

        mcs = []
        for k in range(len(power_factors)):
            with name_scope(None, f"Scale{k}", imgs):
                if k > 0:
                    flat = [array.reshape(x, array.concat([[-1], t], 0))
                            for x, t in zip(imgs, tails)]
                    remainder = tails[0] % divisor_tensor
                    need_padding = math_ops.reduce_any(math_ops.not_equal(remainder, 0))
                    padded = cond(need_padding, lambda: do_pad(flat, remainder),
                                       lambda: flat)
                    downscaled = [conv_ops.avg_pool(x, ksize=divisor, strides=divisor,
                                                    padding="VALID") for x in padded]
                    tails = [x[1:] for x in structural.shape_n(downscaled)]
                    imgs = [array.reshape(x, array.concat([h, t], 0))
                            for x, h, t in zip(downscaled, heads, tails)]
                ssim_per_channel, cs = _ssim_per_channel(
                    *imgs, max_val=max_val, filter_size=filter_size,
                    filter_sigma=filter_sigma, k1=k1, k2=k2)
                mcs.append(nn_ops.relu(cs))
        mcs.pop()
        mcs_and_ssim = array.stack(mcs + [nn_ops.relu(ssim_per_channel)], axis=-1)
        ms_ssim = math_ops.reduce_prod(math_ops.pow(mcs_and_ssim, power_factors), [-1])
        return math_ops.reduce_mean(ms_ssim, [-1])


def image_gradients(image):
    """(dy, dx): forward differences of a [batch, h, w, d] image, zero in the last row (dy)
    and the last column (dx)."""
    if image.get_shape().ndims != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not "
                         f"{image.get_shape()}.")
    image_shape = array.shape(image)
    batch_size, height, width, depth = array.unstack(image_shape)
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    shape = array.stack([batch_size, 1, width, depth])
    dy = array.concat([dy, array.zeros(shape, image.dtype)], 1)
    dy = array.reshape(dy, image_shape)
    shape = array.stack([batch_size, height, 1, depth])
    dx = array.concat([dx, array.zeros(shape, image.dtype)], 2)
    dx = array.reshape(dx, image_shape)
    return dy, dx


def sobel_edges(image):
    """Sobel edge maps [batch, h, w, d, 2] (dy, dx per channel), reflecting at the borders."""
    static_image_shape = image.get_shape()
    image_shape = array.shape(image)
    kernels = [[[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
               [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]
    num_kernels = len(kernels)
    kernels = np.expand_dims(np.transpose(np.asarray(kernels), (1, 2, 0)), -2)
    kernels_tf = constant(kernels, dtype=image.dtype)
    kernels_tf = array.tile(kernels_tf, [1, 1, image_shape[-1], 1], name="sobel_filters")
    padded = array.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    output = conv_ops.depthwise_conv2d(padded, kernels_tf, [1, 1, 1, 1], "VALID")
    output = array.reshape(output, shape=array.concat([image_shape, [num_kernels]], 0))
    output.set_shape(static_image_shape.concatenate([num_kernels]))
    return output
