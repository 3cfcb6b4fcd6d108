"""Image normalisation shared by every ganzoo image pipeline.

Every loader ends its per-example work here, so all data sets agree on the
convention the models expect: float32, NHWC, values in [-1, 1] (the range of
a generator's tanh output), bilinear antialiased resizing.
"""

import tensorflow as tf

SUPPORTED_CHANNELS = (1, 3)


def image_size_hw(image_size, *, allow_none=False):
    """Normalises an `image_size` argument to `(height, width)`.

    Args:
      image_size: an int (square), a `(height, width)` pair, or None when
        `allow_none` (keep the source's own size).
      allow_none: whether None is accepted.

    Returns:
      A `(height, width)` tuple of positive ints, or None.

    Raises:
      ValueError: on anything else, echoing what was received.
    """
    if image_size is None:
        if allow_none:
            return None
        raise ValueError("image_size is required here: pass an int or (height, width).")
    if isinstance(image_size, int) and not isinstance(image_size, bool):
        hw = (image_size, image_size)
    elif isinstance(image_size, (tuple, list)) and len(image_size) == 2:
        hw = tuple(image_size)
    else:
        raise ValueError(
            f"image_size must be an int or a (height, width) pair; received {image_size!r}."
        )
    if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in hw):
        raise ValueError(f"image_size must hold positive ints; received {image_size!r}.")
    return hw


def check_channels(channels, *, allow_none=False):
    """Raises ValueError unless `channels` is 1 or 3 (or None when allowed)."""
    if channels is None and allow_none:
        return
    if channels not in SUPPORTED_CHANNELS:
        raise ValueError(f"channels must be 1 or 3; received {channels!r}.")


def to_unit_range(images):
    """Maps integer pixels (uint8: 0..255) or float pixels in [0, 1] to [-1, 1].

    `convert_image_dtype` divides by the dtype's maximum, so uint16 data such
    as some TFDS sets is scaled correctly too.
    """
    return tf.image.convert_image_dtype(images, tf.float32) * 2.0 - 1.0


def convert_channels(images, channels):
    """Converts the last axis to `channels` (1 or 3); works for any rank.

    An alpha channel (2 or 4 channels) is dropped; grey is tiled to RGB and
    RGB reduced with the ITU-R 601 luma weights (`tf.image.rgb_to_grayscale`).
    The input's channel count must be static.
    """
    if channels is None:
        return images
    check_channels(channels)
    have = images.shape[-1]
    if have is None:
        raise ValueError("convert_channels needs a static channel count.")
    if have in (2, 4):
        images = images[..., : have - 1]
        have -= 1
    if have == channels:
        return images
    if have == 1 and channels == 3:
        return tf.image.grayscale_to_rgb(images)
    if have == 3 and channels == 1:
        return tf.image.rgb_to_grayscale(images)
    raise ValueError(f"cannot convert images with {have} channels to {channels}.")


def resize(images, size_hw):
    """Bilinear antialiased resize of float images in [-1, 1], kept in range.

    Args:
      images: float tensor, [H, W, C] or [N, H, W, C].
      size_hw: `(height, width)`, or None to leave the size unchanged.
    """
    if size_hw is None:
        return images
    if tuple(images.shape[-3:-1]) == tuple(size_hw):
        return images
    images = tf.image.resize(images, size_hw, method="bilinear", antialias=True)
    # The filter weights are convex, so this only trims float round-off.
    return tf.clip_by_value(images, -1.0, 1.0)


def normalize_images(images, size_hw=None, channels=None):
    """Pixels of any image dtype -> float32 in [-1, 1], `channels`, `size_hw`.

    Args:
      images: [H, W, C] or [N, H, W, C] tensor, integer or float in [0, 1].
      size_hw: target `(height, width)`, or None to keep the size.
      channels: 1 or 3, or None to keep the channels.
    """
    images = to_unit_range(images)
    images = convert_channels(images, channels)
    return resize(images, size_hw)
