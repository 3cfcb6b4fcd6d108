"""The Fréchet distance against a direct float64 numpy/scipy computation, and its closed forms."""

import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf

from ganzoo.metrics import (
    FeatureStatistics,
    FrechetInceptionDistance,
    IdentityExtractor,
    frechet_distance,
    frechet_distance_from_moments,
)


def _gaussian_features(seed, n, d, shift=0.0):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    return rng.normal(size=(n, d)) @ mixing + shift


def _reference_fid(a, b):
    """The TTUR / pytorch-fid computation, written out in float64."""
    mu1, mu2 = a.mean(axis=0), b.mean(axis=0)
    sigma1, sigma2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(sigma1 @ sigma2)
    return float(
        np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(root.real)
    )


@pytest.mark.parametrize("method", ["eigh", "sqrtm"])
def test_matches_direct_scipy_computation(method):
    a = _gaussian_features(0, 600, 48)
    b = _gaussian_features(1, 500, 48, shift=0.3) * 1.5
    expected = _reference_fid(a, b)
    assert expected > 1.0
    assert frechet_distance(a, b, method=method) == pytest.approx(expected, rel=1e-6)


def test_identical_statistics_give_zero():
    a = _gaussian_features(2, 300, 32)
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)
    # The same statistics from the same samples in another order.
    assert frechet_distance(a, a[::-1]) == pytest.approx(0.0, abs=1e-9)


def test_mean_shift_gives_the_closed_form_and_grows():
    a = _gaussian_features(3, 400, 16)
    direction = np.random.default_rng(4).normal(size=16)
    distances = []
    for scale in [0.0, 0.5, 1.0, 2.0, 4.0]:
        shift = scale * direction
        # A constant shift leaves the covariance exactly the same: d² = ‖μ₁ − μ₂‖².
        distance = frechet_distance(a, a + shift)
        assert distance == pytest.approx(float(shift @ shift), rel=1e-6, abs=1e-9)
        distances.append(distance)
    assert all(later > earlier for earlier, later in zip(distances, distances[1:]))


def test_moments_closed_form_for_diagonal_covariances():
    # For commuting covariances tr((Σ₁Σ₂)^½) = Σ √(s1ᵢ s2ᵢ): d² = ‖μ₁−μ₂‖² + Σ (√s1ᵢ − √s2ᵢ)².
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 9.0])
    mu1, mu2 = np.zeros(3), np.array([1.0, 2.0, 0.0])
    expected = 5.0 + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    assert frechet_distance_from_moments(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected)


def test_near_singular_covariances_stay_finite_and_agree_with_the_reference():
    # Fewer samples than dimensions: both covariances are singular, as with few samples of 2048-d
    # Inception features. The eigen route clips round-off negatives; sqrtm needs its eps fallback.
    a = _gaussian_features(5, 40, 64)
    b = _gaussian_features(6, 50, 64, shift=0.2)
    eigh = frechet_distance(a, b, method="eigh")
    assert np.isfinite(eigh) and eigh > 0
    assert eigh == pytest.approx(frechet_distance(a, b, method="sqrtm"), rel=1e-4)


def test_streaming_statistics_equal_numpy_in_float64():
    a = _gaussian_features(7, 1000, 24) * 0.01 + 1e4  # a large mean over a small spread
    stats = FeatureStatistics()
    for start in range(0, len(a), 137):  # uneven batches
        stats.update(a[start : start + 137].astype(np.float64))
    np.testing.assert_allclose(stats.mean, a.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stats.covariance, np.cov(a, rowvar=False), rtol=1e-7, atol=1e-12)
    assert stats.count == 1000

    merged = FeatureStatistics().update(a[:300]).merge(FeatureStatistics().update(a[300:]))
    np.testing.assert_allclose(merged.covariance, stats.covariance, rtol=1e-9, atol=1e-13)


def test_statistics_save_and_load(tmp_path):
    a = _gaussian_features(8, 200, 8)
    stats = FeatureStatistics().update(a)
    stats.save(tmp_path / "reference.npz")
    loaded = FeatureStatistics.load(tmp_path / "reference.npz")
    b = _gaussian_features(9, 200, 8, shift=1.0)
    assert frechet_distance(loaded, b) == pytest.approx(frechet_distance(a, b), rel=1e-12)


def test_tensors_in_python_float_out():
    a = _gaussian_features(10, 100, 8)
    b = _gaussian_features(11, 100, 8, shift=0.5)
    result = frechet_distance(tf.constant(a, tf.float32), tf.constant(b, tf.float32))
    assert type(result) is float
    assert result == pytest.approx(frechet_distance(a, b), rel=1e-5)


def test_keras_metric_streams_batches_to_the_same_figure():
    a = _gaussian_features(12, 300, 8)
    b = _gaussian_features(13, 250, 8, shift=0.5)
    metric = FrechetInceptionDistance(IdentityExtractor())
    for start in range(0, 300, 100):
        metric.update_state(a[start : start + 100], b[start : start + 100])
    assert metric.result()["fid"] == pytest.approx(frechet_distance(a, b), rel=1e-9)
    assert metric.protocol()["real_samples"] == 300 and metric.protocol()["generated_samples"] == 250
    metric.reset_state()
    with pytest.raises(ValueError, match="at least"):
        metric.result()


def test_reference_statistics_survive_reset():
    a = _gaussian_features(14, 200, 4)
    b = _gaussian_features(15, 200, 4, shift=2.0)
    metric = FrechetInceptionDistance(IdentityExtractor())
    metric.set_reference(FeatureStatistics().update(a))
    metric.update_state(None, b)
    first = metric.result()["fid"]
    metric.reset_state()
    metric.update_state(None, b)
    assert metric.result()["fid"] == pytest.approx(first) == pytest.approx(frechet_distance(a, b))


def test_bad_inputs_are_refused_with_their_shapes():
    with pytest.raises(ValueError, match=r"2-D"):
        frechet_distance(np.zeros(10), np.zeros((10, 1)))
    with pytest.raises(ValueError, match=r"same feature size"):
        frechet_distance(np.zeros((10, 3)), np.zeros((10, 4)))
    with pytest.raises(ValueError, match="non-finite"):
        frechet_distance(np.full((10, 3), np.nan), np.zeros((10, 3)))
    with pytest.raises(ValueError, match="method"):
        frechet_distance(np.eye(3), np.eye(3), method="svd")


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
