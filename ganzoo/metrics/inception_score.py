"""Inception Score (Salimans et al. 2016): exp E_x KL(p(y|x) ‖ p(y)).

As in the reference code (openai/improved-gan): the probabilities are cut, in order, into `splits`
equal parts (a remainder is dropped); each part's p(y) is its mean prediction, its score
exp(mean KL(p(y|x) ‖ p(y))); the result is the mean and standard deviation of the parts' scores. It
ranges from 1 (every sample gets the same prediction) to the number of classes (each sample is
confidently one class, and the classes are used equally).
"""

import numpy as np
import scipy.special

from ganzoo.metrics._common import MeanStd, as_matrix


def inception_score(probabilities, splits=10):
    """The Inception Score of class probabilities p(y|x).

    Args:
        probabilities: [n, classes] array or tensor, rows summing to 1 (a classifier's softmax).
        splits: number of parts the score is computed over (10 in the reference).

    Returns:
        `MeanStd(mean, std)` of Python floats over the splits; `float(result)` is the mean.
    """
    p = as_matrix(probabilities, "probabilities")
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probabilities must be non-negative rows that sum to 1 (apply a softmax).")
    splits = int(splits)
    if splits < 1 or len(p) < splits:
        raise ValueError(f"need 1 ≤ splits ≤ n; received splits={splits} for {len(p)} rows.")
    part_size = len(p) // splits
    scores = []
    for k in range(splits):
        part = p[k * part_size : (k + 1) * part_size]
        marginal = part.mean(axis=0, keepdims=True)
        # xlogy: a class with p = 0 contributes 0, where the reference's p·log(p) would give NaN.
        kl = scipy.special.xlogy(part, part) - scipy.special.xlogy(part, marginal)
        scores.append(np.exp(kl.sum(axis=1).mean()))
    scores = np.array(scores)
    return MeanStd(float(scores.mean()), float(scores.std()))
