"""Stacked digits: 1,000 modes built from real digits, counted with the digits classifier."""

import numpy as np
import pytest

import ganzoo
from ganzoo.metrics import DigitsClassifier, stacked_digits_arrays, stacked_digits_dataset
from ganzoo.metrics import stacked_mode_statistics
from ganzoo.metrics.stacked_digits import statistics_of_modes


@pytest.fixture(scope="module")
def classifier():
    return DigitsClassifier.pretrained()


def test_channels_are_digits_of_the_split_and_the_mode_is_their_number():
    images, modes = stacked_digits_arrays(50, image_size=8, split="test", seed=3)
    digits, labels = ganzoo.data.digits_arrays(8, split="test")
    assert images.shape == (50, 8, 8, 3) and images.dtype == np.float32
    flat = digits.reshape(len(digits), -1)
    for image, mode in zip(images, modes):
        channel_labels = []
        for channel in range(3):
            match = np.flatnonzero(np.all(flat == image[..., channel].reshape(-1), axis=1))
            assert match.size, "a channel is not a digit of the split"
            channel_labels.append(labels[match[0]])
        assert mode == 100 * channel_labels[0] + 10 * channel_labels[1] + channel_labels[2]
    again, _ = stacked_digits_arrays(50, image_size=8, split="test", seed=3)
    np.testing.assert_array_equal(images, again)


def test_real_stacked_digits_cover_almost_every_mode(classifier):
    images, true_modes = stacked_digits_arrays(10000, image_size=16, split="test", seed=0)
    stats = stacked_mode_statistics(images, classifier)
    assert stats.total_modes == 1000 and stats.samples == 10000
    # 10 samples per mode on average: a mode is empty by chance with probability e^-10.
    assert stats.modes >= 990, stats
    assert stats.reverse_kl < 0.1, stats  # sampling noise alone gives ~(K-1)/2n = 0.05
    counted = ganzoo.metrics.stacked_digits.stacked_modes(images[:1000], classifier)
    assert np.mean(counted == true_modes[:1000]) > 0.85  # three digits right, at ~97% each


def test_a_collapsed_generator_covers_one_mode(classifier):
    images, _ = stacked_digits_arrays(1, image_size=16, split="test", seed=1)
    stats = stacked_mode_statistics(np.repeat(images, 500, axis=0), classifier)
    assert stats.modes == 1
    assert stats.reverse_kl == pytest.approx(np.log(1000))


def test_one_digit_in_every_channel_covers_ten_modes(classifier):
    digits, labels = ganzoo.data.digits_arrays(16, split="test")
    images = np.repeat(digits, 3, axis=-1)  # the same digit stacked three times: modes 0, 111, ...
    stats = stacked_mode_statistics(images, classifier)
    assert stats.modes <= 40  # 10 modes, plus the classifier's rare mistakes on single channels
    assert np.sum(stats.histogram[[111 * d for d in range(10)]]) > 0.9 * len(images)


def test_statistics_of_a_uniform_histogram():
    stats = statistics_of_modes(np.repeat(np.arange(1000), 3))
    assert stats.modes == 1000 and stats.reverse_kl == pytest.approx(0.0, abs=1e-12)
    assert statistics_of_modes(np.arange(1000), min_count=2).modes == 0
    with pytest.raises(ValueError, match="0..999"):
        statistics_of_modes(np.array([1000]))


def test_dataset_streams_seeded_batches():
    dataset = stacked_digits_dataset(image_size=16, batch_size=8, seed=5, labels=True)
    (images, modes), = dataset.take(1)
    assert images.shape == (8, 16, 16, 3) and modes.shape == (8,)
    assert np.all((modes.numpy() >= 0) & (modes.numpy() < 1000))
    first = [batch.numpy() for batch in stacked_digits_dataset(16, 8, seed=5).take(2)]
    again = [batch.numpy() for batch in stacked_digits_dataset(16, 8, seed=5).take(2)]
    np.testing.assert_array_equal(first[1], again[1])
    np.testing.assert_array_equal(first[0], images.numpy())
    assert not np.array_equal(first[0], first[1])


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
