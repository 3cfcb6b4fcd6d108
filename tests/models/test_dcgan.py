"""DCGAN: the paper's architecture, and learning on real digits."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import digit_judge
import ganzoo
from ganzoo import networks


@pytest.mark.parametrize("side", [16, 32, 64, 128])
@pytest.mark.parametrize("channels", [1, 3])
def test_networks_build_every_supported_size(side, channels):
    generator = networks.dcgan_generator(16, (side, side, channels), base_filters=4)
    discriminator = networks.dcgan_discriminator((side, side, channels), base_filters=4)
    images = generator(tf.zeros((2, 16)))
    assert images.shape == (2, side, side, channels) and images.dtype == tf.float32
    assert discriminator(images).shape == (2, 1)


def test_architecture_follows_the_paper():
    generator = networks.dcgan_generator(100, (32, 32, 3))
    discriminator = networks.dcgan_discriminator((32, 32, 3))
    for net in (generator, discriminator):
        kinds = {type(layer).__name__ for layer in net.layers}
        assert not kinds & {"MaxPooling2D", "AveragePooling2D", "UpSampling2D"}, kinds
    # G: BatchNorm after every layer but the output; ReLU hidden; tanh output.
    g_convs = [l for l in generator.layers if isinstance(l, keras.layers.Conv2DTranspose)]
    assert all(l.strides == (2, 2) for l in g_convs)
    assert g_convs[-1].activation is keras.activations.tanh
    g_norms = [l for l in generator.layers if isinstance(l, keras.layers.BatchNormalization)]
    assert len(g_norms) == len(g_convs)  # the projection and each hidden up-convolution
    assert isinstance(generator.layers[generator.layers.index(g_convs[-1]) - 1], keras.layers.ReLU)
    # D: strided convolutions, no BatchNorm on the input layer, LeakyReLU(0.2), one logit.
    d_convs = [l for l in discriminator.layers if isinstance(l, keras.layers.Conv2D)]
    assert all(l.strides == (2, 2) for l in d_convs)
    following_first = discriminator.layers[discriminator.layers.index(d_convs[0]) + 1]
    assert isinstance(following_first, keras.layers.LeakyReLU)
    assert following_first.negative_slope == pytest.approx(0.2)
    d_norms = [l for l in discriminator.layers if isinstance(l, keras.layers.BatchNormalization)]
    assert len(d_norms) == len(d_convs) - 1
    assert discriminator.layers[-1].activation is keras.activations.linear


@pytest.mark.parametrize(
    "image_shape, message",
    [
        ((28, 28, 1), "square images of side"),
        ((32, 16, 1), "square images of side"),
        ((32, 32, 2), "1 or 3 channels"),
        ((32, 32), r"\(height, width, channels\)"),
    ],
)
def test_unsupported_image_shapes_are_refused_with_the_shape(image_shape, message):
    with pytest.raises(ValueError, match=message):
        ganzoo.models.DCGAN(image_shape)


def test_default_optimizers_are_the_papers():
    gan = ganzoo.models.DCGAN((16, 16, 1), base_filters=4)
    gan.compile()
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert float(optimizer.learning_rate) == pytest.approx(2e-4)
        assert optimizer.beta_1 == pytest.approx(0.5)
    assert gan.game.name == "non_saturating"


def _confident_classes(classifier, samples, threshold=0.9):
    probabilities = tf.nn.softmax(classifier(samples)).numpy()
    confident = probabilities.max(axis=1) > threshold
    return confident.mean(), np.bincount(probabilities.argmax(axis=1)[confident], minlength=10)


def test_dcgan_learns_digits_every_class_legible():
    keras.utils.set_random_seed(0)
    classifier = digit_judge.digit_classifier(16)
    gan = ganzoo.models.DCGAN((16, 16, 1), latent_dim=32, base_filters=16, seed=1)
    gan.compile()

    untrained_rate, _ = _confident_classes(classifier, gan.generate(500, seed=5))
    gan.fit(ganzoo.data.digits(image_size=16, batch_size=64, seed=0), epochs=24, verbose=0)
    rate, per_class = _confident_classes(classifier, gan.generate(500, seed=5))

    # Measured: untrained 0%; after 24 epochs about 50% of samples are confidently one digit, with every
    # digit present (real held-out digits: about 90%).
    assert untrained_rate < 0.05
    assert rate >= 0.30, (rate, per_class)
    assert np.all(per_class >= 3), f"some digits are never generated confidently: {per_class}"


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
