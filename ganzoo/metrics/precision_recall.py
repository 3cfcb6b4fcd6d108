"""Improved precision and recall (Kynkäänniemi et al. 2019) from k-nearest-neighbour manifolds.

Each set of features estimates its manifold as the union of balls around its points, each ball's radius
the distance to the point's k-th nearest neighbour in its own set (the point itself not counted).
Precision: the share of generated features inside the real manifold (are the samples realistic?).
Recall: the share of real features inside the generated manifold (is the data's variety covered?).
Distances are Euclidean, computed in row blocks so that 50,000 × 50,000 never sits in memory.
"""

from typing import NamedTuple

import numpy as np

from ganzoo.metrics._common import as_matrix, check_same_width

_BLOCK_ELEMENTS = 1 << 24  # distances per block: 128 MiB of float64


class PrecisionRecall(NamedTuple):
    precision: float
    recall: float


def _squared_distances(rows, columns, column_norms):
    row_norms = np.einsum("ij,ij->i", rows, rows)
    squared = row_norms[:, None] + column_norms[None, :] - 2.0 * rows @ columns.T
    return np.maximum(squared, 0.0)


def _blocks(n_rows, n_columns):
    step = max(1, _BLOCK_ELEMENTS // max(n_columns, 1))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))


def knn_radii(features, k=3):
    """Squared distance from each feature to its k-th nearest neighbour in the same set (self excluded)."""
    features = as_matrix(features, "features")
    if len(features) <= k:
        raise ValueError(f"the k-NN radius needs more than k={k} features; received {len(features)}.")
    norms = np.einsum("ij,ij->i", features, features)
    radii = np.empty(len(features))
    for block in _blocks(len(features), len(features)):
        squared = _squared_distances(features[block], features, norms)
        squared[np.arange(block.stop - block.start), np.arange(block.start, block.stop)] = 0.0
        # Index 0 of the sorted row is the point itself (distance 0), index k its k-th neighbour.
        radii[block] = np.partition(squared, k, axis=1)[:, k]
    return radii


def manifold_coverage(manifold, radii, queries):
    """Share of `queries` within the radius of at least one point of `manifold`."""
    norms = np.einsum("ij,ij->i", manifold, manifold)
    inside = np.zeros(len(queries), dtype=bool)
    for block in _blocks(len(queries), len(manifold)):
        squared = _squared_distances(queries[block], manifold, norms)
        inside[block] = np.any(squared <= radii[None, :], axis=1)
    return float(inside.mean())


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall of generated features against real ones.

    Args:
        real_features: [n, d] array or tensor of real samples' features.
        fake_features: [m, d] array or tensor of generated samples' features.
        k: the neighbourhood size of the manifold estimate (3 in the paper).

    Returns:
        `PrecisionRecall(precision, recall)`, Python floats in [0, 1].
    """
    real = as_matrix(real_features, "real_features")
    fake = as_matrix(fake_features, "fake_features")
    check_same_width(real, fake, "real_features", "fake_features")
    k = int(k)
    if k < 1:
        raise ValueError(f"k must be a positive integer; received {k}.")
    precision = manifold_coverage(real, knn_radii(real, k), fake)
    recall = manifold_coverage(fake, knn_radii(fake, k), real)
    return PrecisionRecall(precision, recall)
