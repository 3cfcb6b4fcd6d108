"""DCGAN on scikit-learn's bundled digits: ganzoo's main job, no network needed.

    python recipes/dcgan_digits.py                       # about 3 minutes on 2 CPU cores
    python recipes/dcgan_digits.py --dataset=folder:/my/images --image_size=64 --channels=3

Writes sample grids to <model_dir>/samples/, TensorBoard logs to <model_dir>/logs/, and the generator to
<export_dir>/<version>/ for TF Serving.
"""

from absl import app, flags

import common_flags
import ganzoo

FLAGS = flags.FLAGS

DEFAULTS = dict(
    dataset="digits",
    model_dir="runs/dcgan_digits",
    export_dir="saved_models/dcgan_digits",
    epochs=20,
    batch_size=64,
)
common_flags.define(
    DEFAULTS,
    image_size=(flags.DEFINE_integer, 32, "Side of the square images: 16, 32, 64 or 128."),
    channels=(flags.DEFINE_integer, 1, "1 (grayscale) or 3 (RGB)."),
    latent_dim=(flags.DEFINE_integer, 100, "Size of the noise vector z."),
    base_filters=(flags.DEFINE_integer, 32, "Width of the networks (64 in the paper)."),
)


def train_dcgan(name):
    """Trains and exports a DCGAN as the flags describe."""
    image_shape = (FLAGS.image_size, FLAGS.image_size, FLAGS.channels)

    def make_dataset():
        return ganzoo.data.from_spec(
            FLAGS.dataset,
            image_size=FLAGS.image_size,
            batch_size=FLAGS.batch_size,
            data_dir=FLAGS.data_dir,
            seed=FLAGS.seed,
            channels=FLAGS.channels,
        )

    def make_model():
        gan = ganzoo.models.DCGAN(
            image_shape,
            latent_dim=FLAGS.latent_dim,
            base_filters=FLAGS.base_filters,
            seed=FLAGS.seed,
        )
        gan.compile()  # the paper's Adam(2e-4, beta_1=0.5) and non-saturating loss
        return gan

    return ganzoo.training.train(common_flags.train_config(name), make_dataset, make_model)


def main(argv):
    del argv
    train_dcgan("dcgan_digits")


if __name__ == "__main__":
    app.run(main)
