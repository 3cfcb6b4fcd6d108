"""Multilayer perceptrons for flat data (the 2-D mixtures, 1-D toy densities)."""

import keras


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
    samples = keras.layers.Dense(output_dim, name="samples")(x)
    return keras.Model(z, samples, name=name)


def mlp_discriminator(input_dim, hidden_units=(128, 128, 128), name="mlp_discriminator"):
    """samples [batch, input_dim] -> one logit per sample, ReLU hidden layers.

    Args:
        input_dim: size of a sample.
        hidden_units: width of each hidden layer.
    """
    samples = keras.Input((input_dim,), name="samples")
    x = samples
    for index, units in enumerate(hidden_units):
        x = keras.layers.Dense(units, activation="relu", name=f"dense_{index}")(x)
    logits = keras.layers.Dense(1, name="logits")(x)
    return keras.Model(samples, logits, name=name)
