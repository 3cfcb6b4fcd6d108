"""AdvGAN's networks (Xiao et al. 2018): a perturbation generator and a small image discriminator.

The generator follows the paper's appendix, itself CycleGAN's image transformer at a smaller scale: a
stride-1 convolution, two stride-2 down-sampling convolutions, residual blocks, two transposed
convolutions back up and a convolution to the image's channels, instance normalisation and ReLU between
them. Its output is `max_perturbation · tanh(·)`, a perturbation bounded per pixel. The discriminator is a
few stride-2 convolutions with LeakyReLU(0.2) ending in one logit per image.

Instance normalisation (the paper's) keeps both networks independent of the batch, so serving, training
and N replicas normalise alike.
"""

import keras

from ganzoo.networks import _normalization


def _check_image_shape(image_shape, downsamplings):
    if len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels); received {image_shape}.")
    height, width, _ = image_shape
    factor = 2**downsamplings
    if height % factor or width % factor:
        raise ValueError(
            f"height and width must be multiples of {factor} ({downsamplings} stride-2 layers); "
            f"received image_shape={tuple(image_shape)}."
        )


def advgan_generator(
    image_shape,
    base_filters=16,
    downsamplings=2,
    residual_blocks=2,
    max_perturbation=1.0,
    norm="instance",
    name="advgan_generator",
):
    """images [batch, H, W, C] -> perturbations [batch, H, W, C] in [-max_perturbation, max_perturbation].

    Args:
        image_shape: (height, width, channels); height and width multiples of 2**downsamplings.
        base_filters: filters of the first layer, doubled at each down-sampling (8 in the paper's
            MNIST generator, whose appendix lists c8-d16-d32-r32×4-u16-u8-c3).
        downsamplings: stride-2 layers down (and transposed ones up).
        residual_blocks: residual blocks at the lowest resolution.
        max_perturbation: the bound of each pixel's perturbation: the output is this times a tanh.
        norm: "instance" (default, the paper's), "batch" or "none".
        name: the model's name.
    """
    _normalization.check_norm(norm)
    _check_image_shape(image_shape, downsamplings)
    if not float(max_perturbation) > 0.0:
        raise ValueError(f"max_perturbation must be positive; received {max_perturbation}.")
    images = keras.Input(tuple(image_shape), name="images")
    x = _normalization.conv_norm_relu(images, base_filters, 3, 1, norm, "in")
    for index in range(downsamplings):
        x = _normalization.conv_norm_relu(
            x, base_filters * 2 ** (index + 1), 3, 2, norm, f"down_{index}"
        )
    for index in range(residual_blocks):
        x = _normalization.residual_block(
            x, base_filters * 2**downsamplings, norm, f"residual_{index}"
        )
    for index in reversed(range(downsamplings)):
        x = _normalization.conv_norm_relu(
            x, base_filters * 2**index, 3, 2, norm, f"up_{index}", transpose=True
        )
    x = keras.layers.Conv2D(
        image_shape[-1],
        3,
        padding="same",
        activation="tanh",
        kernel_initializer=_normalization.weights_init(),
        dtype="float32",  # the perturbation stays float32 under mixed precision
        name="tanh",
    )(x)
    perturbations = keras.layers.Rescaling(float(max_perturbation), dtype="float32", name="perturbations")(x)
    return keras.Model(images, perturbations, name=name)


def advgan_discriminator(
    image_shape, base_filters=16, n_layers=2, norm="instance", name="advgan_discriminator"
):
    """images [batch, H, W, C] -> one logit per image.

    `n_layers` stride-2 4×4 convolutions (no normalisation on the first, as in pix2pix and DCGAN),
    LeakyReLU(0.2), then a dense layer to the logit.

    Args:
        image_shape: (height, width, channels); height and width multiples of 2**n_layers.
        base_filters: filters of the first layer, doubled at each later one.
        n_layers: stride-2 layers.
        norm: "instance" (default), "batch" or "none", after every convolution but the first.
        name: the model's name.
    """
    _normalization.check_norm(norm)
    _check_image_shape(image_shape, n_layers)
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    for index in range(n_layers):
        x = keras.layers.Conv2D(
            base_filters * 2**index,
            4,
            strides=2,
            padding="same",
            use_bias=index == 0 or norm == "none",
            kernel_initializer=_normalization.weights_init(),
            name=f"down_{index}",
        )(x)
        normalization = _normalization.normalization(norm, f"down_{index}_norm") if index else None
        if normalization is not None:
            x = normalization(x)
        x = keras.layers.LeakyReLU(0.2, name=f"down_{index}_lrelu")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    logits = keras.layers.Dense(
        1, kernel_initializer=_normalization.weights_init(), dtype="float32", name="logits"
    )(x)
    return keras.Model(images, logits, name=name)


def convnet_classifier(image_shape, classes=10, base_filters=32, name="convnet_classifier"):
    """images [batch, H, W, C] -> class logits [batch, classes]: a small target for the attacks.

    Conv 3×3 -> ReLU, then two stride-2 Conv 3×3 -> ReLU (doubling the filters), global average
    a dense layer to the logits. No BatchNorm or dropout: the same function in training and
    inference, which keeps what an attack sees simple.

    Args:
        image_shape: (height, width, channels).
        classes: number of classes.
        base_filters: filters of the first layer.
        name: the model's name.
    """
    images = keras.Input(tuple(image_shape), name="images")
    x = keras.layers.Conv2D(base_filters, 3, padding="same", activation="relu", name="conv_0")(images)
    x = keras.layers.Conv2D(
        2 * base_filters, 3, strides=2, padding="same", activation="relu", name="conv_1"
    )(x)
    x = keras.layers.Conv2D(
        4 * base_filters, 3, strides=2, padding="same", activation="relu", name="conv_2"
    )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    logits = keras.layers.Dense(classes, dtype="float32", name="logits")(x)
    return keras.Model(images, logits, name=name)
