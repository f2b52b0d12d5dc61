"""tf.image: decoding and encoding, resizing and cropping, color, augmentation, boxes and
image metrics. Names load on first use from the module that defines them."""
from tensorweave.util import lazy

_CODECS = ("decode_and_crop_jpeg", "decode_bmp", "decode_gif", "decode_image", "decode_jpeg",
           "decode_png", "encode_jpeg", "encode_png", "extract_jpeg_shape", "is_jpeg",
           "adjust_jpeg_quality", "random_jpeg_quality")
_GEOMETRY = ("ResizeMethod", "resize", "resize_area", "resize_bicubic", "resize_bilinear",
             "resize_images", "resize_nearest_neighbor", "resize_image_with_crop_or_pad",
             "resize_with_crop_or_pad", "resize_image_with_pad", "central_crop",
             "crop_to_bounding_box", "pad_to_bounding_box", "crop_and_resize",
             "extract_glimpse", "extract_image_patches", "extract_patches", "flip_left_right",
             "flip_up_down", "rot90", "transpose", "transpose_image", "random_crop",
             "random_flip_left_right", "random_flip_up_down")
_BOXES = ("non_max_suppression", "non_max_suppression_overlaps", "non_max_suppression_padded",
          "non_max_suppression_with_scores", "combined_non_max_suppression",
          "draw_bounding_boxes", "sample_distorted_bounding_box")
_COLOR = ("adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue",
          "adjust_saturation", "convert_image_dtype", "grayscale_to_rgb", "hsv_to_rgb",
          "rgb_to_grayscale", "rgb_to_hsv", "rgb_to_yiq", "rgb_to_yuv", "yiq_to_rgb",
          "yuv_to_rgb", "per_image_standardization", "random_brightness", "random_contrast",
          "random_hue", "random_saturation")
_METRICS = ("image_gradients", "psnr", "sobel_edges", "ssim", "ssim_multiscale",
            "total_variation")

__getattr__ = lazy.attributes(__name__, {
    **lazy.names_from("tensorweave.image.codecs", *_CODECS),
    **lazy.names_from("tensorweave.image.geometry", *_GEOMETRY),
    **lazy.names_from("tensorweave.image.boxes", *_BOXES),
    **lazy.names_from("tensorweave.image.color", *_COLOR),
    **lazy.names_from("tensorweave.image.metrics", *_METRICS),
})
