"""WGAN with weight clipping (Arjovsky et al. 2017) on scikit-learn's bundled digits, no network needed.

    python recipes/wgan_digits.py                         # the paper's RMSProp(5e-5), c = 0.01, n_critic 5

Every generator step makes n_critic critic steps, each on its own batch: a dataset element holds
--batch_size × --n_critic images (the data repeat, so --steps_per_epoch counts generator steps). Writes
sample grids, TensorBoard logs and the generator's SavedModel (`z` -> `images` uint8).
"""

import keras
from absl import app, flags

import common_flags
import ganzoo

FLAGS = flags.FLAGS

#: Every flag's default, the recipe's own flags included (tests pass them back through `flagsaver`).
DEFAULTS = dict(
    dataset="digits",
    model_dir="runs/wgan_digits",
    export_dir="saved_models/wgan_digits",
    epochs=20,
    steps_per_epoch=100,
    batch_size=64,
    image_size=32,
    channels=1,
    latent_dim=100,
    base_filters=32,
    n_critic=5,
    clip_value=0.01,
    gp_weight=10.0,
    learning_rate=None,
    ema_decay=None,
)
common_flags.define(
    DEFAULTS,
    image_size=(flags.DEFINE_integer, 32, "Side of the square images: 16, 32, 64 or 128."),
    channels=(flags.DEFINE_integer, 1, "1 (grayscale) or 3 (RGB)."),
    latent_dim=(flags.DEFINE_integer, 100, "Size of the noise vector z."),
    base_filters=(flags.DEFINE_integer, 32, "Width of the networks (64 in the papers)."),
    n_critic=(flags.DEFINE_integer, 5, "Critic updates per generator update."),
    clip_value=(flags.DEFINE_float, 0.01, "WGAN: critic weights are clipped to [-c, c]."),
    gp_weight=(flags.DEFINE_float, 10.0, "WGAN-GP: λ of the gradient penalty."),
    learning_rate=(flags.DEFINE_float, None, "Both players' learning rate; unset: the paper's."),
    ema_decay=(flags.DEFINE_float, None, "Decay of the generator's weight average, e.g. 0.999."),
)


def train_wasserstein(name, model_name, channels=None):
    """Trains and exports a WGAN ("wgan") or WGAN-GP ("wgan_gp") as the flags describe.

    Args:
        name: the run's name.
        model_name: "wgan" or "wgan_gp".
        channels: image channels; --channels when None.
    """
    channels = channels or FLAGS.channels
    image_shape = (FLAGS.image_size, FLAGS.image_size, channels)

    def make_dataset():
        return ganzoo.data.from_spec(
            FLAGS.dataset,
            image_size=FLAGS.image_size,
            batch_size=FLAGS.batch_size * FLAGS.n_critic,
            data_dir=FLAGS.data_dir,
            seed=FLAGS.seed,
            channels=channels,
            repeat=True,
        )

    def make_model():
        generator = ganzoo.networks.dcgan_generator(FLAGS.latent_dim, image_shape, FLAGS.base_filters)
        options = dict(n_critic=FLAGS.n_critic, ema_decay=FLAGS.ema_decay, seed=FLAGS.seed)
        if model_name == "wgan":
            # The paper's critic is the DCGAN discriminator (BatchNorm included) without its sigmoid.
            critic = ganzoo.networks.dcgan_critic(image_shape, FLAGS.base_filters, normalization="batch")
            model = ganzoo.models.WGAN(generator, critic, clip_value=FLAGS.clip_value, **options)
            make_optimizer = lambda rate: keras.optimizers.RMSprop(rate, rho=0.99, epsilon=1e-8)  # noqa: E731
            default_rate = 5e-5
        else:
            # No batch statistics under a per-sample gradient penalty: layer normalisation, as the paper.
            critic = ganzoo.networks.dcgan_critic(image_shape, FLAGS.base_filters, normalization="layer")
            model = ganzoo.models.WGANGP(generator, critic, gp_weight=FLAGS.gp_weight, **options)
            make_optimizer = lambda rate: keras.optimizers.Adam(rate, beta_1=0.0, beta_2=0.9)  # noqa: E731
            default_rate = 1e-4
        rate = FLAGS.learning_rate or default_rate
        model.compile(d_optimizer=make_optimizer(rate), g_optimizer=make_optimizer(rate))
        return model

    return ganzoo.training.train(common_flags.train_config(name), make_dataset, make_model)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    train_wasserstein("wgan_digits", "wgan")


if __name__ == "__main__":
    app.run(main)
