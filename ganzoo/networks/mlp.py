"""Multilayer perceptrons for flat data (the 2-D mixtures, 1-D toy densities)."""

import keras

from ganzoo.layers import SpectralNormalization


def mlp_generator(latent_dim, output_dim, hidden_units=(128, 128, 128), name="mlp_generator"):
    """z [batch, latent_dim] -> samples [batch, output_dim], ReLU hidden layers, linear output.

    Args:
        latent_dim: size of the noise vector.
        output_dim: size of a sample (2 for the 2-D mixtures).
        hidden_units: width of each hidden layer.
    """
    z = keras.Input((latent_dim,), name="z")
    x = z
    for index, units in enumerate(hidden_units):
        x = keras.layers.Dense(units, activation="relu", name=f"dense_{index}")(x)
    # float32 output under mixed precision: the losses and the discriminator see full-precision samples.
    samples = keras.layers.Dense(output_dim, dtype="float32", name="samples")(x)
    return keras.Model(z, samples, name=name)


def mlp_discriminator(
    input_dim,
    hidden_units=(128, 128, 128),
    spectral_norm=False,
    pack=1,
    name="mlp_discriminator",
):
    """samples [batch, pack·input_dim] -> one logit per sample (or per pack), ReLU hidden layers.

    Args:
        input_dim: size of a sample. For a PacGAN discriminator, either pass m·input_dim with pack=1
            (the paper's: one dense network on the concatenation) or input_dim with pack=m.
        hidden_units: width of each hidden layer.
        spectral_norm: wrap every Dense in `ganzoo.layers.SpectralNormalization` (Miyato et al. 2018).
        pack: samples per judgement whose first hidden layer is applied to each sample with SHARED
            weights before the rest sees the m feature vectors concatenated. Measured on the 25-mode
            grid (benchmarks/RESULTS.md): packing 4 on the plain concatenation spreads its samples
            between the modes (under 1 mode captured); with this first layer it captures 15 of 25 at
            batch 256 and all 25 at batch 512 (tests/models/test_options.py).
    """

    def dense(units, activation, name, dtype=None):
        layer = keras.layers.Dense(units, activation=activation, dtype=dtype, name=name)
        return SpectralNormalization(layer, dtype=dtype, name=f"{name}_sn") if spectral_norm else layer

    samples = keras.Input((pack * input_dim,), name="samples")
    x = samples
    for index, units in enumerate(hidden_units):
        if index == 0 and pack > 1:
            x = keras.layers.Reshape((pack, input_dim))(x)
            x = dense(units, "relu", f"dense_{index}")(x)  # the same weights for each sample
            x = keras.layers.Reshape((pack * units,))(x)
            continue
        x = dense(units, "relu", f"dense_{index}")(x)
    logits = dense(1, None, "logits", dtype="float32")(x)  # float32 under mixed precision
    return keras.Model(samples, logits, name=name)
