"""The pix2pix U-Net: the paper's U-Net-256, its depth at other sizes, and its normalisation."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import layers, networks


def _images(n, side, seed=0, channels=3):
    return tf.constant(
        np.random.default_rng(seed).uniform(-1, 1, (n, side, side, channels)).astype(np.float32)
    )


def _of_type(model, kind):
    return [layer for layer in model.layers if type(layer) is kind]


def test_unet_256_is_the_papers_encoder_decoder():
    generator = networks.unet_generator((256, 256, 3))
    down = _of_type(generator, keras.layers.Conv2D)
    up = _of_type(generator, keras.layers.Conv2DTranspose)
    # Encoder C64-C128-C256-C512-C512-C512-C512-C512; decoder mirrors it, then 3 channels and tanh.
    assert [layer.filters for layer in down] == [64, 128, 256, 512, 512, 512, 512, 512]
    assert [layer.filters for layer in up] == [512, 512, 512, 512, 256, 128, 64, 3]
    assert all(l.kernel_size == (4, 4) and l.strides == (2, 2) for l in down + up)
    assert up[-1].activation is keras.activations.tanh
    assert generator.get_layer("down_7").output.shape == (None, 1, 1, 512)  # the 1×1 bottleneck
    # LeakyReLU(0.2) after every down block, ReLU in every hidden up block.
    leaky = _of_type(generator, keras.layers.LeakyReLU)
    assert len(leaky) == 8 and all(l.negative_slope == pytest.approx(0.2) for l in leaky)
    assert len(_of_type(generator, keras.layers.ReLU)) == 7
    # Dropout 0.5 in the first three up blocks only, seeded (see ganzoo.layers.SeededDropout).
    dropouts = _of_type(generator, layers.SeededDropout)
    assert [l.name for l in dropouts] == ["up_6_dropout", "up_5_dropout", "up_4_dropout"]
    assert all(l.rate == 0.5 for l in dropouts)
    assert generator.count_params() == 54_414_534  # the reference U-Net-256: 54.4 M parameters


def test_each_up_block_is_concatenated_with_the_down_block_of_its_resolution():
    generator = networks.unet_generator((64, 64, 3), base_filters=8)
    skips = _of_type(generator, keras.layers.Concatenate)
    assert len(skips) == 5
    for index in range(5):
        layer = generator.get_layer(f"skip_{index}")
        sources = {tensor._keras_history[0].name for tensor in layer.input}
        assert sources == {f"up_{index}_relu", f"down_{index}_relu"}
        side = 64 // 2 ** (index + 1)
        assert layer.output.shape == (None, side, side, 2 * min(8 * 2**index, 64))


@pytest.mark.parametrize("side, blocks", [(16, 4), (32, 5), (64, 6), (128, 7), (256, 8)])
def test_depth_adapts_to_the_image_size_down_to_a_1x1_bottleneck(side, blocks):
    generator = networks.unet_generator((side, side, 3), base_filters=4)
    assert len(_of_type(generator, keras.layers.Conv2D)) == blocks
    assert len(_of_type(generator, keras.layers.Conv2DTranspose)) == blocks
    assert generator.get_layer(f"down_{blocks - 1}").output.shape[1:3] == (1, 1)
    assert generator(_images(1, side)).shape == (1, side, side, 3)


def test_no_norm_on_the_first_block_nor_at_the_bottleneck():
    generator = networks.unet_generator((64, 64, 3), base_filters=8)
    names = {layer.name for layer in _of_type(generator, keras.layers.GroupNormalization)}
    assert names == {f"down_{i}_norm" for i in range(1, 5)} | {f"up_{i}_norm" for i in range(5)}
    norms = _of_type(generator, keras.layers.GroupNormalization)
    assert all(l.groups == l.input.shape[-1] for l in norms)  # one group per channel
    # Why not at the bottleneck: instance-normalising a 1×1 map erases it (each value is its mean).
    norm = keras.layers.GroupNormalization(groups=-1, center=False, scale=False)
    assert np.abs(norm(_images(2, 1, channels=8)).numpy()).max() == 0.0


def test_instance_norm_serves_exactly_as_it_trains_for_any_batch():
    generator = networks.unet_generator((32, 32, 3), base_filters=8, dropout=0.0, norm="instance")
    images = _images(4, 32)
    trained_way = generator(images, training=True).numpy()
    served_alone = np.concatenate([generator(images[i : i + 1]).numpy() for i in range(4)])
    np.testing.assert_allclose(trained_way, served_alone, atol=1e-5)
    # BatchNorm does not: batch statistics in training, moving averages in inference.
    batch = networks.unet_generator((32, 32, 3), base_filters=8, dropout=0.0, norm="batch")
    assert np.abs(batch(images, training=True).numpy() - batch(images).numpy()).max() > 1e-2


def test_dropout_is_on_in_training_only_and_repeats_from_its_seed():
    def make():
        return networks.unet_generator((32, 32, 3), base_filters=8, seed=7)

    generator = make()
    images = _images(2, 32)
    np.testing.assert_array_equal(generator(images).numpy(), generator(images).numpy())
    first, second = generator(images, training=True).numpy(), generator(images, training=True).numpy()
    assert np.abs(first - second).max() > 1e-3  # a new mask at each training call
    twin = make()
    twin.set_weights(generator.get_weights())
    for layer in _of_type(twin, layers.SeededDropout):
        layer.draws.assign(0)
    np.testing.assert_array_equal(twin(images, training=True).numpy(), first)


@pytest.mark.parametrize(
    "image_shape, message",
    [
        ((48, 48, 3), "power of two"),
        ((64, 32, 3), "square"),
        ((2, 2, 3), "at least 4"),
        ((64, 64), r"\(height, width, channels\)"),
    ],
)
def test_unsupported_shapes_are_refused_with_the_shape(image_shape, message):
    with pytest.raises(ValueError, match=message):
        networks.unet_generator(image_shape)


def test_unknown_norm_is_refused():
    with pytest.raises(ValueError, match="norm must be one of"):
        networks.unet_generator((32, 32, 3), norm="layer")


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
