"""CycleGAN on the CMP facades, unpaired: label maps (A) <-> photos (B).

    python recipes/cyclegan_facades.py --data_dir=../shared/data/facades          # 200 epochs, 256 px
    python recipes/cyclegan_facades.py --data_dir=../shared/data/facades --image_size=64 --epochs=1

`--data_dir` is either the CycleGAN layout (`trainA/ trainB/ testA/ testB/`, as the CycleGAN authors'
facades.zip) or the pix2pix layout (`train/ val/` of side-by-side photo|label JPEGs): the latter is
unpaired first into <model_dir>/unpaired/ (`ganzoo.data.unpaired_from_pairs`: label maps of the first
half of train/ as A, photos of the second half as B, so no pair is ever seen; val/ as the test split).

The paper's settings are the defaults (see recipes/common_cyclegan.py), without the identity loss.
After every epoch a strip a | G(a) | F(G(a)) and b | F(b) | G(F(b)) of test images goes to
<model_dir>/samples/; at the end the recipe prints the test split's cycle errors and exports both
directions to <export_dir>/<version>/ (signatures `a_to_b` = `serving_default`, `b_to_a`,
`a_to_b_bytes`, `b_to_a_bytes`).
"""

import os

from absl import app, flags
import tensorflow as tf

import common_cyclegan
import ganzoo

FLAGS = flags.FLAGS

DEFAULTS = dict(
    common_cyclegan.PAPER_DEFAULTS,
    # No identity loss, as the paper for labels <-> photos: it pulls G towards keeping the label map's grey
    # levels, the photo's inverted (tests/models/test_cyclegan.py measures it).
    identity_weight=0.0,
    dataset="facades",
    data_dir=None,
    model_dir="runs/cyclegan_facades",
    export_dir="saved_models/cyclegan_facades",
)
common_cyclegan.define(DEFAULTS)


def _unpaired_dir():
    if not FLAGS.data_dir:
        raise ValueError(
            "cyclegan_facades needs --data_dir: a folder with trainA/ trainB/ testA/ testB/ (CycleGAN "
            "layout) or train/ val/ side-by-side pairs (pix2pix layout, e.g. ../shared/data/facades)."
        )
    if tf.io.gfile.isdir(os.path.join(FLAGS.data_dir, "trainA")):
        return FLAGS.data_dir
    target = os.path.join(FLAGS.model_dir, "unpaired")
    if not tf.io.gfile.isdir(os.path.join(target, "testB")):
        print(f"Unpairing the pix2pix-layout {FLAGS.data_dir} into {target}.")
        ganzoo.data.unpaired_from_pairs(FLAGS.data_dir, target, a_half="right")
    return target


def main(argv):
    del argv
    data_dir = _unpaired_dir()

    def make_dataset():
        return ganzoo.data.unpaired_folders(
            data_dir, "train", image_size=FLAGS.image_size, batch_size=FLAGS.batch_size, seed=FLAGS.seed,
            on_bad_image=FLAGS.on_bad_image,
        )

    def make_test_dataset(batch_size):
        return ganzoo.data.unpaired_folders(
            data_dir, "test", image_size=FLAGS.image_size, batch_size=batch_size,
            on_bad_image=FLAGS.on_bad_image,
        )

    common_cyclegan.train_cyclegan("cyclegan_facades", make_dataset, make_test_dataset)


if __name__ == "__main__":
    app.run(main)
