"""WGAN-GP (Gulrajani et al. 2017) on CIFAR-10 from tensorflow-datasets.

    python recipes/wgan_gp_cifar10.py --data_dir=~/tensorflow_datasets
    python recipes/wgan_gp_cifar10.py --dataset=folder:path/to/images     # your own 32x32 RGB images

The paper's settings: λ = 10, n_critic = 5, Adam(1e-4, β₁ = 0, β₂ = 0.9), batch 64, a critic without
batch statistics (layer normalisation here). A dataset element holds --batch_size × --n_critic images.
Images are always RGB (3 channels).
"""

from absl import app

import common_flags
import wgan_digits

DEFAULTS = dict(
    wgan_digits.DEFAULTS,
    dataset="tfds:cifar10",
    model_dir="runs/wgan_gp_cifar10",
    export_dir="saved_models/wgan_gp_cifar10",
    epochs=100,
    steps_per_epoch=1000,
    batch_size=64,
)
common_flags.define(DEFAULTS)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    # CIFAR-10 is RGB: this recipe always trains on 3 channels (a grey source is tiled), whatever
    # --channels says (the flag is shared with the grey-scale recipes).
    wgan_digits.train_wasserstein("wgan_gp_cifar10", "wgan_gp", channels=3)


if __name__ == "__main__":
    app.run(main)
