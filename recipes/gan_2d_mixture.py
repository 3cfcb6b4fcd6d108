"""The original GAN with MLPs on a 2-D Gaussian mixture: the mode-collapse benchmark of VEEGAN and PacGAN.

    python recipes/gan_2d_mixture.py                     # grid of 25 modes, about 5 minutes on 2 CPU cores
    python recipes/gan_2d_mixture.py --mixture=ring      # 8 modes on the unit circle
    python recipes/gan_2d_mixture.py --pack=1 --r1_weight=0 --batch_size=256 --epochs=10  # the plain GAN
    python recipes/gan_2d_mixture.py --loss=least_squares
    python recipes/gan_2d_mixture.py --model=wgan_gp --pack=1 --r1_weight=0 --learning_rate=1e-4 --beta_1=0
        --final_lr_fraction=1 --epochs=4     # (one command) WGAN-GP alone: n_critic 5, λ = 10

The defaults are the configuration that won benchmarks/mode_collapse.py (packing 2, R1 with γ = 0.1,
batch 512, 20,000 steps, the learning rate cut 10× at 70% and 100× at 85% of the steps): every grid mode
on every seed there, with about 97% high-quality samples.

Ends by printing the mode statistics of 2,500 samples as PacGAN's Table 1 reports them (modes captured,
share of high-quality samples within 3 std of their mode, reverse KL of the mode histogram to uniform).
Writes sample scatter plots to <model_dir>/samples/, TensorBoard logs to <model_dir>/logs/, and the
generator to <export_dir>/<version>/ for TF Serving (`z` float32 [batch, latent_dim] -> `samples` float32
[batch, 2]). The data are generated, so `--dataset` must stay "mixture" and `--data_dir` is unused.
"""

import dataclasses

import keras
import numpy as np
from absl import app, flags

import common_flags
import ganzoo

FLAGS = flags.FLAGS

#: Every flag's default, the recipe's own flags included (tests pass them back through `flagsaver`).
DEFAULTS = dict(
    dataset="mixture",
    model_dir="runs/gan_2d_mixture",
    export_dir="saved_models/gan_2d_mixture",
    epochs=20,
    steps_per_epoch=1000,
    batch_size=512,
    mixture="grid",
    latent_dim=2,
    hidden_units=["128", "128", "128"],
    learning_rate=1e-3,
    beta_1=0.5,
    loss="non_saturating",
    final_lr_fraction=0.01,
    model="gan",
    pack=2,
    r1_weight=0.1,
)
common_flags.define(
    DEFAULTS,
    mixture=(
        flags.DEFINE_enum,
        DEFAULTS["mixture"],
        "ring: 8 Gaussians on the unit circle, std 0.01; grid: 25 Gaussians at {-4,-2,0,2,4}², std 0.05.",
        {"enum_values": list(ganzoo.data.MIXTURE_KINDS)},
    ),
    latent_dim=(flags.DEFINE_integer, DEFAULTS["latent_dim"], "Size of the noise vector z."),
    hidden_units=(
        flags.DEFINE_list,
        DEFAULTS["hidden_units"],
        "Widths of the hidden layers of both MLPs, comma-separated.",
    ),
    learning_rate=(flags.DEFINE_float, DEFAULTS["learning_rate"], "Adam's learning rate, both players."),
    beta_1=(flags.DEFINE_float, DEFAULTS["beta_1"], "Adam's beta_1, both players."),
    loss=(
        flags.DEFINE_enum,
        DEFAULTS["loss"],
        "The game (ganzoo.losses); wasserstein needs a Lipschitz critic, which these MLPs are not.",
        {"enum_values": ganzoo.losses.names()},
    ),
    final_lr_fraction=(
        flags.DEFINE_float,
        DEFAULTS["final_lr_fraction"],
        "Learning rate at the end, as a fraction of --learning_rate: cut to its square root at 70% "
        "of the steps and to it at 85% (1: constant).",
    ),
    # A string, not an enum: recipes/cgan_digits.py defines --model with other values, and recipes
    # share one flag registry when a test imports several.
    model=(flags.DEFINE_string, DEFAULTS["model"], "gan, or wgan_gp (n_critic 5, λ = 10)."),
    pack=(
        flags.DEFINE_integer,
        DEFAULTS["pack"],
        "Samples per discriminator judgement (PacGAN: one dense network on their concatenation).",
    ),
    r1_weight=(flags.DEFINE_float, DEFAULTS["r1_weight"], "γ of the R1 penalty on real samples; 0: none."),
)

_EVALUATION_SAMPLES = 2500  # as in PacGAN's Table 1


def learning_rate_schedule(learning_rate, total_steps, final_fraction):
    """`learning_rate`, cut to `sqrt(final_fraction)` of it at 70% of the steps and to `final_fraction`
    at 85% (0.01: 10× then 100×, as benchmarks/mode_collapse.py measured it); constant when 1.

    The cuts sharpen the samples onto their modes (the share of high-quality samples) once the
    generator has spread over them. A built-in schedule, so model.keras reloads with it.
    """
    if final_fraction == 1.0:
        return learning_rate
    middle_fraction = float(np.sqrt(final_fraction))
    return keras.optimizers.schedules.PiecewiseConstantDecay(
        [int(0.7 * total_steps), int(0.85 * total_steps)],
        [learning_rate, learning_rate * middle_fraction, learning_rate * final_fraction],
    )


def scatter_image(samples, extent, size=128):
    """Samples [n, 2] -> one [1, size, size, 1] image in [-1, 1]: their log-density over the square
    [-extent, extent]², y up, for the `SampleGrid` callback."""
    counts, _, _ = np.histogram2d(
        samples[:, 1], samples[:, 0], bins=size, range=[[-extent, extent], [-extent, extent]]
    )
    density = np.log1p(counts[::-1]) / max(np.log1p(counts.max()), 1e-9)
    return (2.0 * density - 1.0)[np.newaxis, :, :, np.newaxis]


def _hidden_units():
    try:
        units = tuple(int(value) for value in FLAGS.hidden_units)
    except ValueError:
        units = ()
    if not units or min(units) < 1:
        raise app.UsageError(
            f"--hidden_units must be positive integers separated by commas; received {FLAGS.hidden_units}."
        )
    return units


def train_gan_2d_mixture(name, **config_overrides):
    """Trains and exports the GAN the flags describe; returns (`TrainResult`, `ModeStatistics`).

    Args:
        name: the run's name.
        **config_overrides: `TrainConfig` fields that replace the flags' (e.g. `verbose=0`).
    """
    if FLAGS.dataset != "mixture":
        raise app.UsageError(
            f"--dataset={FLAGS.dataset!r}: this recipe trains on a generated 2-D mixture only; leave "
            "--dataset=mixture and choose the mixture with --mixture=ring|grid."
        )
    if not FLAGS.steps_per_epoch:
        raise app.UsageError("--steps_per_epoch must be set: the mixture is an endless stream.")
    if FLAGS.model not in ("gan", "wgan_gp"):
        raise app.UsageError(f"--model must be gan or wgan_gp; received {FLAGS.model!r}.")
    n_critic = 5 if FLAGS.model == "wgan_gp" else 1  # a WGAN-GP step takes n_critic real batches
    hidden_units = _hidden_units()
    total_steps = FLAGS.epochs * FLAGS.steps_per_epoch
    modes, std = ganzoo.data.mixture_2d_modes(FLAGS.mixture)
    extent = 1.0 + 1.5 * float(np.max(np.abs(modes)))  # a margin around the outer modes

    def make_dataset():
        return ganzoo.data.mixture_2d(
            FLAGS.mixture, batch_size=FLAGS.batch_size * n_critic, seed=FLAGS.seed
        )

    def make_optimizer(updates):
        schedule = learning_rate_schedule(
            FLAGS.learning_rate, updates, FLAGS.final_lr_fraction
        )
        return keras.optimizers.Adam(schedule, beta_1=FLAGS.beta_1)

    def make_model():
        model_class = ganzoo.models.WGANGP if FLAGS.model == "wgan_gp" else ganzoo.models.GAN
        gan = model_class(
            ganzoo.networks.mlp_generator(FLAGS.latent_dim, 2, hidden_units),
            # PacGAN's discriminator, as benchmarks/mode_collapse.py's winning row has it.
            ganzoo.networks.mlp_discriminator(2 * FLAGS.pack, hidden_units),
            latent_dim=FLAGS.latent_dim,
            pack=FLAGS.pack,
            r1_weight=FLAGS.r1_weight,
            seed=FLAGS.seed,
        )
        # No steps_per_execution: ~15% less CPU at 20 (measured), but ganzoo.training counts one step
        # per batch callback, which Keras then calls once per execution.
        gan.compile(
            d_optimizer=make_optimizer(total_steps * n_critic),
            g_optimizer=make_optimizer(total_steps),
            loss=FLAGS.loss,
        )
        return gan

    def sample_fn(model, n, seed):
        del n  # a scatter plot needs more points than an image grid has cells
        return scatter_image(model.generate(_EVALUATION_SAMPLES, seed=seed), extent)

    config = dataclasses.replace(common_flags.train_config(name), **config_overrides)
    result = ganzoo.training.train(config, make_dataset, make_model, sample_fn=sample_fn)
    statistics = ganzoo.metrics.mode_statistics(
        result.model.generate(_EVALUATION_SAMPLES, seed=FLAGS.seed), modes, std
    )
    print(f"{name} on {_EVALUATION_SAMPLES} samples: {statistics}")
    return result, statistics


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    train_gan_2d_mixture(f"gan_2d_mixture_{FLAGS.mixture}")


if __name__ == "__main__":
    app.run(main)
