"""Goodfellow et al. 2014, Proposition 1 and Theorem 1, as a test.

For a fixed generator distribution p_g the discriminator that maximises
V(D, G) = E_data[log D(x)] + E_g[log(1 - D(x))] is D*(x) = p_data(x) / (p_data(x) + p_g(x)), and
V(D*, G) = -log 4 + 2 JSD(p_data || p_g). Here p_data and p_g are known 1-D Gaussians, a small Keras MLP
is trained with `ganzoo.losses.minimax_discriminator_loss`, and both statements are checked against the
densities by numerical integration (no Monte Carlo in the comparison).

Samples are stratified (one uniform draw per quantile bin of the seeded generator, pushed through the
inverse CDF), so the empirical distributions match p_data and p_g to within 1/n and what is measured is
the theory and the loss, not sampling noise.
"""

import collections
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy import integrate, special, stats

from ganzoo import losses

SEED = 0
N_SAMPLES = 2000  # per distribution, full batch
STEPS = 2000
LEARNING_RATE = 3e-2

# Measured max |sigmoid(D(x)) - D*(x)| on the grid, seeds 0-5: <= 0.0027 (equal variances) and <= 0.0089
# (unequal); the controls: untrained net 0.54-0.58, swapped labels 0.97, linear D on the quadratic case 0.33.
D_TOLERANCE = 0.02
# Measured |V(D, G) - (-log 4 + 2 JSD)|, seeds 0-5: <= 1.2e-4; untrained net 0.44-0.54.
V_TOLERANCE = 5e-4

Case = collections.namedtuple("Case", ["name", "data_mean", "data_std", "g_mean", "g_std", "grid"])

CASES = [
    # Equal variances: log D*/(1 - D*) = 1.125 - 1.5 x, linear in x; D* runs from 0.98 to 0.02 on the grid.
    Case("equal_variance", 0.0, 1.0, 1.5, 1.0, (-2.0, 3.5)),
    # Unequal variances: log-odds = x²/0.72 - x/0.36 + 1/0.72 - x²/2 + log 0.6, quadratic; D* is not monotone
    # (0.999 at x = -1.5, minimum 0.22 at x = 1.56, back to 0.375 at x = 2.5).
    Case("unequal_variance", 0.0, 1.0, 1.0, 0.6, (-1.5, 2.5)),
]


def _log_densities(case, x):
    return (
        stats.norm.logpdf(x, case.data_mean, case.data_std),
        stats.norm.logpdf(x, case.g_mean, case.g_std),
    )


def _optimal_logits(case, x):
    """log D*/(1 - D*) = log p_data - log p_g."""
    log_data, log_g = _log_densities(case, x)
    return log_data - log_g


def _stratified_sample(rng, mean, std, n):
    u = (np.arange(n) + rng.uniform(size=n)) / n
    return stats.norm.ppf(u, mean, std).reshape(n, 1).astype("float32")


def _train_discriminator(case, seed, hidden=(32,), steps=STEPS, swap_labels=False):
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    real = tf.constant(_stratified_sample(rng, case.data_mean, case.data_std, N_SAMPLES))
    fake = tf.constant(_stratified_sample(rng, case.g_mean, case.g_std, N_SAMPLES))
    if swap_labels:
        real, fake = fake, real
    discriminator = keras.Sequential(
        [keras.Input((1,))]
        + [keras.layers.Dense(units, activation="tanh") for units in hidden]
        + [keras.layers.Dense(1)]
    )
    if steps == 0:
        return discriminator
    optimizer = keras.optimizers.Adam(
        keras.optimizers.schedules.CosineDecay(LEARNING_RATE, steps, alpha=0.01)
    )
    variables = discriminator.trainable_variables

    @tf.function
    def train(num_steps):
        for _ in tf.range(num_steps):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(
                    losses.minimax_discriminator_loss(discriminator(real), discriminator(fake))
                )
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    train(tf.constant(steps))
    return discriminator


def _logits_fn(discriminator):
    def logits(x):
        x = np.asarray(x, dtype="float32").reshape(-1, 1)
        return discriminator(x, training=False).numpy()[:, 0].astype(np.float64)

    return logits


def _max_error_to_optimum(case, logits_fn):
    x = np.linspace(*case.grid, 221)
    return np.max(np.abs(special.expit(logits_fn(x)) - special.expit(_optimal_logits(case, x))))


def _value_integrand(case, x, logits):
    """p_data log D + p_g log(1 - D), with log D = -softplus(-l) and log(1 - D) = -softplus(l)."""
    log_data, log_g = _log_densities(case, x)
    return -np.exp(log_data) * np.logaddexp(0.0, -logits) - np.exp(log_g) * np.logaddexp(0.0, logits)


def _value_on_grid(case, logits_fn):
    """V(D, G) by Simpson's rule on a fine grid that holds all but ~1e-25 of both densities' mass."""
    x = np.linspace(-12.0, 14.0, 26001)
    return integrate.simpson(_value_integrand(case, x, logits_fn(x)), x=x)


def _value_at_optimum_by_quad(case):
    integrand = lambda x: _value_integrand(case, x, _optimal_logits(case, x))
    return integrate.quad(integrand, -np.inf, np.inf, epsabs=1e-12, epsrel=1e-12, limit=200)[0]


def _jsd(case):
    """JSD = H((p_data + p_g)/2) - (H(p_data) + H(p_g))/2, Gaussian entropies in closed form."""

    def neg_m_log_m(x):
        log_data, log_g = _log_densities(case, x)
        log_m = np.logaddexp(log_data, log_g) - math.log(2.0)
        return -np.exp(log_m) * log_m

    mixture_entropy = integrate.quad(
        neg_m_log_m, -np.inf, np.inf, epsabs=1e-12, epsrel=1e-12, limit=200
    )[0]
    gaussian_entropy = lambda std: 0.5 * math.log(2.0 * math.pi * math.e * std**2)
    return mixture_entropy - 0.5 * (gaussian_entropy(case.data_std) + gaussian_entropy(case.g_std))


def _theoretical_value(case):
    return -math.log(4.0) + 2.0 * _jsd(case)


@pytest.fixture(scope="module", params=CASES, ids=[case.name for case in CASES])
def trained(request):
    case = request.param
    return case, _train_discriminator(case, SEED)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_value_at_analytic_optimum_is_minus_log4_plus_2jsd(case):
    jsd = _jsd(case)
    assert 0.0 < jsd < math.log(2.0)
    target = _theoretical_value(case)
    optimal_logits = lambda x: _optimal_logits(case, x)
    np.testing.assert_allclose(_value_at_optimum_by_quad(case), target, rtol=0, atol=1e-6)
    np.testing.assert_allclose(_value_on_grid(case, optimal_logits), target, rtol=0, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_value_of_equal_distributions_is_minus_log4(case):
    same = case._replace(g_mean=case.data_mean, g_std=case.data_std)
    np.testing.assert_allclose(_jsd(same), 0.0, atol=1e-9)
    np.testing.assert_allclose(_value_at_optimum_by_quad(same), -math.log(4.0), rtol=0, atol=1e-9)


def test_learned_discriminator_matches_optimal(trained):
    case, discriminator = trained
    assert _max_error_to_optimum(case, _logits_fn(discriminator)) < D_TOLERANCE


def test_value_at_learned_discriminator_matches_jsd(trained):
    case, discriminator = trained
    value = _value_on_grid(case, _logits_fn(discriminator))
    target = _theoretical_value(case)
    # D* maximises V pointwise, so no discriminator can beat it, trained or not.
    assert value <= target + 1e-6
    assert abs(value - target) < V_TOLERANCE


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_untrained_discriminator_fails_the_checks(case):
    discriminator = _train_discriminator(case, SEED, steps=0)
    assert _max_error_to_optimum(case, _logits_fn(discriminator)) > 10 * D_TOLERANCE
    value = _value_on_grid(case, _logits_fn(discriminator))
    assert value <= _theoretical_value(case) + 1e-6
    assert abs(value - _theoretical_value(case)) > 10 * V_TOLERANCE


def test_swapped_labels_fail_the_check():
    case = CASES[0]
    discriminator = _train_discriminator(case, SEED, swap_labels=True)
    assert _max_error_to_optimum(case, _logits_fn(discriminator)) > 10 * D_TOLERANCE


def test_linear_discriminator_cannot_fit_quadratic_log_odds():
    case = CASES[1]
    discriminator = _train_discriminator(case, SEED, hidden=())
    assert _max_error_to_optimum(case, _logits_fn(discriminator)) > 10 * D_TOLERANCE


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
