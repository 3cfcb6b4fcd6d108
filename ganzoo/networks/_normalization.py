"""The normalisation choice shared by the image-to-image networks (U-Net, PatchGAN)."""

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
