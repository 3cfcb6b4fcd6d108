"""What the two CycleGAN recipes share: their flags, the model they build, and the run."""

import os

from absl import flags
import keras
import numpy as np

import common_flags
import ganzoo

FLAGS = flags.FLAGS

# The paper's settings: batch 1, 256 px with jitter, λ = 10, identity 0.5·λ, a pool of 50, Adam(2e-4,
# beta_1=0.5), 100 epochs at a constant rate and 100 decaying linearly to 0.
PAPER_DEFAULTS = dict(
    epochs=200,
    batch_size=1,
    image_size=256,
    cycle_weight=10.0,
    identity_weight=0.5,
    pool_size=50,
    base_filters=64,
)


def define(defaults):
    """The common flags plus CycleGAN's own, with this recipe's `defaults`."""
    common_flags.define(
        defaults,
        image_size=(
            flags.DEFINE_integer,
            defaults["image_size"],
            "Side of the square images (a multiple of 4, at least 24); 9 residual blocks from 256 px, "
            "6 below.",
        ),
        cycle_weight=(
            flags.DEFINE_float, defaults["cycle_weight"], "λ, the weight of each cycle loss (10)."
        ),
        identity_weight=(
            flags.DEFINE_float,
            defaults["identity_weight"],
            "Weight of the identity losses as a fraction of λ (0.5 in the paper's paintings <-> photos; "
            "0: off).",
        ),
        pool_size=(
            flags.DEFINE_integer,
            defaults["pool_size"],
            "Generated images kept per discriminator in the image pool (50; 0: off).",
        ),
        base_filters=(flags.DEFINE_integer, defaults["base_filters"], "Width of all four networks (64)."),
    )


_LEARNING_RATE = 2e-4


def _rows(model, a, b):
    """a | G(a) | F(G(a)) and b | F(b) | G(F(b)), one row per image, as a list for `image_grid`."""
    fake_b = np.asarray(model.translate(a, "a_to_b"))
    fake_a = np.asarray(model.translate(b, "b_to_a"))
    rows = [
        np.stack([np.asarray(a), fake_b, np.asarray(model.translate(fake_b, "b_to_a"))], axis=1),
        np.stack([np.asarray(b), fake_a, np.asarray(model.translate(fake_a, "a_to_b"))], axis=1),
    ]
    return np.concatenate(rows).reshape(-1, *fake_b.shape[1:])


def train_cyclegan(name, make_dataset, make_test_dataset):
    """Trains and exports CycleGAN as the flags describe; returns the `TrainResult` (None if preempted).

    `make_dataset()` gives the training `(a, b)` batches (one epoch, known length), and
    `make_test_dataset(n)` batches of n unjittered test images, for the sample strips and the final scores.
    """
    sample_a, sample_b = next(iter(make_test_dataset(2)))
    steps_per_epoch = FLAGS.steps_per_epoch or int(make_dataset().cardinality())
    total_steps = steps_per_epoch * FLAGS.epochs

    def optimizer():
        # Constant for the first half of the steps, then linearly down to 0 (the paper, per step).
        schedule = ganzoo.schedules.ConstantThenLinearDecay(_LEARNING_RATE, total_steps)
        return keras.optimizers.Adam(schedule, beta_1=0.5)

    def make_model():
        cyclegan = ganzoo.models.CycleGAN(
            (FLAGS.image_size, FLAGS.image_size, 3),
            base_filters=FLAGS.base_filters,
            pool_size=FLAGS.pool_size,
            seed=FLAGS.seed,
        )
        cyclegan.compile(
            d_optimizer=optimizer(),
            g_optimizer=optimizer(),
            cycle_weight=FLAGS.cycle_weight,
            identity_weight=FLAGS.identity_weight,
        )
        return cyclegan

    def sample_fn(model, n, seed):
        del n, seed  # the strips show the same test images at every epoch
        return _rows(model, sample_a, sample_b)

    result = ganzoo.training.train(
        common_flags.train_config(name), make_dataset, make_model, sample_fn=sample_fn
    )
    if result.preempted:
        return None
    model = result.model
    cycle = [[], []]
    for a, b in make_test_dataset(1):
        cycle[0].append(float(np.abs(model.translate(model.translate(a), "b_to_a") - a).mean()))
        cycle[1].append(float(np.abs(model.translate(model.translate(b, "b_to_a")) - b).mean()))
    print(
        f"{name} on {len(cycle[0])} test pairs at {FLAGS.image_size} px: cycle L1 |F(G(a)) - a| "
        f"{np.mean(cycle[0]):.4f}, |G(F(b)) - b| {np.mean(cycle[1]):.4f} (pixels in [-1, 1])"
    )
    strip = ganzoo.callbacks.image_grid(_rows(model, sample_a, sample_b), columns=3)
    keras.utils.save_img(os.path.join(FLAGS.model_dir, "test_strip.png"), strip, scale=False)
    return result
