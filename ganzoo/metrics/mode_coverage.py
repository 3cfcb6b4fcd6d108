"""Mode coverage of samples from a mixture with known modes (the VEEGAN / PacGAN protocol)."""

import dataclasses

import numpy as np


@dataclasses.dataclass
class ModeStatistics:
    """modes: modes captured; high_quality: share of samples within `std_multiple`·std of the nearest
    mode; reverse_kl: KL(histogram of nearest modes || uniform), in nats (0 when balanced)."""

    modes: int
    total_modes: int
    high_quality: float
    reverse_kl: float

    def __str__(self):
        return (
            f"modes {self.modes}/{self.total_modes}, high-quality samples {100 * self.high_quality:.1f}%, "
            f"reverse KL {self.reverse_kl:.3f}"
        )


def mode_statistics(samples, modes, std, std_multiple=3.0, min_count=20):
    """Scores `samples` against a mixture of isotropic Gaussians at `modes`.

    As in PacGAN (Lin et al. 2018, Table 1, after VEEGAN): each sample is assigned to its nearest mode;
    it is high quality when it lies within `std_multiple` standard deviations of that mode; a mode is
    captured when at least `min_count` high-quality samples land on it (the protocol uses 2,500 samples);
    the reverse KL compares the histogram of nearest modes with the uniform mixture weights.

    Args:
        samples: [n, d] array.
        modes: [k, d] array of mode centres.
        std: the components' standard deviation.
    """
    samples = np.asarray(samples, dtype=np.float64)
    modes = np.asarray(modes, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != modes.shape[1]:
        raise ValueError(
            f"samples must be [n, {modes.shape[1]}] to match the modes; received {samples.shape}."
        )
    distances = np.linalg.norm(samples[:, None, :] - modes[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    high_quality = distances[np.arange(len(samples)), nearest] <= std_multiple * std
    captured = np.bincount(nearest[high_quality], minlength=len(modes)) >= min_count
    histogram = np.bincount(nearest, minlength=len(modes)) / len(samples)
    present = histogram > 0
    reverse_kl = float(np.sum(histogram[present] * np.log(histogram[present] * len(modes))))
    return ModeStatistics(
        modes=int(captured.sum()),
        total_modes=len(modes),
        high_quality=float(high_quality.mean()),
        reverse_kl=reverse_kl,
    )
