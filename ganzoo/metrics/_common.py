"""What the metrics share: conversion of their inputs (numpy arrays, tensors, anything `np.asarray`
reads) and the mean-and-spread result type."""

from typing import NamedTuple

import numpy as np


class MeanStd(NamedTuple):
    """A score averaged over subsets or splits, with its standard deviation; `float()` gives the mean."""

    mean: float
    std: float

    def __float__(self):
        return float(self.mean)


def as_matrix(values, name, dtype=np.float64):
    """`values` as a 2-D [n, d] numpy array of `dtype`, or a ValueError that names the argument."""
    if hasattr(values, "numpy"):
        values = values.numpy()
    array = np.asarray(values, dtype=dtype)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D [n, features] array; received shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds non-finite values (NaN or inf).")
    return array


def check_same_width(a, b, name_a, name_b):
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{name_a} and {name_b} must have the same feature size; received {a.shape} and {b.shape}."
        )
