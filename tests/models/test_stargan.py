"""StarGAN learns the colour-domain digits: the requested ink colour is reached, the digit is kept.

The data (`ganzoo.data.colour_digits`) are scikit-learn's real digits in three single-label domains, red,
green or blue ink on black, each digit in one domain only (unpaired). Two classifiers trained here on the
real transformed train split judge the translations of the held-out split: one of ink colour (the domain
reached) and one of digits (the content kept).
"""

import json
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo

SIDE = 32
# The paper's classification error of StarGAN's translations on RaFD (Table 3): 2.12 %.
PAPER_RAFD_ERROR = 0.0212


def _classifier(classes, images, labels, epochs, seed=0):
    keras.utils.set_random_seed(seed)
    classifier = ganzoo.networks.convnet_classifier((SIDE, SIDE, 3), classes=classes, base_filters=16)
    classifier.compile(
        keras.optimizers.Adam(2e-3),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    classifier.fit(images, labels, epochs=epochs, batch_size=32, verbose=0)
    return classifier


def _predict(classifier, images):
    return np.argmax(np.asarray(classifier(images, training=False)), axis=-1)


@pytest.fixture(scope="module")
def trained():
    """(model, held-out (images, domains, digits), domain classifier, digit classifier, seconds)."""
    train_images, train_domains, train_digits = ganzoo.data.colour_digits_arrays(SIDE, "train")
    test = ganzoo.data.colour_digits_arrays(SIDE, "test")
    domain_classifier = _classifier(3, train_images, train_domains, epochs=2)
    digit_classifier = _classifier(10, train_images, train_digits, epochs=20)

    keras.utils.set_random_seed(0)
    # The paper's losses, weights, Adam betas and n_critic = 5, and its discriminator's 2×2 map of patch
    # scores (4 stride-2 layers at 32 px, 6 at 128); smaller networks (16 / 32 filters, two residual
    # blocks) and a learning rate of 5e-4 instead of 1e-4, so that it learns in two CPU minutes.
    stargan = ganzoo.models.StarGAN(
        (SIDE, SIDE, 3), n_domains=3, domain_type="single", g_base_filters=16, d_base_filters=32,
        residual_blocks=2, d_layers=4, n_critic=5, seed=0,
    )
    stargan.compile(
        d_optimizer=keras.optimizers.Adam(5e-4, beta_1=0.5, beta_2=0.999),
        g_optimizer=keras.optimizers.Adam(5e-4, beta_1=0.5, beta_2=0.999),
    )
    data = ganzoo.data.colour_digits(SIDE, batch_size=16 * 5, split="train", seed=0, repeat=True)
    start = time.perf_counter()
    stargan.fit(data, steps_per_epoch=GENERATOR_STEPS, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    return stargan, test, domain_classifier, digit_classifier, seconds


GENERATOR_STEPS = 300


def _rates(trained):
    stargan, (images, domains, digits), domain_classifier, digit_classifier, seconds = trained
    targets = (domains + 1) % 3  # every held-out digit to another ink colour
    outputs = np.asarray(stargan.translate(images, targets))
    return {
        "domain_rate": float(np.mean(_predict(domain_classifier, outputs) == targets)),
        "digit_rate": float(np.mean(_predict(digit_classifier, outputs) == digits)),
        "real_digit_rate": float(np.mean(_predict(digit_classifier, images) == digits)),
        "identity_l1": float(np.mean(np.abs(np.asarray(stargan.translate(images, domains)) - images))),
        "changed_l1": float(np.mean(np.abs(outputs - images))),
        "train_seconds": seconds,
        "held_out": int(len(images)),
    }


def test_translations_reach_the_requested_domain(trained):
    rates = _rates(trained)
    print(json.dumps(rates))
    # Measured: 1.000 of 364 held-out translations (error 0 %; the paper's RaFD error is 2.12 %).
    assert rates["domain_rate"] > 0.9, rates
    assert rates["real_digit_rate"] > 0.85, rates


# Measured 2026-11-24 (held-out split, 364 digits; a digit classifier at 0.9+ on the real ones):
# - this fixture (32 px, D of 4 layers, lr 5e-4, n_critic 5, 300 generator steps, ~120 s of process CPU):
#   digit rate 0.91 / 0.89 / 0.90 for seeds 0 / 1 / 2 (0.84 after 100 steps, 0.90-0.91 after 400; 0.91
#   after 600 for seed 0); per source colour 0.88-0.93, and 0.88-0.93 for the other target colour too;
#   domain rate 1.00; identity L1 0.04; 0.92 of the real held-out digits are recognised.
# - at 16 px (any D depth, n_critic 1-5, lr 1e-4-1e-3, up to 1,500 generator steps) the rate stayed at
#   0.01-0.62: one or more pairs of colours learned a cycle-consistent RE-LABELLING of the digits
#   (G(x, c) draws another digit that G(·, c') maps back, a solution the paper's losses allow), per
#   direction 0.83-0.92 against 0.00-0.04. CycleGAN's identity term (λ 5, not in the paper) made it
#   worse (0.30). At 32 px the generator keeps the digit at lr 5e-4; at lr 1e-3 it is unstable (seed 0:
#   0.89, 0.16, 0.90 after 200, 400, 600 steps; seed 1: 0.88, 0.90, 0.07). The paper uses 1e-4.
def test_translations_keep_the_digit(trained):
    rates = _rates(trained)
    assert rates["digit_rate"] > 0.8, rates


def test_only_the_domain_input_changes_the_output(trained):
    stargan, (images, domains, _), *_ = trained
    images = images[:32]
    red, blue = (np.asarray(stargan.translate(images, np.full(32, d, np.int32))) for d in (0, 2))
    assert np.mean(np.abs(red - blue)) > 0.05
    # Red ink lands in the red channel, blue ink in the blue one.
    assert red[..., 0].mean() > red[..., 2].mean() + 0.1
    assert blue[..., 2].mean() > blue[..., 0].mean() + 0.1


def test_a_zero_change_request_returns_an_image_close_to_the_input(trained):
    rates = _rates(trained)
    assert rates["identity_l1"] < 0.1, rates  # measured 0.04 ([-1, 1] pixels); 0.40 to another domain
    assert rates["identity_l1"] < 0.5 * rates["changed_l1"], rates


def test_single_and_multi_label_classification_losses():
    single = ganzoo.models.StarGAN((16, 16, 3), 3, "single", 4, 4, 1, d_layers=2, seed=0)
    logits = tf.constant([[2.0, 0.0, -1.0]])
    expected = -np.log(np.exp(2.0) / (np.exp(2.0) + 1.0 + np.exp(-1.0)))
    np.testing.assert_allclose(
        single.classification_loss(logits, single.domain_vectors(tf.constant([0]))), [expected], rtol=1e-5
    )
    multi = ganzoo.models.StarGAN((16, 16, 3), 3, "multi", 4, 4, 1, d_layers=2, seed=0)
    expected = np.log1p(np.exp(-2.0)) + np.log1p(np.exp(0.0)) + np.log1p(np.exp(-1.0))
    np.testing.assert_allclose(
        multi.classification_loss(logits, tf.constant([[1.0, 0.0, 0.0]])), [expected], rtol=1e-5
    )
    # Targets: single-label one-hot; multi-label each attribute flipped with probability 1/2.
    original = tf.zeros([4000, 3])
    single_targets = np.asarray(single.random_targets(5, original))
    assert np.all(single_targets.sum(axis=1) == 1)
    np.testing.assert_allclose(single_targets.mean(axis=0), [1 / 3] * 3, atol=0.03)
    multi_targets = np.asarray(multi.random_targets(5, tf.ones([4000, 3])))
    np.testing.assert_allclose(multi_targets.mean(axis=0), [0.5] * 3, atol=0.03)
    with pytest.raises(ValueError, match="attribute vectors"):
        multi.domain_vectors(tf.constant([0, 1]))


def test_learning_rate_is_constant_then_decays_linearly_to_zero_and_reloads():
    schedule = ganzoo.schedules.ConstantThenLinearDecay(1e-4, total_steps=200)
    rates = [float(schedule(step)) for step in (0, 99, 100, 150, 200, 300)]
    np.testing.assert_allclose(rates, [1e-4, 1e-4, 1e-4, 0.5e-4, 0.0, 0.0], rtol=1e-6, atol=1e-12)
    optimizer = keras.optimizers.Adam(schedule, 0.5, 0.999)
    clone = keras.saving.deserialize_keras_object(
        json.loads(json.dumps(keras.saving.serialize_keras_object(optimizer)))
    )
    assert isinstance(clone._learning_rate, ganzoo.schedules.ConstantThenLinearDecay)
    assert clone._learning_rate.get_config() == schedule.get_config()
    with pytest.raises(ValueError, match="decay_start"):
        ganzoo.schedules.ConstantThenLinearDecay(1e-4, total_steps=10, decay_start=20)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
