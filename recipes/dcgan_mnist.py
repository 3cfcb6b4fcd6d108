"""DCGAN on MNIST from tensorflow-datasets (28 px digits resized to 32).

    python recipes/dcgan_mnist.py --data_dir=~/tensorflow_datasets
    python recipes/dcgan_mnist.py --dataset=idx:../shared/data/mnist_5k     # local IDX files, no network
"""

from absl import app

import common_flags
import dcgan_digits

DEFAULTS = dict(
    dcgan_digits.DEFAULTS,
    dataset="tfds:mnist",
    model_dir="runs/dcgan_mnist",
    export_dir="saved_models/dcgan_mnist",
    epochs=10,
    batch_size=128,
)
common_flags.define(DEFAULTS)


def main(argv):
    del argv
    dcgan_digits.train_dcgan("dcgan_mnist")


if __name__ == "__main__":
    app.run(main)
