"""ganzoo.networks.resnet_generator: the CycleGAN paper's ResNet generator."""

import keras
import numpy as np
import pytest

from ganzoo import layers, networks


def _count(model, kind):
    return sum(isinstance(layer, kind) for layer in model.layers)


@pytest.mark.parametrize("side, blocks", [(256, 9), (128, 6), (64, 6)])
def test_the_paper_residual_blocks_by_default(side, blocks):
    assert networks.default_residual_blocks(side) == blocks


def test_the_paper_layout_c7s1_d_d_r_u_u_c7s1():
    model = networks.resnet_generator((64, 64, 3), base_filters=8, residual_blocks=2)
    convs = [
        layer for layer in model.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose))
    ]
    shapes = [(type(c).__name__, c.kernel_size, c.strides, c.filters) for c in convs]
    assert shapes == [
        ("Conv2D", (7, 7), (1, 1), 8),
        ("Conv2D", (3, 3), (2, 2), 16),
        ("Conv2D", (3, 3), (2, 2), 32),
        *[("Conv2D", (3, 3), (1, 1), 32)] * 4,
        ("Conv2DTranspose", (3, 3), (2, 2), 16),
        ("Conv2DTranspose", (3, 3), (2, 2), 8),
        ("Conv2D", (7, 7), (1, 1), 3),
    ]
    assert _count(model, keras.layers.Add) == 2
    assert _count(model, layers.ReflectionPadding2D) == 2 + 2 * 2  # both 7x7 and every residual conv
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.GroupNormalization)]
    assert len(norms) == len(convs) - 1  # instance norm: one group per channel
    assert all(norm.groups in (-1, norm.input.shape[-1]) for norm in norms)
    assert model.get_layer("output").output.shape[1:3] == (64, 64)


def test_outputs_are_in_tanh_range_and_instance_normalised_per_image():
    model = networks.resnet_generator((32, 32, 3), base_filters=4, residual_blocks=1)
    images = np.random.default_rng(0).uniform(-1, 1, (3, 32, 32, 3)).astype(np.float32)
    outputs = np.asarray(model(images))
    assert outputs.shape == (3, 32, 32, 3) and np.abs(outputs).max() <= 1
    # Instance normalisation: an image's output does not depend on the rest of the batch.
    np.testing.assert_allclose(np.asarray(model(images[:1])), outputs[:1], atol=1e-5)


def test_reflection_padding_mirrors_without_repeating_the_border():
    image = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    padded = np.asarray(layers.ReflectionPadding2D(1)(image))[0, :, :, 0]
    np.testing.assert_array_equal(padded[0], [4, 3, 4, 5, 4])
    np.testing.assert_array_equal(padded[:, 0], [4, 1, 4, 7, 4])


def test_the_generator_reloads_in_safe_mode(tmp_path):
    model = networks.resnet_generator((16, 16, 3), base_filters=4, residual_blocks=1)
    path = str(tmp_path / "g.keras")
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    images = np.random.default_rng(1).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(restored(images)), np.asarray(model(images)))


def test_bad_shapes_are_refused_with_what_was_received():
    with pytest.raises(ValueError, match=r"multiples of 4.*received image_shape=\(30, 30, 3\)"):
        networks.resnet_generator((30, 30, 3))


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
