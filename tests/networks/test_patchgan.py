"""The PatchGAN discriminator: 70×70 patches, conditional pairs, the normalisation options."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import networks


def _images(n, side, seed=0, channels=3):
    return tf.constant(
        np.random.default_rng(seed).uniform(-1, 1, (n, side, side, channels)).astype(np.float32)
    )


def _field_of_one_logit(discriminator, inputs):
    """Height and width of the input region on which the centre logit depends (non-zero gradient)."""
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        logits = discriminator(inputs if len(inputs) > 1 else inputs[0])
        centre = logits.shape[1] // 2
        logit = logits[0, centre, centre, 0]
    gradients = tape.gradient(logit, inputs)
    sensitivity = sum(np.abs(gradient.numpy()[0]).sum(axis=-1) for gradient in gradients)
    rows, columns = np.nonzero(sensitivity)
    return rows.max() - rows.min() + 1, columns.max() - columns.min() + 1


def test_a_256px_pair_gives_30x30_logits_each_seeing_70x70_pixels():
    discriminator = networks.patchgan_discriminator((256, 256, 3), base_filters=4, norm="none")
    pair = [_images(1, 256, seed=1), _images(1, 256, seed=2)]
    assert discriminator(pair).shape == (1, 30, 30, 1)
    assert _field_of_one_logit(discriminator, pair) == (70, 70)
    assert networks.patchgan_receptive_field(3) == 70


@pytest.mark.parametrize("n_layers", [1, 2])
def test_receptive_field_follows_the_number_of_layers(n_layers):
    discriminator = networks.patchgan_discriminator(
        (128, 128, 3), base_filters=4, n_layers=n_layers, norm="none", conditional=False
    )
    field = networks.patchgan_receptive_field(n_layers)
    assert field == {1: 16, 2: 34}[n_layers]
    assert _field_of_one_logit(discriminator, [_images(1, 128)]) == (field, field)


def test_batch_norm_in_inference_keeps_the_logit_local():
    discriminator = networks.patchgan_discriminator((128, 128, 3), base_filters=4, norm="batch")
    pair = [_images(1, 128, seed=1), _images(1, 128, seed=2)]
    assert _field_of_one_logit(discriminator, pair) == (70, 70)


def test_conditional_judges_the_pair_and_unconditional_one_image():
    conditional = networks.patchgan_discriminator((64, 64, 3), base_filters=4)
    assert [tuple(t.shape) for t in conditional.inputs] == [(None, 64, 64, 3), (None, 64, 64, 3)]
    condition, image = _images(2, 64, seed=1), _images(2, 64, seed=2)
    logits = conditional([condition, image]).numpy()
    # Same image, different condition: a different verdict.
    assert np.abs(conditional([_images(2, 64, seed=3), image]).numpy() - logits).max() > 1e-4
    labels_to_photo = networks.patchgan_discriminator(
        (64, 64, 3), condition_channels=1, base_filters=4
    )
    assert labels_to_photo([_images(1, 64, channels=1), _images(1, 64)]).shape == (1, 6, 6, 1)
    unconditional = networks.patchgan_discriminator((64, 64, 3), base_filters=4, conditional=False)
    assert len(unconditional.inputs) == 1 and unconditional(image).shape == (2, 6, 6, 1)


@pytest.mark.parametrize(
    "norm, kind",
    [("instance", keras.layers.GroupNormalization), ("batch", keras.layers.BatchNormalization)],
)
def test_norms_follow_every_layer_but_the_input_and_output(norm, kind):
    discriminator = networks.patchgan_discriminator((64, 64, 3), base_filters=4, norm=norm)
    convolutions = [l for l in discriminator.layers if isinstance(l, keras.layers.Conv2D)]
    norms = [l for l in discriminator.layers if isinstance(l, kind)]
    assert [l.filters for l in convolutions] == [4, 8, 16, 32, 1]
    assert [l.strides for l in convolutions] == [(2, 2)] * 3 + [(1, 1)] * 2
    assert [l.name for l in norms] == ["conv_1_norm", "conv_2_norm", "conv_3_norm"]
    if norm == "instance":
        assert all(l.groups == l.input.shape[-1] for l in norms)  # one group per channel
    assert [l.use_bias for l in convolutions] == [True, False, False, False, True]
    assert convolutions[-1].activation is keras.activations.linear  # logits
    plain = networks.patchgan_discriminator((64, 64, 3), base_filters=4, norm="none")
    assert not [l for l in plain.layers if "norm" in l.name]


def test_images_too_small_for_the_patches_are_refused():
    with pytest.raises(ValueError, match="at least 24 pixels"):
        networks.patchgan_discriminator((16, 16, 3))
    assert networks.patchgan_discriminator((16, 16, 3), n_layers=2, base_filters=4)(
        [_images(1, 16), _images(1, 16)]
    ).shape == (1, 2, 2, 1)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
