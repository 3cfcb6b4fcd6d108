"""KID: the unbiased MMD² estimator, checked against a direct double sum, and its lack of bias."""

import numpy as np
import pytest
import tensorflow as tf

from ganzoo.metrics import IdentityExtractor, KernelInceptionDistance, kernel_inception_distance
from ganzoo.metrics import kid as kid_lib


def _direct_mmd2(x, y):
    """The estimator of Bińkowski et al. (eq. 3) written as explicit sums over index pairs."""
    d = x.shape[1]

    def k(a, b):
        return (a @ b / d + 1.0) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2.0 * xy


def test_one_full_subset_equals_the_direct_double_sum():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 5)), rng.normal(size=(12, 5)) + 0.5
    result = kernel_inception_distance(x, y, subsets=1, subset_size=12)
    # A subset of all 12 rows is a permutation of them: the estimate does not depend on the order.
    assert result.mean == pytest.approx(_direct_mmd2(x, y), rel=1e-10)
    assert result.std == 0.0


def test_unbiased_same_distribution_is_zero_within_noise():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16))
    result = kernel_inception_distance(x, y, subsets=100, subset_size=200)
    # Subsets overlap, so the standard error lies between std/√100 and std; within noise of 0.
    assert abs(result.mean) < result.std, result
    # The biased estimator (diagonal terms kept) on the same subsets is clearly positive: the test
    # above would fail for it.
    biased = []
    draw = np.random.default_rng(0)
    for _ in range(100):
        a = x[draw.choice(2000, 200, replace=False)]
        b = y[draw.choice(2000, 200, replace=False)]
        k = kid_lib.polynomial_kernel
        biased.append(k(a, a).mean() + k(b, b).mean() - 2 * k(a, b).mean())
    assert np.mean(biased) > 5 * result.std


def test_different_distributions_score_far_above_their_spread():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(1000, 16)), rng.normal(size=(1000, 16)) * 1.3 + 0.3
    result = kernel_inception_distance(x, y, subsets=50, subset_size=200)
    assert result.mean > 5 * result.std > 0


def test_seeded_floats_and_tensors():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(300, 8)), rng.normal(size=(300, 8)) + 1.0
    first = kernel_inception_distance(x, y, subsets=10, subset_size=100, seed=7)
    again = kernel_inception_distance(tf.constant(x), tf.constant(y), subsets=10, subset_size=100, seed=7)
    assert first == again
    assert type(first.mean) is float and type(first.std) is float and float(first) == first.mean
    mean, std = first  # unpacks as (mean, std)
    assert kernel_inception_distance(x, y, subsets=10, subset_size=100, seed=8) != first


def test_subset_size_is_capped_by_the_smaller_set():
    rng = np.random.default_rng(4)
    result = kernel_inception_distance(rng.normal(size=(30, 4)), rng.normal(size=(50, 4)), subsets=3)
    assert np.isfinite(result.mean)
    with pytest.raises(ValueError, match="at least 2"):
        kernel_inception_distance(np.zeros((1, 4)), np.zeros((5, 4)))


def test_keras_metric_reports_mean_and_std():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(400, 8)), rng.normal(size=(400, 8)) + 0.5
    metric = KernelInceptionDistance(IdentityExtractor(), subsets=20, subset_size=100)
    for start in range(0, 400, 128):
        metric.update_state(x[start : start + 128], y[start : start + 128])
    expected = kernel_inception_distance(x, y, subsets=20, subset_size=100)
    # The metric keeps features as float32.
    assert metric.result() == {
        "kid": pytest.approx(expected.mean, rel=1e-6),
        "kid_std": pytest.approx(expected.std, rel=1e-6),
    }
    assert "20 random subsets of 100" in metric.protocol()["method"]


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
