"""The normalisation choice shared by the image networks (U-Net, PatchGAN, AdvGAN, StarGAN), and the
convolution-then-normalisation (then ReLU) and residual blocks they build with."""

import keras

NORMS = ("instance", "batch", "none")


def check_norm(norm):
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}; received {norm!r}.")
    return norm


def normalization(norm, name):
    """A fresh normalisation layer, or None for `norm="none"`.

    `instance` is `GroupNormalization(groups=-1)`: one group per channel, statistics per image, so a
    network normalises identically in training and serving and for any batch size (epsilon 1e-5 as in
    the pix2pix and CycleGAN reference code). `batch` is Keras's BatchNormalization: batch statistics in
    training, moving averages in inference.
    """
    check_norm(norm)
    if norm == "instance":
        return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)
    if norm == "batch":
        return keras.layers.BatchNormalization(name=name)
    return None


def weights_init():
    """N(0, 0.02), the pix2pix paper's initialisation."""
    return keras.initializers.RandomNormal(stddev=0.02)


def conv_norm(x, filters, kernel, strides, norm, name, transpose=False):
    """A "same"-padded convolution (transposed when `transpose`), then the `norm` normalisation.

    The convolution has a bias only without normalisation (a normalisation's offset replaces it) and
    N(0, 0.02) weights; the layers are named `name` and `name`_norm. No activation: callers add theirs.
    """
    layer = keras.layers.Conv2DTranspose if transpose else keras.layers.Conv2D
    x = layer(
        filters,
        kernel,
        strides=strides,
        padding="same",
        use_bias=norm == "none",
        kernel_initializer=weights_init(),
        name=name,
    )(x)
    normalization_layer = normalization(norm, f"{name}_norm")
    return x if normalization_layer is None else normalization_layer(x)


def conv_norm_relu(x, filters, kernel, strides, norm, name, transpose=False):
    """`conv_norm`, then a ReLU named `<name>_relu`."""
    x = conv_norm(x, filters, kernel, strides, norm, name, transpose=transpose)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def residual_block(x, filters, norm, name):
    """x + conv_norm(ReLU(conv_norm(x))), two 3×3 "same" convolutions (the ResNet block of AdvGAN's and
    StarGAN's generators; CycleGAN's pads by reflection instead, `ganzoo.networks.resnet`)."""
    y = conv_norm_relu(x, filters, 3, 1, norm, f"{name}_a")
    y = conv_norm(y, filters, 3, 1, norm, f"{name}_b")
    return keras.layers.Add(name=f"{name}_add")([x, y])
