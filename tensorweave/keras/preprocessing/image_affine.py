"""Affine transforms, channel and brightness shifts of single images in NumPy.

`affine_transform` resamples a 2-D array as scipy.ndimage.affine_transform does for the
interpolation orders Keras uses (0 and 1) and its modes 'constant', 'nearest', 'reflect' and
'wrap' (SciPy's: 'reflect' mirrors about the pixel edges, 'wrap' repeats with period n - 1).
"""
import numpy as np


def _map_coordinates(c, n, mode):
    """Coordinates outside [0, n - 1] brought inside as SciPy maps them (NaN for 'constant')."""
    c = np.array(c, dtype=np.float64)
    if n <= 1:
        out = np.zeros_like(c)
        if mode == "constant":
            out[(c < 0) | (c > n - 1)] = np.nan
        return out
    low, high = c < 0, c > n - 1
    if mode == "nearest":
        c = np.clip(c, 0, n - 1)
    elif mode == "constant":
        c[low | high] = np.nan
    elif mode == "reflect":
        period = 2 * n
        c = np.where(low, np.where(c < -period, c + period * np.trunc(-c / period), c), c)
        c = np.where(low, np.where(c < -n, c + period, -c - 1), c)
        c = np.where(high, c - period * np.trunc(c / period), c)
        c = np.where(high & (c >= n), period - c - 1, c)
    elif mode == "wrap":
        size = n - 1
        c = np.where(low, c + size * (np.trunc(-c / size) + 1), c)
        c = np.where(high, c - size * np.trunc(c / size), c)
    else:
        raise ValueError(f"boundary mode not supported: {mode!r}")
    return c


def affine_transform(image, matrix, offset, order=1, mode="nearest", cval=0.):
    """out[i, j] = image sampled at matrix @ (i, j) + offset (a 2-D image)."""
    if order not in (0, 1):
        raise NotImplementedError(f"interpolation order {order}: tensorweave resamples with "
                                  f"order 0 (nearest) or 1 (bilinear)")
    rows, cols = image.shape
    ii, jj = np.meshgrid(np.arange(rows, dtype=np.float64), np.arange(cols, dtype=np.float64),
                         indexing="ij")
    r = matrix[0, 0] * ii + matrix[0, 1] * jj + offset[0]
    c = matrix[1, 0] * ii + matrix[1, 1] * jj + offset[1]
    r = _map_coordinates(r, rows, mode)
    c = _map_coordinates(c, cols, mode)
    outside = np.isnan(r) | np.isnan(c)
    r = np.where(outside, 0, r)
    c = np.where(outside, 0, c)
    values = image.astype(np.float64)
    if order == 0:
        ri = np.clip(np.floor(r + 0.5).astype(np.int64), 0, rows - 1)
        ci = np.clip(np.floor(c + 0.5).astype(np.int64), 0, cols - 1)
        out = values[ri, ci]
    else:
        r0, c0 = np.floor(r), np.floor(c)
        fr, fc = r - r0, c - c0
        r0, c0 = r0.astype(np.int64), c0.astype(np.int64)
        # neighbours beyond the edge take the edge's value (their weight is 0 inside)
        ra, rb = np.clip(r0, 0, rows - 1), np.clip(r0 + 1, 0, rows - 1)
        ca, cb = np.clip(c0, 0, cols - 1), np.clip(c0 + 1, 0, cols - 1)
        out = ((1 - fr) * ((1 - fc) * values[ra, ca] + fc * values[ra, cb]) +
               fr * ((1 - fc) * values[rb, ca] + fc * values[rb, cb]))
    out = np.where(outside, cval, out)
    if np.issubdtype(image.dtype, np.integer):
        out = np.round(out)
        info = np.iinfo(image.dtype)
        out = np.clip(out, info.min, info.max)
    return out.astype(image.dtype)


def transform_matrix_offset_center(matrix, x, y):
    """`matrix` applied about the image centre instead of its corner."""
    o_x = float(x) / 2 + 0.5
    o_y = float(y) / 2 + 0.5
    offset_matrix = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset_matrix = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset_matrix @ matrix @ reset_matrix


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=0,
                           col_axis=1, channel_axis=2, fill_mode="nearest", cval=0., order=1):
    """The rank-3 image `x` rotated by `theta` degrees, shifted by (tx, ty) pixels, sheared by
    `shear` degrees and zoomed by (zx, zy), points outside filled per `fill_mode`.

    As in TF 1.15 (Keras-Preprocessing 1.1) the matrix acts on (row, column) coordinates: `tx`
    moves along rows. (Keras 2.9+ swaps the axes first, so its rotations turn the other way.)"""
    transform = None
    if theta != 0:
        theta = np.deg2rad(theta)
        transform = np.array([[np.cos(theta), -np.sin(theta), 0],
                              [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    if tx != 0 or ty != 0:
        shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        transform = shift if transform is None else transform @ shift
    if shear != 0:
        shear = np.deg2rad(shear)
        shear_matrix = np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
        transform = shear_matrix if transform is None else transform @ shear_matrix
    if zx != 1 or zy != 1:
        zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
        transform = zoom if transform is None else transform @ zoom
    if transform is None:
        return x
    h, w = x.shape[row_axis], x.shape[col_axis]
    transform = transform_matrix_offset_center(transform, h, w)
    x = np.rollaxis(x, channel_axis, 0)
    channels = [affine_transform(channel, transform[:2, :2], transform[:2, 2], order=order,
                                 mode=fill_mode, cval=cval) for channel in x]
    return np.rollaxis(np.stack(channels, axis=0), 0, channel_axis + 1)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Every channel of `x` shifted by `intensity`, clipped to the image's range."""
    x = np.rollaxis(x, channel_axis, 0)
    min_x, max_x = np.min(x), np.max(x)
    x = np.stack([np.clip(channel + intensity, min_x, max_x) for channel in x], axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def flip_axis(x, axis):
    return np.flip(np.asarray(x), axis)
