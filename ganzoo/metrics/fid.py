"""The Fréchet distance between Gaussians fitted to two sets of features (FID, Heusel et al. 2017).

    d² = ‖μ₁ − μ₂‖² + tr(Σ₁) + tr(Σ₂) − 2 tr((Σ₁Σ₂)^½)

Statistics are float64 and accumulate batch by batch (`FeatureStatistics`), so the features of 50,000
samples never need to be in memory at once. The covariance is the unbiased one (`np.cov`, n − 1), as in
the reference implementations (TTUR, pytorch-fid, clean-fid).
"""

import numpy as np
import scipy.linalg

from ganzoo.metrics._common import as_matrix, check_same_width

SQRT_METHODS = ("eigh", "sqrtm")


class FeatureStatistics:
    """Running mean and covariance of feature vectors, in float64, merged batch by batch.

    Each batch's mean and centred scatter matrix are merged with Chan et al.'s parallel update, which
    stays exact where a raw sum of outer products would cancel catastrophically (large means, small
    spreads).

    Example:

    ```python
    stats = FeatureStatistics()
    for batch in batches:
        stats.update(extractor.features(batch))
    stats.mean, stats.covariance
    ```
    """

    def __init__(self):
        self.count = 0
        self._mean = None
        self._scatter = None

    def update(self, features):
        """Adds a batch of features [n, d]; returns self."""
        features = as_matrix(features, "features")
        n = len(features)
        if n == 0:
            return self
        mean = features.mean(axis=0)
        centred = features - mean
        self._merge(n, mean, centred.T @ centred)
        return self

    def merge(self, other):
        """Adds the features another `FeatureStatistics` has seen; returns self."""
        if other.count:
            self._merge(other.count, other._mean, other._scatter)
        return self

    def _merge(self, n, mean, scatter):
        if self.count == 0:
            self.count, self._mean, self._scatter = n, mean.copy(), scatter.copy()
            return
        if mean.shape != self._mean.shape:
            raise ValueError(
                f"features of size {mean.shape[0]} cannot join statistics of size {self._mean.shape[0]}."
            )
        total = self.count + n
        delta = mean - self._mean
        self._mean = self._mean + delta * (n / total)
        self._scatter = self._scatter + scatter + np.outer(delta, delta) * (self.count * n / total)
        self.count = total

    @property
    def dim(self):
        return None if self._mean is None else self._mean.shape[0]

    @property
    def mean(self):
        """float64 [d]."""
        self._require(1)
        return self._mean.copy()

    @property
    def covariance(self):
        """float64 [d, d], unbiased (divided by n − 1) like `np.cov`."""
        self._require(2)
        return self._scatter / (self.count - 1)

    def _require(self, count):
        if self.count < count:
            raise ValueError(f"statistics need at least {count} feature vectors; have {self.count}.")

    def save(self, path):
        """Writes count, mean and covariance to an `.npz` file (e.g. a data set's reference statistics)."""
        np.savez(path, count=self.count, mean=self.mean, covariance=self.covariance)

    @classmethod
    def load(cls, path):
        with np.load(path) as data:
            stats = cls()
            stats.count = int(data["count"])
            stats._mean = np.asarray(data["mean"], np.float64)
            stats._scatter = np.asarray(data["covariance"], np.float64) * max(stats.count - 1, 1)
        return stats

    @classmethod
    def of(cls, features):
        """The statistics of one array of features (or `features` itself if it is statistics already)."""
        return features if isinstance(features, cls) else cls().update(features)


def trace_sqrt_product(sigma1, sigma2, method="eigh", eps=1e-6):
    """tr((Σ₁Σ₂)^½) for symmetric positive semi-definite Σ₁, Σ₂.

    method:
      "eigh": Σ₁Σ₂ has the eigenvalues of the symmetric PSD matrix A Σ₂ A with A = Σ₁^½, so the trace
        is Σ √λᵢ over `eigvalsh(A Σ₂ A)`. Round-off can make eigenvalues of a near-singular covariance
        slightly negative; they are clipped to 0 (their true value). Never complex, and fast.
      "sqrtm": the reference implementations' route (TTUR, pytorch-fid): `scipy.linalg.sqrtm(Σ₁Σ₂)`;
        if that is not finite, retry with `eps`·I added to both covariances; drop the imaginary part
        that round-off leaves, refusing it when the diagonal's imaginary part exceeds 1e-3.
    """
    if method == "eigh":
        values, vectors = np.linalg.eigh(sigma1)
        root1 = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
        product = root1 @ sigma2 @ root1
        eigenvalues = np.linalg.eigvalsh((product + product.T) / 2.0)
        return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))
    if method == "sqrtm":
        root = scipy.linalg.sqrtm(sigma1 @ sigma2)
        if not np.all(np.isfinite(root)):
            offset = np.eye(sigma1.shape[0]) * eps
            root = scipy.linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
        if np.iscomplexobj(root):
            largest = np.max(np.abs(np.diagonal(root).imag))
            if largest > 1e-3:
                raise ValueError(
                    f"the matrix square root has an imaginary component of {largest:.3g}; the "
                    "covariances are too ill-conditioned (use more samples or method='eigh')."
                )
            root = root.real
        return float(np.trace(root))
    raise ValueError(f"method must be one of {SQRT_METHODS}; received {method!r}.")


def frechet_distance_from_moments(mu1, sigma1, mu2, sigma2, method="eigh"):
    """The Fréchet distance between N(μ₁, Σ₁) and N(μ₂, Σ₂), in float64, as a Python float."""
    mu1, mu2 = (np.atleast_1d(np.asarray(m, np.float64)) for m in (mu1, mu2))
    sigma1, sigma2 = (np.atleast_2d(np.asarray(s, np.float64)) for s in (sigma1, sigma2))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != mu1.shape * 2:
        raise ValueError(
            "means and covariances must agree in size; received "
            f"μ₁ {mu1.shape}, Σ₁ {sigma1.shape}, μ₂ {mu2.shape}, Σ₂ {sigma2.shape}."
        )
    diff = mu1 - mu2
    distance = (
        diff @ diff
        + np.trace(sigma1)
        + np.trace(sigma2)
        - 2.0 * trace_sqrt_product(sigma1, sigma2, method=method)
    )
    # The exact value is ≥ 0; round-off on identical statistics can leave -1e-12.
    return float(max(distance, 0.0))


def frechet_distance(features_a, features_b, method="eigh"):
    """FID: the Fréchet distance between Gaussians fitted to two feature sets.

    Args:
        features_a, features_b: [n, d] arrays or tensors (n ≥ 2), or `FeatureStatistics`.
        method: how tr((Σ₁Σ₂)^½) is computed, "eigh" or "sqrtm" (see `trace_sqrt_product`).

    Returns:
        The distance, a Python float (≥ 0; 0 for identical statistics).
    """
    if isinstance(features_a, FeatureStatistics) or isinstance(features_b, FeatureStatistics):
        stats_a, stats_b = FeatureStatistics.of(features_a), FeatureStatistics.of(features_b)
    else:
        a = as_matrix(features_a, "features_a")
        b = as_matrix(features_b, "features_b")
        check_same_width(a, b, "features_a", "features_b")
        stats_a, stats_b = FeatureStatistics().update(a), FeatureStatistics().update(b)
    if stats_a.dim != stats_b.dim:
        raise ValueError(f"feature sizes differ: {stats_a.dim} and {stats_b.dim}.")
    return frechet_distance_from_moments(
        stats_a.mean, stats_a.covariance, stats_b.mean, stats_b.covariance, method=method
    )
