"""Tests for ganzoo/data/mixtures.py: the PacGAN 2D ring and grid."""

import numpy as np
import pytest

from ganzoo import data


def test_ring_modes_on_unit_circle_equally_spaced():
    modes, std = data.mixture_2d_modes("ring")
    assert modes.shape == (8, 2) and modes.dtype == np.float32 and std == 0.01
    np.testing.assert_allclose(np.linalg.norm(modes, axis=1), 1.0, atol=1e-6)
    angles = np.sort(np.mod(np.arctan2(modes[:, 1], modes[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 8, atol=1e-5)


def test_grid_modes_cover_the_5x5_lattice():
    modes, std = data.mixture_2d_modes("grid")
    assert modes.shape == (25, 2) and std == 0.05
    expected = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(m) for m in modes.tolist()} == expected


@pytest.mark.parametrize("kind", ["ring", "grid"])
def test_samples_sit_on_their_modes_with_nominal_spread(kind):
    modes, std = data.mixture_2d_modes(kind)
    batches = list(data.mixture_2d(kind, batch_size=2000, seed=7, labels=True).take(5))
    samples = np.concatenate([np.asarray(s) for s, _ in batches])
    components = np.concatenate([np.asarray(c) for _, c in batches])
    assert samples.dtype == np.float32 and samples.shape == (10000, 2)
    assert components.dtype == np.int32

    nearest = np.argmin(np.linalg.norm(samples[:, None] - modes[None], axis=-1), axis=1)
    np.testing.assert_array_equal(nearest, components)
    offsets = samples - modes[components]
    np.testing.assert_allclose(offsets.std(axis=0), std, rtol=0.05)
    np.testing.assert_allclose(offsets.mean(axis=0), 0.0, atol=5 * std / np.sqrt(len(samples)))

    counts = np.bincount(components, minlength=len(modes))
    expected = len(samples) / len(modes)
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))


def test_stream_is_a_pure_function_of_the_seed():
    def first_batches(dataset):
        return [np.asarray(b) for b in dataset.take(3)]

    dataset = data.mixture_2d("grid", batch_size=64, seed=1)
    a, b = first_batches(dataset), first_batches(dataset)
    c = first_batches(data.mixture_2d("grid", batch_size=64, seed=1))
    d = first_batches(data.mixture_2d("grid", batch_size=64, seed=2))
    for x, y, z in zip(a, b, c):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)
    assert not np.array_equal(a[0], d[0])
    assert not np.array_equal(a[0], a[1])


def test_labels_false_yields_samples_only():
    batch = next(iter(data.mixture_2d("ring", batch_size=16)))
    assert batch.shape == (16, 2)


def test_unknown_kind_is_explained():
    with pytest.raises(ValueError, match=r"ring.*grid.*'spiral'"):
        data.mixture_2d("spiral")


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
