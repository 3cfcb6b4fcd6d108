"""The PatchGAN discriminator (Isola et al. 2017, section 3.2.2 and appendix 6.1.2).

It classifies every N×N patch of an image as real or fake, one logit per patch, instead of the whole
image: the L1 term takes care of the low frequencies, the discriminator of the local texture. The
layers are the reference code's `NLayerDiscriminator`: `n_layers` 4×4 stride-2 convolutions
(C64-C128-C256 for n_layers=3), a 4×4 stride-1 convolution (C512) and a 4×4 stride-1 convolution to one
channel, each padded by one pixel. One logit sees a square of `patchgan_receptive_field(n_layers)`
pixels: 16, 34, 70 (the paper's default), 142, 286 for n_layers = 1..5; a 256 px input gives a 30×30 map
of logits.
"""

import keras

from ganzoo.networks import _normalization


def patchgan_receptive_field(n_layers):
    """Side, in input pixels, of the patch one PatchGAN logit sees."""
    field = 7  # the two stride-1 4×4 convolutions at the end: 4 + 3
    for _ in range(n_layers):
        field = 2 * field + 2  # a 4×4 stride-2 convolution
    return field


def _output_side(side, n_layers):
    for _ in range(n_layers):
        side = (side + 2 - 4) // 2 + 1
    return side - 2


def patchgan_discriminator(
    image_shape=(256, 256, 3),
    condition_channels=None,
    base_filters=64,
    n_layers=3,
    norm="instance",
    conditional=True,
    name="patchgan_discriminator",
):
    """Images -> a map of logits [batch, h, w, 1], one per patch.

    Conditional (pix2pix): called on `[condition, images]`, the generator's input and a real or
    generated output, concatenated on channels, so it judges whether the output fits its input.
    Unconditional (CycleGAN): called on `images` alone.

    Layers: Conv -> LeakyReLU(0.2) (no norm on the input layer, as the paper), then Conv -> norm ->
    LeakyReLU(0.2), then a Conv to one logit per patch (linear: the losses take logits).

    Args:
        image_shape: (height, width, channels) of the judged images.
        condition_channels: channels of the condition image (conditional only); those of `image_shape`
            when None.
        base_filters: filters of the first layer (64 in the paper), doubled per layer up to 8×.
        n_layers: stride-2 layers; 3 gives the 70×70 PatchGAN (see `patchgan_receptive_field`).
        norm: "instance" (default), "batch" or "none". Instance and batch statistics span the whole
            image, so with them a logit's value depends on the whole image through the statistics; the
            receptive field of the convolutions is `patchgan_receptive_field(n_layers)`.
        conditional: judge (condition, image) pairs (True) or single images (False).
        name: the model's name.
    """
    image_shape = tuple(int(size) for size in image_shape)
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels); received {image_shape}.")
    if n_layers < 1:
        raise ValueError(f"n_layers must be at least 1; received {n_layers!r}.")
    _normalization.check_norm(norm)
    height, width, channels = image_shape
    if min(_output_side(height, n_layers), _output_side(width, n_layers)) < 1:
        raise ValueError(
            f"image_shape={image_shape} is too small for a PatchGAN of n_layers={n_layers}: each side "
            f"must be at least {3 * 2**n_layers} pixels. Use fewer layers or larger images."
        )

    images = keras.Input(image_shape, name="images")
    if conditional:
        condition = keras.Input(
            (height, width, int(condition_channels or channels)), name="condition"
        )
        inputs = [condition, images]
        x = keras.layers.Concatenate(name="pair")(inputs)
    else:
        inputs = images
        x = images

    def block(x, filters, strides, index):
        normalized = norm != "none" and index > 0
        x = keras.layers.ZeroPadding2D(1, name=f"conv_{index}_pad")(x)
        x = keras.layers.Conv2D(
            filters,
            4,
            strides=strides,
            use_bias=not normalized,
            kernel_initializer=_normalization.weights_init(),
            name=f"conv_{index}",
        )(x)
        if normalized:
            x = _normalization.normalization(norm, f"conv_{index}_norm")(x)
        return keras.layers.LeakyReLU(0.2, name=f"conv_{index}_relu")(x)

    for index in range(n_layers):
        x = block(x, base_filters * min(2**index, 8), 2, index)
    x = block(x, base_filters * min(2**n_layers, 8), 1, n_layers)
    x = keras.layers.ZeroPadding2D(1, name="logits_pad")(x)
    logits = keras.layers.Conv2D(
        1,
        4,
        kernel_initializer=_normalization.weights_init(),
        dtype="float32",  # logits stay float32 under mixed precision
        name="logits",
    )(x)
    return keras.Model(inputs, logits, name=name)
