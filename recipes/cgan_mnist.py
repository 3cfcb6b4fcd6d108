"""A class-conditional GAN (or ACGAN) on MNIST from tensorflow-datasets (28 px digits resized to 32).

    python recipes/cgan_mnist.py --data_dir=~/tensorflow_datasets
    python recipes/cgan_mnist.py --dataset=idx:../shared/data/mnist_5k     # local IDX files, no network
"""

from absl import app

import cgan_digits
import common_flags

DEFAULTS = dict(
    cgan_digits.DEFAULTS,
    dataset="tfds:mnist",
    model_dir="runs/cgan_mnist",
    export_dir="saved_models/cgan_mnist",
    epochs=10,
    batch_size=128,
)
common_flags.define(DEFAULTS)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    cgan_digits.train_conditional("cgan_mnist")


if __name__ == "__main__":
    app.run(main)
