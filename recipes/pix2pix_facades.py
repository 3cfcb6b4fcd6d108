"""pix2pix on the CMP facades: label maps -> photos, the paper's facades task.

    python recipes/pix2pix_facades.py            # downloads facades.tar.gz (29 MB); 200 epochs at 256 px
    python recipes/pix2pix_facades.py --data_dir=../shared/data/facades --image_size=64 --epochs=1

`--data_dir` is the folder holding `train/` and `val/` (side-by-side A|B JPEGs, A the photo and B the
label map). Without it the recipe downloads the pix2pix authors' `<dataset>.tar.gz` with
`keras.utils.get_file`; with no network it stops within seconds and says how to pass `--data_dir`.
`--dataset` names that archive (facades by default; cityscapes, maps, edges2shoes, ... also work with
the right `--direction`).

The paper's settings are the defaults: batch 1, 256 px with random jitter (resize to 286, crop 256,
mirror), BtoA, λ = 100, Adam(2e-4, beta_1=0.5), 200 epochs. At the end the recipe translates the val
split and prints mean L1, PSNR and SSIM (also written to <model_dir>/val_scores.json), and writes
<model_dir>/val_strip.png: rows of input | output | target. Sample strips of the same kind are written
after every epoch to <model_dir>/samples/, and the generator is exported to <export_dir>/<version>/ with
the image-to-image signatures (`serving_default`: uint8 images; `serving_bytes`: PNG/JPEG bytes).
"""

import json
import os

from absl import app, flags
import keras
import numpy as np

import common_flags
import ganzoo
from ganzoo.metrics import translation

FLAGS = flags.FLAGS

# The paper's settings. The recipe's own flags are listed too, so that a test running several recipes
# in one process (which share flag names such as --image_size) sets them all.
DEFAULTS = dict(
    dataset="facades",
    model_dir="runs/pix2pix_facades",
    export_dir="saved_models/pix2pix_facades",
    epochs=200,
    batch_size=1,
    image_size=256,
    direction="BtoA",
    l1_weight=100.0,
    norm="instance",
    base_filters=64,
)
common_flags.define(
    DEFAULTS,
    image_size=(
        flags.DEFINE_integer,
        DEFAULTS["image_size"],
        "Side of the square images: a power of two, at least 32.",
    ),
    direction=(
        flags.DEFINE_enum,
        DEFAULTS["direction"],
        "AtoB: left half -> right half; BtoA: right -> left (facades: label map -> photo).",
        {"enum_values": list(ganzoo.data.DIRECTIONS)},
    ),
    l1_weight=(
        flags.DEFINE_float,
        DEFAULTS["l1_weight"],
        "λ, the weight of the L1 term (100 in the paper).",
    ),
    norm=(
        flags.DEFINE_enum,
        DEFAULTS["norm"],
        "Normalisation of both networks: instance (the same in training and serving), batch or none.",
        {"enum_values": ["instance", "batch", "none"]},
    ),
    base_filters=(
        flags.DEFINE_integer,
        DEFAULTS["base_filters"],
        "Width of both networks (64 in the paper).",
    ),
)

_SAMPLE_PAIRS = 3  # val pairs in the per-epoch sample strips
_STRIP_PAIRS = 4  # val pairs in the final strip


def _data_dir():
    if FLAGS.data_dir:
        return FLAGS.data_dir
    print(f"No --data_dir: downloading the pix2pix '{FLAGS.dataset}' data set.")
    return ganzoo.data.download_pix2pix_dataset(FLAGS.dataset)


def _pairs(data_dir, split, batch_size):
    return ganzoo.data.paired_images(
        data_dir,
        split,
        image_size=FLAGS.image_size,
        batch_size=batch_size,
        direction=FLAGS.direction,
        seed=FLAGS.seed,
        on_bad_image=FLAGS.on_bad_image,
    )


def _first_val_pairs(data_dir, count):
    return next(iter(_pairs(data_dir, "val", count)))


def _rows(model, inputs, targets):
    """input | output | target, one row per pair, as one list of images for `image_grid`."""
    outputs = np.asarray(model.translate(inputs))
    return np.stack([np.asarray(inputs), outputs, np.asarray(targets)], axis=1).reshape(
        -1, *outputs.shape[1:]
    )


def train_pix2pix(name):
    """Trains, exports and evaluates pix2pix as the flags describe; returns the val scores."""
    data_dir = _data_dir()
    sample_inputs, sample_targets = _first_val_pairs(data_dir, _SAMPLE_PAIRS)

    def make_dataset():
        return _pairs(data_dir, "train", FLAGS.batch_size)

    def make_model():
        pix2pix = ganzoo.models.Pix2Pix(
            (FLAGS.image_size, FLAGS.image_size, 3),
            base_filters=FLAGS.base_filters,
            norm=FLAGS.norm,
            seed=FLAGS.seed,
        )
        pix2pix.compile(l1_weight=FLAGS.l1_weight)  # Adam(2e-4, beta_1=0.5) for both players
        return pix2pix

    def sample_fn(model, n, seed):
        del n, seed  # the strips show the same val pairs at every epoch
        return _rows(model, sample_inputs, sample_targets)

    result = ganzoo.training.train(
        common_flags.train_config(name), make_dataset, make_model, sample_fn=sample_fn
    )
    if result.preempted:
        return None

    scores = translation.translation_scores(result.model.translate, _pairs(data_dir, "val", 1))
    print(
        f"{name} on {scores['pairs']} val pairs at {FLAGS.image_size} px: mean L1 {scores['l1']:.4f} "
        f"(pixels in [-1, 1]), PSNR {scores['psnr']:.2f} dB, SSIM {scores['ssim']:.4f}"
    )
    with open(os.path.join(FLAGS.model_dir, "val_scores.json"), "w") as stream:
        json.dump(scores, stream, indent=1)
    strip_inputs, strip_targets = _first_val_pairs(data_dir, _STRIP_PAIRS)
    strip = ganzoo.callbacks.image_grid(_rows(result.model, strip_inputs, strip_targets), columns=3)
    keras.utils.save_img(os.path.join(FLAGS.model_dir, "val_strip.png"), strip, scale=False)
    return scores


def main(argv):
    del argv
    train_pix2pix("pix2pix_facades")


if __name__ == "__main__":
    app.run(main)
