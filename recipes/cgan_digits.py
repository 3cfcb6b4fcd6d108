"""A class-conditional GAN (or ACGAN) on scikit-learn's bundled digits, no network needed.

    python recipes/cgan_digits.py                              # about 3 minutes on 2 CPU cores
    python recipes/cgan_digits.py --model=acgan
    python recipes/cgan_digits.py --conditioning=projection --pack=2 --ema_decay=0.999

Writes sample grids (each row cycles through the classes) to <model_dir>/samples/, TensorBoard logs to
<model_dir>/logs/, and the generator to <export_dir>/<version>/ for TF Serving with the class-conditional
signature: `z` float32 [batch, latent_dim] + `labels` int32 [batch] -> `images` uint8.
"""

from absl import app, flags

import common_flags
import ganzoo

FLAGS = flags.FLAGS

#: Every flag's default, the recipe's own flags included (tests pass them back through `flagsaver`).
DEFAULTS = dict(
    dataset="digits",
    model_dir="runs/cgan_digits",
    export_dir="saved_models/cgan_digits",
    epochs=32,
    batch_size=64,
    model="cgan",
    n_classes=10,
    image_size=32,
    channels=1,
    latent_dim=100,
    base_filters=32,
    conditioning="channel",
    loss="non_saturating",
    pack=1,
    ema_decay=None,
    r1_weight=0.0,
    spectral_norm=False,
)
common_flags.define(
    DEFAULTS,
    # A string, not an enum: recipes/gan_2d_mixture.py defines --model with other values, and recipes
    # share one flag registry when a test imports several.
    model=(flags.DEFINE_string, "cgan", "cgan or acgan."),
    n_classes=(flags.DEFINE_integer, 10, "Number of classes; labels must lie in [0, n_classes)."),
    image_size=(flags.DEFINE_integer, 32, "Side of the square images: 16, 32, 64 or 128."),
    channels=(flags.DEFINE_integer, 1, "1 (grayscale) or 3 (RGB)."),
    latent_dim=(flags.DEFINE_integer, 100, "Size of the noise vector z."),
    base_filters=(flags.DEFINE_integer, 32, "Width of the networks (64 in DCGAN)."),
    conditioning=(
        flags.DEFINE_enum,
        "channel",
        "cgan's discriminator: the label as an extra channel, or a projection discriminator.",
        {"enum_values": list(ganzoo.networks.conditional.CONDITIONINGS)},
    ),
    loss=(flags.DEFINE_enum, "non_saturating", "The game.", {"enum_values": ganzoo.losses.names()}),
    pack=(flags.DEFINE_integer, 1, "Images per discriminator judgement (PacGAN)."),
    ema_decay=(flags.DEFINE_float, None, "Decay of the generator's weight average, e.g. 0.999."),
    r1_weight=(flags.DEFINE_float, 0.0, "γ of the R1 penalty on real images; 0: none."),
    spectral_norm=(flags.DEFINE_bool, False, "Spectral normalisation of the discriminator."),
)


def train_conditional(name):
    """Trains and exports the conditional model the flags describe."""
    if FLAGS.model not in ("cgan", "acgan"):
        raise app.UsageError(f"--model must be cgan or acgan; received {FLAGS.model!r}.")
    image_shape = (FLAGS.image_size, FLAGS.image_size, FLAGS.channels)

    def make_dataset():
        return ganzoo.data.from_spec(
            FLAGS.dataset,
            image_size=FLAGS.image_size,
            batch_size=FLAGS.batch_size,
            labels=True,
            data_dir=FLAGS.data_dir,
            seed=FLAGS.seed,
            channels=FLAGS.channels,
        )

    def make_model():
        generator = ganzoo.networks.conditional_generator(
            FLAGS.latent_dim, image_shape, FLAGS.n_classes, base_filters=FLAGS.base_filters
        )
        options = dict(pack=FLAGS.pack, ema_decay=FLAGS.ema_decay, r1_weight=FLAGS.r1_weight, seed=FLAGS.seed)
        if FLAGS.model == "acgan":
            discriminator = ganzoo.networks.acgan_discriminator(
                image_shape, FLAGS.n_classes, FLAGS.base_filters, spectral_norm=FLAGS.spectral_norm,
                pack=FLAGS.pack,
            )
            model = ganzoo.models.ACGAN(generator, discriminator, FLAGS.n_classes, **options)
        else:
            discriminator = ganzoo.networks.conditional_discriminator(
                image_shape, FLAGS.n_classes, FLAGS.conditioning, FLAGS.base_filters,
                spectral_norm=FLAGS.spectral_norm, pack=FLAGS.pack,
            )
            model = ganzoo.models.CGAN(generator, discriminator, FLAGS.n_classes, **options)
        model.compile(loss=FLAGS.loss)  # Adam(2e-4, beta_1=0.5) for both players
        return model

    return ganzoo.training.train(common_flags.train_config(name), make_dataset, make_model)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    train_conditional("cgan_digits" if FLAGS.model == "cgan" else "acgan_digits")


if __name__ == "__main__":
    app.run(main)
