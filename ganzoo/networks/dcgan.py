"""The DCGAN generator and discriminator (Radford et al. 2016).

Paper-faithful: no pooling (strided convolutions down, transposed convolutions up), BatchNorm everywhere
but the generator's output and the discriminator's input, ReLU in G, LeakyReLU(0.2) in D, tanh output,
weights drawn from N(0, 0.02).
"""

import math

import keras

from ganzoo.layers import SpectralNormalization

_SMALLEST_SIDE = 4  # G starts from, and D ends at, a 4×4 feature map, as in the paper.
_SUPPORTED_SIDES = (16, 32, 64, 128)


def _check_image_shape(image_shape):
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels); received {image_shape}.")
    height, width, channels = image_shape
    if height != width or height not in _SUPPORTED_SIDES:
        raise ValueError(
            f"DCGAN builds square images of side {_SUPPORTED_SIDES}; received image_shape={image_shape}."
        )
    if channels not in (1, 3):
        raise ValueError(f"DCGAN images have 1 or 3 channels; received image_shape={image_shape}.")
    return int(math.log2(height // _SMALLEST_SIDE))


def _init():
    return keras.initializers.RandomNormal(stddev=0.02)


def _batch_norm(synchronized, name):
    return keras.layers.BatchNormalization(synchronized=synchronized, name=name)


def dcgan_generator(
    latent_dim, image_shape, base_filters=64, synchronized_bn=False, name="dcgan_generator"
):
    """z [batch, latent_dim] -> images [batch, H, W, C] in [-1, 1].

    Args:
        latent_dim: size of the noise vector.
        image_shape: (side, side, channels), side in 16, 32, 64, 128 and channels 1 or 3.
        base_filters: filters of the last hidden layer; each earlier layer doubles them.
        synchronized_bn: BatchNorm statistics over the global batch under `tf.distribute` (slower, but N
            replicas then normalise exactly as one device does).
    """
    upsamplings = _check_image_shape(image_shape)
    top_filters = base_filters * 2 ** (upsamplings - 1)
    z = keras.Input((latent_dim,), name="z")
    x = keras.layers.Dense(
        _SMALLEST_SIDE * _SMALLEST_SIDE * top_filters,
        use_bias=False,
        kernel_initializer=_init(),
        name="project",
    )(z)
    x = keras.layers.Reshape((_SMALLEST_SIDE, _SMALLEST_SIDE, top_filters))(x)
    x = _batch_norm(synchronized_bn, "project_bn")(x)
    x = keras.layers.ReLU()(x)
    for index in range(upsamplings - 1):
        x = keras.layers.Conv2DTranspose(
            top_filters // 2 ** (index + 1),
            4,
            strides=2,
            padding="same",
            use_bias=False,
            kernel_initializer=_init(),
            name=f"up_{index}",
        )(x)
        x = _batch_norm(synchronized_bn, f"up_{index}_bn")(x)
        x = keras.layers.ReLU()(x)
    images = keras.layers.Conv2DTranspose(
        image_shape[-1],
        4,
        strides=2,
        padding="same",
        activation="tanh",
        kernel_initializer=_init(),
        dtype="float32",  # the output stays float32 under mixed precision
        name="images",
    )(x)
    return keras.Model(z, images, name=name)


def dcgan_discriminator(
    image_shape,
    base_filters=64,
    synchronized_bn=False,
    pack=1,
    spectral_norm=False,
    name="dcgan_discriminator",
):
    """images [batch, H, W, pack·C] -> one logit per image (or per pack of images).

    Args:
        image_shape: (side, side, channels) of ONE image, side in 16, 32, 64, 128 and channels 1 or 3.
        base_filters: filters of the first layer; each later layer doubles them.
        synchronized_bn: see `dcgan_generator`.
        pack: images per judgement (PacGAN), concatenated on the channel axis as `GAN.pack_samples`
            does.
        spectral_norm: wrap every convolution and the output in `ganzoo.layers.SpectralNormalization`
            and drop the BatchNorm layers, as the SN-GAN paper's DCGAN discriminator does (Miyato et al.
            2018): the per-layer Lipschitz bound is what the normalisation buys there.
    """
    downsamplings = _check_image_shape(image_shape)
    if int(pack) < 1:
        raise ValueError(f"pack must be a positive integer; received {pack}.")
    height, width, channels = image_shape

    def normalized(layer):
        return SpectralNormalization(layer, name=f"{layer.name}_sn") if spectral_norm else layer

    images = keras.Input((height, width, channels * int(pack)), name="images")
    x = images
    for index in range(downsamplings):
        x = normalized(
            keras.layers.Conv2D(
                base_filters * 2**index,
                4,
                strides=2,
                padding="same",
                use_bias=index == 0 or spectral_norm,
                kernel_initializer=_init(),
                name=f"down_{index}",
            )
        )(x)
        if index > 0 and not spectral_norm:  # no BatchNorm on the discriminator's input layer
            x = _batch_norm(synchronized_bn, f"down_{index}_bn")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Flatten()(x)
    logits = normalized(
        keras.layers.Dense(1, kernel_initializer=_init(), dtype="float32", name="logits")
    )(x)
    return keras.Model(images, logits, name=name)
