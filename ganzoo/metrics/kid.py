"""Kernel inception distance (KID, Bińkowski et al. 2018): an unbiased estimate of the squared MMD.

The kernel is the paper's cubic polynomial k(x, y) = (xᵀy / d + 1)³. For each of `subsets` random
subsets of `subset_size` features from each set (drawn without replacement within a subset), the
unbiased estimator

    MMD²ᵤ = Σ_{i≠j} k(xᵢ, xⱼ) / m(m−1) + Σ_{i≠j} k(yᵢ, yⱼ) / m(m−1) − 2 Σ_{i,j} k(xᵢ, yⱼ) / m²

is computed; KID is its mean over subsets, reported with the standard deviation over subsets (as
torch-fidelity and clean-fid do). Unlike FID it has no bias: two samples of one distribution score 0 in
expectation, at any sample size.
"""

import numpy as np

from ganzoo.metrics._common import MeanStd, as_matrix, check_same_width


def polynomial_kernel(x, y, degree=3, gamma=None, coef0=1.0):
    """(γ xᵀy + c)^degree with γ = 1/d by default."""
    gamma = 1.0 / x.shape[1] if gamma is None else gamma
    return (gamma * (x @ y.T) + coef0) ** degree


def mmd2_unbiased(x, y, kernel=polynomial_kernel):
    """The unbiased estimate of MMD² between samples x [m, d] and y [n, d] (m, n ≥ 2)."""
    m, n = len(x), len(y)
    k_xx, k_yy, k_xy = kernel(x, x), kernel(y, y), kernel(x, y)
    return float(
        (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
        + (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
        - 2.0 * k_xy.mean()
    )


def kernel_inception_distance(
    features_a,
    features_b,
    subsets=100,
    subset_size=1000,
    degree=3,
    gamma=None,
    coef0=1.0,
    seed=0,
):
    """KID between two feature sets: mean and standard deviation of MMD²ᵤ over random subsets.

    Args:
        features_a, features_b: [n, d] arrays or tensors.
        subsets: number of random subsets (100 in the reference implementations).
        subset_size: features drawn from each set per subset (1000 in the references), capped at the
            smaller set's size.
        degree, gamma, coef0: the polynomial kernel (γ = 1/d when None).
        seed: seed of the subset draws; the same seed gives the same figures.

    Returns:
        `MeanStd(mean, std)` of Python floats; `float(result)` is the mean.
    """
    a = as_matrix(features_a, "features_a")
    b = as_matrix(features_b, "features_b")
    check_same_width(a, b, "features_a", "features_b")
    if subsets < 1:
        raise ValueError(f"subsets must be at least 1; received {subsets}.")
    size = min(int(subset_size), len(a), len(b))
    if size < 2:
        raise ValueError(
            f"KID needs at least 2 features per set; received {len(a)} and {len(b)} "
            f"(subset_size={subset_size})."
        )
    rng = np.random.default_rng(seed)

    def kernel(x, y):
        return polynomial_kernel(x, y, degree=degree, gamma=gamma, coef0=coef0)

    estimates = np.array(
        [
            mmd2_unbiased(
                a[rng.choice(len(a), size, replace=False)],
                b[rng.choice(len(b), size, replace=False)],
                kernel,
            )
            for _ in range(subsets)
        ]
    )
    return MeanStd(float(estimates.mean()), float(estimates.std()))
