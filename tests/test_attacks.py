"""FGSM and PGD: the budget holds for every sample, the range is kept, and they fool a real classifier."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from digit_classifier import accuracy, train_digit_classifier
from ganzoo import attacks

# float32 rounding of x + δ − x: the norms are exact up to this, in pixel units.
ROUNDING = 1e-6
RANGE = dict(clip_min=-1.0, clip_max=1.0)  # ganzoo's digits are in [-1, 1]


@pytest.fixture(scope="module")
def digits():
    classifier, _, (images, labels) = train_digit_classifier()
    return classifier, images, labels


def _linear_classifier(weights, bias):
    """logits = flatten(x)·W + b, W [64, classes]."""
    model = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(weights.shape[1])]
    )
    model.layers[-1].set_weights([weights, bias])
    return model


def _norms(adversarial, images, norm):
    difference = np.asarray(adversarial, np.float64) - np.asarray(images, np.float64)
    flat = difference.reshape(len(difference), -1)
    return np.abs(flat).max(axis=1) if norm == "inf" else np.sqrt((flat**2).sum(axis=1))


@pytest.mark.parametrize("norm, epsilon", [("inf", 0.1), ("2", 1.5)])
@pytest.mark.parametrize("targeted", [False, True])
def test_every_perturbation_is_within_budget_and_range(digits, norm, epsilon, targeted):
    classifier, images, labels = digits
    images, labels = images[:96], labels[:96]
    if targeted:
        labels = (labels + 1) % 10
    for adversarial in (
        attacks.fgsm(classifier, images, labels, epsilon, norm=norm, targeted=targeted, **RANGE),
        attacks.pgd(classifier, images, labels, epsilon, norm=norm, steps=10, targeted=targeted,
                    seed=0, **RANGE),
        # a step far larger than the ball: every step lands outside it and is projected back
        attacks.pgd(classifier, images, labels, epsilon, norm=norm, steps=5, step_size=10 * epsilon,
                    targeted=targeted, seed=1, **RANGE),
    ):
        adversarial = np.asarray(adversarial)
        assert adversarial.dtype == np.float32 and adversarial.shape == images.shape
        norms = _norms(adversarial, images, norm)
        assert norms.max() <= epsilon + ROUNDING, norms.max()
        assert norms.max() >= 0.9 * epsilon  # the budget is used, not merely respected
        assert adversarial.min() >= -1.0 and adversarial.max() <= 1.0


def test_default_range_is_zero_one_and_saturated_pixels_stay_in_it():
    rng = np.random.default_rng(0)
    images = rng.choice([0.0, 1.0, 0.5], size=(32, 8, 8, 1)).astype(np.float32)  # many pixels at a bound
    classifier = _linear_classifier(rng.normal(size=(64, 10)).astype(np.float32), np.zeros(10, np.float32))
    labels = rng.integers(0, 10, 32)
    for norm, epsilon in (("inf", 0.3), ("2", 2.0)):
        for adversarial in (
            attacks.fgsm(classifier, images, labels, epsilon, norm=norm),
            attacks.pgd(classifier, images, labels, epsilon, norm=norm, steps=5, seed=0),
        ):
            adversarial = np.asarray(adversarial)
            assert adversarial.min() >= 0.0 and adversarial.max() <= 1.0
            assert _norms(adversarial, images, norm).max() <= epsilon + ROUNDING


def test_fgsm_on_a_linear_classifier_is_the_closed_form():
    """Two classes, label 0: ∇ₓCE = p₁·(w₁ − w₀), so L∞ FGSM is x + ε·sign(w₁ − w₀) and L2 FGSM is
    x + ε·(w₁ − w₀)/‖w₁ − w₀‖; targeted at class 1 it descends CE(1), the same direction."""
    rng = np.random.default_rng(1)
    weights = rng.normal(size=(64, 2)).astype(np.float32)
    classifier = _linear_classifier(weights, np.array([0.3, -0.2], np.float32))
    images = rng.uniform(0.4, 0.6, size=(5, 8, 8, 1)).astype(np.float32)  # far from the range's ends
    direction = (weights[:, 1] - weights[:, 0]).reshape(8, 8, 1)
    zeros, ones = np.zeros(5, np.int32), np.ones(5, np.int32)

    expected = images + 0.05 * np.sign(direction)
    np.testing.assert_allclose(attacks.fgsm(classifier, images, zeros, 0.05), expected, atol=1e-6)
    np.testing.assert_allclose(
        attacks.fgsm(classifier, images, ones, 0.05, targeted=True), expected, atol=1e-6
    )
    expected = images + 0.8 * direction / np.linalg.norm(direction)
    np.testing.assert_allclose(attacks.fgsm(classifier, images, zeros, 0.8, norm="2"), expected, atol=1e-6)


def test_pgd_fools_more_than_fgsm_on_real_digits_and_leaves_the_classifier_alone(digits):
    classifier, images, labels = digits
    weights = [np.array(w) for w in classifier.weights]
    clean = accuracy(classifier, images, labels)
    correct = np.argmax(np.asarray(classifier(images)), axis=-1) == labels
    rates = {}
    for norm, epsilon in (("2", 2.5), ("inf", 0.2)):
        fgsm = attacks.fgsm(classifier, images, labels, epsilon, norm=norm, **RANGE)
        pgd = attacks.pgd(classifier, images, labels, epsilon, norm=norm, steps=20, seed=0, **RANGE)
        rates[norm] = (
            attacks.success_rate(classifier, fgsm, labels, mask=correct),
            attacks.success_rate(classifier, pgd, labels, mask=correct),
        )
    for norm, (fgsm_rate, pgd_rate) in rates.items():
        assert pgd_rate >= fgsm_rate, rates
    assert rates["2"][1] >= 0.75, rates  # a modest L2 budget fools most held-out digits
    assert accuracy(classifier, images, labels) == clean
    for before, after in zip(weights, classifier.weights):
        np.testing.assert_array_equal(before, np.array(after))


def test_targeted_pgd_reaches_the_chosen_class(digits):
    classifier, images, labels = digits
    images, targets = images[:128], (labels[:128] + 3) % 10
    pgd = attacks.pgd(classifier, images, targets, 0.3, norm="inf", steps=20, targeted=True, seed=0, **RANGE)
    fgsm = attacks.fgsm(classifier, images, targets, 0.3, norm="inf", targeted=True, **RANGE)
    pgd_rate = attacks.success_rate(classifier, pgd, targets, targeted=True)
    fgsm_rate = attacks.success_rate(classifier, fgsm, targets, targeted=True)
    assert attacks.success_rate(classifier, images, targets, targeted=True) <= 0.05
    assert pgd_rate >= 0.6 and pgd_rate > fgsm_rate, (pgd_rate, fgsm_rate)


def test_random_start_pgd_is_reproducible_with_a_seed(digits):
    classifier, images, labels = digits
    images, labels = images[:32], labels[:32]
    run = lambda seed: np.asarray(  # noqa: E731
        attacks.pgd(classifier, images, labels, 1.0, norm="2", steps=3, seed=seed, **RANGE)
    )
    np.testing.assert_array_equal(run(5), run(5))
    assert not np.array_equal(run(5), run(6))
    start = np.asarray(attacks.random_start(images, 1.0, "2", seed=5, **RANGE))
    assert not np.array_equal(start, np.asarray(attacks.random_start(images, 1.0, "2", seed=6, **RANGE)))


def test_l2_random_start_is_uniform_in_the_ball():
    """Uniform in a d-ball: P(‖δ‖ ≤ r) = (r/ε)^d, so the median radius is ε·2^(-1/d); the directions are
    isotropic, so the mean perturbation is near 0. Centred images: no clipping."""
    images = np.zeros((4000, 2, 2, 1), np.float32)  # d = 4
    start = np.asarray(attacks.random_start(images, 0.5, "2", seed=0, clip_min=-1.0, clip_max=1.0))
    radii = _norms(start, images, "2")
    assert radii.max() <= 0.5 + ROUNDING
    assert np.median(radii) == pytest.approx(0.5 * 2 ** (-1 / 4), abs=0.01)
    assert np.mean((radii / 0.5) ** 4 <= 0.25) == pytest.approx(0.25, abs=0.03)
    np.testing.assert_allclose(start.reshape(-1, 4).mean(axis=0), 0.0, atol=0.02)
    start = np.asarray(attacks.random_start(images, 0.5, "inf", seed=0, clip_min=-1.0, clip_max=1.0))
    assert np.abs(start).max() <= 0.5 and np.abs(start).mean() == pytest.approx(0.25, abs=0.01)


def test_bad_arguments_are_refused_with_what_was_received(digits):
    classifier, images, labels = digits
    with pytest.raises(ValueError, match="'1'"):
        attacks.fgsm(classifier, images[:2], labels[:2], 0.1, norm="1", **RANGE)
    with pytest.raises(ValueError, match="-0.1"):
        attacks.pgd(classifier, images[:2], labels[:2], -0.1, **RANGE)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[clip_min, clip_max\] = \[0.0, 1.0\]"):
        attacks.fgsm(classifier, images[:2], labels[:2], 0.1)  # [-1, 1] digits, default [0, 1] range


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
