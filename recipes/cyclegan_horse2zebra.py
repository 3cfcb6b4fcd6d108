"""CycleGAN on TFDS `cycle_gan/horse2zebra` (or any `cycle_gan/<name>` with --dataset): horses (A) <->
zebras (B).

    python recipes/cyclegan_horse2zebra.py                      # the paper: 200 epochs, 256 px, batch 1
    python recipes/cyclegan_horse2zebra.py --dataset=apple2orange --image_size=128 --epochs=20

TFDS downloads and prepares the data set on first use (111 MB for horse2zebra) under --data_dir (TFDS's
default when unset); without network it stops at once and says where it looked. The paper's settings
are the defaults (see recipes/common_cyclegan.py); sample strips, test-split cycle errors and the
two-direction export as in recipes/cyclegan_facades.py.
"""

from absl import app, flags

import common_cyclegan
import ganzoo

FLAGS = flags.FLAGS

DEFAULTS = dict(
    common_cyclegan.PAPER_DEFAULTS,
    dataset="horse2zebra",
    data_dir=None,
    model_dir="runs/cyclegan_horse2zebra",
    export_dir="saved_models/cyclegan_horse2zebra",
)
common_cyclegan.define(DEFAULTS)


def main(argv):
    del argv

    def make_dataset():
        return ganzoo.data.unpaired_tfds(
            FLAGS.dataset, "train", image_size=FLAGS.image_size, batch_size=FLAGS.batch_size,
            seed=FLAGS.seed, data_dir=FLAGS.data_dir,
        )

    def make_test_dataset(batch_size):
        return ganzoo.data.unpaired_tfds(
            FLAGS.dataset, "test", image_size=FLAGS.image_size, batch_size=batch_size,
            data_dir=FLAGS.data_dir,
        )

    common_cyclegan.train_cyclegan(f"cyclegan_{FLAGS.dataset}", make_dataset, make_test_dataset)


if __name__ == "__main__":
    app.run(main)
