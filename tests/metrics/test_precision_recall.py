"""Improved precision and recall against a brute-force k-NN computation, and on known geometries."""

import importlib

import numpy as np
import pytest
import scipy.spatial

from ganzoo.metrics import IdentityExtractor, ImprovedPrecisionRecall, precision_recall

# The module, not the function `ganzoo.metrics.precision_recall` that shares its name.
pr_lib = importlib.import_module("ganzoo.metrics.precision_recall")


def _brute_force(real, fake, k):
    def radii(points):
        distances = scipy.spatial.distance.cdist(points, points)
        return np.sort(distances, axis=1)[:, k]  # column 0 is the point itself

    def coverage(manifold, queries):
        distances = scipy.spatial.distance.cdist(queries, manifold)
        return np.mean(np.any(distances <= radii(manifold)[None, :], axis=1))

    return coverage(real, fake), coverage(fake, real)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_matches_brute_force(k):
    rng = np.random.default_rng(k)
    real = rng.normal(size=(300, 6))
    fake = rng.normal(size=(250, 6)) * 0.8 + 0.4
    expected = _brute_force(real, fake, k)
    result = precision_recall(real, fake, k=k)
    assert result == pytest.approx(expected)
    assert 0.0 < result.precision < 1.0 and 0.0 < result.recall < 1.0


def test_identical_sets_are_fully_precise_and_recalled():
    real = np.random.default_rng(0).normal(size=(200, 4))
    assert precision_recall(real, real[::-1]) == (1.0, 1.0)


def test_distant_sets_score_zero():
    rng = np.random.default_rng(1)
    assert precision_recall(rng.normal(size=(100, 4)), rng.normal(size=(100, 4)) + 100.0) == (0.0, 0.0)


def test_mode_collapse_keeps_precision_and_loses_recall():
    rng = np.random.default_rng(2)
    centres = np.array([[-10.0, 0.0], [10.0, 0.0]])
    real = centres[rng.integers(0, 2, 1000)] + rng.normal(size=(1000, 2))
    fake = centres[0] + rng.normal(size=(1000, 2))  # only the left mode
    result = precision_recall(real, fake, k=3)
    assert result.precision > 0.9
    assert 0.3 < result.recall < 0.6


def test_blocked_distances_give_the_same_answer(monkeypatch):
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(120, 5)), rng.normal(size=(90, 5)) + 0.3
    whole = precision_recall(real, fake)
    monkeypatch.setattr(pr_lib, "_BLOCK_ELEMENTS", 500)  # blocks of 4 or 5 rows
    assert precision_recall(real, fake) == whole


def test_keras_metric_and_errors():
    rng = np.random.default_rng(4)
    real, fake = rng.normal(size=(200, 3)), rng.normal(size=(200, 3)) + 0.5
    metric = ImprovedPrecisionRecall(IdentityExtractor(), k=3)
    metric.update_state(real[:100], fake[:50])
    metric.update_state(real[100:], fake[50:])
    result = precision_recall(real, fake, k=3)
    assert metric.result() == pytest.approx({"precision": result.precision, "recall": result.recall})
    with pytest.raises(ValueError, match="more than k"):
        precision_recall(real[:3], fake, k=3)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
