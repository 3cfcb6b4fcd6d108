"""A DCGAN-shaped convolutional critic with a choice of normalisation, spectral norm and packing.

The DCGAN discriminator (`ganzoo.networks.dcgan_discriminator`) keeps the paper's BatchNorm; a
Wasserstein critic with a gradient penalty must not normalise over the batch (the penalty is per
sample), spectral normalisation replaces normalisation altogether, and PacGAN's discriminator takes m
images stacked on the channel axis. Architecture only: strided 4×4 convolutions, LeakyReLU(0.2), weights
from N(0, 0.02), one unbounded logit.
"""

import keras

from ganzoo.layers import SpectralNormalization
from ganzoo.networks import dcgan

NORMALIZATIONS = (None, "batch", "layer")


def _init():
    return keras.initializers.RandomNormal(stddev=0.02)


def maybe_spectral(layer, spectral_norm):
    """`layer` wrapped in `ganzoo.layers.SpectralNormalization` when `spectral_norm`."""
    return SpectralNormalization(layer, name=f"{layer.name}_sn") if spectral_norm else layer


def _normalization(kind, name, synchronized_bn=False):
    if kind == "batch":
        return keras.layers.BatchNormalization(synchronized=synchronized_bn, name=name)
    if kind == "layer":  # over height, width and channels of each sample, as WGAN-GP suggests
        return keras.layers.LayerNormalization(axis=[1, 2, 3], name=name)
    raise ValueError(f"normalization must be one of {NORMALIZATIONS}; received {kind!r}.")


def conv_features(x, downsamplings, base_filters, normalization, spectral_norm, synchronized_bn=False):
    """The DCGAN discriminator's trunk: strided convolutions down to 4×4, flattened."""
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}; received {normalization!r}.")
    for index in range(downsamplings):
        normalized = index > 0 and normalization is not None  # never on the input layer
        conv = keras.layers.Conv2D(
            base_filters * 2**index,
            4,
            strides=2,
            padding="same",
            use_bias=not normalized,
            kernel_initializer=_init(),
            name=f"down_{index}",
        )
        x = maybe_spectral(conv, spectral_norm)(x)
        if normalized:
            x = _normalization(normalization, f"down_{index}_norm", synchronized_bn)(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    return keras.layers.Flatten()(x)


def dcgan_critic(
    image_shape,
    base_filters=64,
    normalization=None,
    spectral_norm=False,
    pack=1,
    synchronized_bn=False,
    name="dcgan_critic",
):
    """images [batch, H, W, pack·C] -> one unbounded logit per (packed) image.

    The score has no bias: it cancels in the Wasserstein loss D(G(z)) − D(x) and so never learns.

    Args:
        image_shape: (side, side, channels) of ONE image, side 16, 32, 64 or 128, channels 1 or 3.
        base_filters: filters of the first layer; each later layer doubles them.
        normalization: None (WGAN-GP without normalisation, or with spectral norm), "layer" (WGAN-GP's
            suggestion) or "batch" (the DCGAN and WGAN papers).
        spectral_norm: wrap every convolution and the output layer in `SpectralNormalization`.
        pack: images per judgement (PacGAN); the input has pack·C channels.
        synchronized_bn: BatchNorm over the global batch under `tf.distribute`.
    """
    downsamplings = dcgan._check_image_shape(tuple(image_shape))
    height, width, channels = image_shape
    images = keras.Input((height, width, pack * channels), name="images")
    features = conv_features(
        images, downsamplings, base_filters, normalization, spectral_norm, synchronized_bn
    )
    dense = keras.layers.Dense(
        1, use_bias=False, kernel_initializer=_init(), dtype="float32", name="logits"
    )
    logits = maybe_spectral(dense, spectral_norm)(features)
    return keras.Model(images, logits, name=name)
