"""The pix2pix U-Net generator (Isola et al. 2017, appendix 6.1.1).

An encoder of stride-2 4×4 convolutions halves the image down to 1×1; a decoder of stride-2 4×4
transposed convolutions doubles it back, each decoder block concatenated with the encoder block of the
same resolution (the skip connections that carry the input's structure to the output).

The depth follows the image: log2(side) down blocks and as many up blocks, so the bottleneck is 1×1 at
any size: 8 + 8 at 256 px (the paper's U-Net-256), 7 at 128, 6 at 64. Filters double from
`base_filters` up to 8 × `base_filters` (C64-C128-C256-C512-C512-... at 256 px).
"""

import math

import keras

from ganzoo.layers import SeededDropout
from ganzoo.networks import _normalization

_DROPOUT_BLOCKS = 3  # the paper's decoder applies dropout in its first three blocks


def unet_depth(side):
    """Down blocks of a U-Net for square images of `side` pixels: log2(side)."""
    return int(math.log2(side))


def _check_image_shape(image_shape):
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels); received {image_shape}.")
    height, width, channels = image_shape
    if height != width or height < 4 or height & (height - 1):
        raise ValueError(
            "the U-Net takes square images whose side is a power of two of at least 4 (e.g. 64, 128, "
            f"256); received image_shape={tuple(image_shape)}."
        )
    if channels < 1:
        raise ValueError(f"image_shape needs at least one channel; received {tuple(image_shape)}.")


def unet_generator(
    image_shape=(256, 256, 3),
    output_channels=None,
    base_filters=64,
    norm="instance",
    dropout=0.5,
    seed=None,
    name="unet_generator",
):
    """images [batch, side, side, C] -> images [batch, side, side, output_channels], both in [-1, 1].

    Down blocks: Conv 4×4 stride 2 -> norm -> LeakyReLU(0.2), with no norm in the first block (as the
    paper) nor in the 1×1 bottleneck (as the reference code: normalising one value per channel per image
    would give 0). Up blocks: transposed Conv 4×4 stride 2 -> norm -> dropout (first three blocks) ->
    ReLU, then concatenation with the mirrored down block. Output: transposed Conv -> tanh.

    Args:
        image_shape: (side, side, channels), side a power of two >= 4.
        output_channels: channels of the output; the input's when None.
        base_filters: filters of the first block (64 in the paper).
        norm: "instance" (default: per-image statistics, the same in training and serving for any
            batch size), "batch" (BatchNorm: batch statistics in training, moving averages in
            inference), or "none".
        dropout: rate of the first three up blocks (0.5 in the paper; 0 for none). The masks come from
            `ganzoo.layers.SeededDropout`: checkpointed, and identical for any replica count.
        seed: seed of the dropout masks (each block derives its own); random when None.
        name: the model's name.
    """
    image_shape = tuple(int(size) for size in image_shape)
    _check_image_shape(image_shape)
    _normalization.check_norm(norm)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1); received {dropout!r}.")
    output_channels = int(output_channels or image_shape[-1])
    depth = unet_depth(image_shape[0])
    filters = [base_filters * min(2**index, 8) for index in range(depth)]

    images = keras.Input(image_shape, name="images")
    x = images
    skips = []
    for index, width in enumerate(filters):
        normalized = norm != "none" and 0 < index < depth - 1
        x = keras.layers.Conv2D(
            width,
            4,
            strides=2,
            padding="same",
            use_bias=not normalized,  # a bias before a normalisation would be subtracted again
            kernel_initializer=_normalization.weights_init(),
            name=f"down_{index}",
        )(x)
        if normalized:
            x = _normalization.normalization(norm, f"down_{index}_norm")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"down_{index}_relu")(x)
        skips.append(x)

    for block, index in enumerate(range(depth - 2, -1, -1)):
        x = keras.layers.Conv2DTranspose(
            filters[index],
            4,
            strides=2,
            padding="same",
            use_bias=norm == "none",
            kernel_initializer=_normalization.weights_init(),
            name=f"up_{index}",
        )(x)
        if norm != "none":
            x = _normalization.normalization(norm, f"up_{index}_norm")(x)
        if block < _DROPOUT_BLOCKS and dropout > 0:
            block_seed = None if seed is None else (int(seed) * 1_000_003 + block) % (2**31 - 1)
            x = SeededDropout(dropout, seed=block_seed, name=f"up_{index}_dropout")(x)
        x = keras.layers.ReLU(name=f"up_{index}_relu")(x)
        x = keras.layers.Concatenate(name=f"skip_{index}")([x, skips[index]])

    outputs = keras.layers.Conv2DTranspose(
        output_channels,
        4,
        strides=2,
        padding="same",
        activation="tanh",
        kernel_initializer=_normalization.weights_init(),
        dtype="float32",  # the output stays float32 under mixed precision
        name="images_out",
    )(x)
    return keras.Model(images, outputs, name=name)
