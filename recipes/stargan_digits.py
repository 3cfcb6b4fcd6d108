"""StarGAN on the colour-domain digits: one generator recolours scikit-learn's real digits red, green or
blue (bundled data, no download).

    python recipes/stargan_digits.py                       # about 3 minutes on 2 CPU cores
    python recipes/stargan_digits.py --epochs=48 --model_dir=runs/stargan_digits_long

The domains are the ink colours of `ganzoo.data.colour_digits` (a fixed transform of the digits, each
digit in one domain). At the end the recipe translates every held-out digit to each other colour and
prints the rate at which D_cls recognises the requested domain (written to <model_dir>/scores.json), and
writes <model_dir>/translations.png: rows of held-out digits, then the same digits translated to red,
green and blue. The generator is exported to <export_dir>/<version>/ with the multi-domain signatures
(`serving_default`: uint8 images + float32 domains [batch, 3]; `serving_bytes`: PNG/JPEG bytes + domains).
"""

import json
import os

from absl import app, flags
import keras
import numpy as np

import common_flags
import ganzoo

FLAGS = flags.FLAGS

DEFAULTS = dict(
    dataset="colour_digits",
    model_dir="runs/stargan_digits",
    export_dir="saved_models/stargan_digits",
    epochs=24,
    batch_size=16,
    image_size=32,
    n_critic=5,
    attrs=list(ganzoo.data.COLOUR_DOMAINS),
)
common_flags.define(
    DEFAULTS,
    image_size=(flags.DEFINE_integer, DEFAULTS["image_size"], "Side of the square images."),
    n_critic=(flags.DEFINE_integer, DEFAULTS["n_critic"], "Critic updates per generator update."),
    attrs=(
        flags.DEFINE_list,
        DEFAULTS["attrs"],
        "The domains, in domain-vector order (CelebA recipe: attributes).",
    ),
)
# The recipe's own settings; the digits need a far smaller network than CelebA. At 16 px some pairs of
# colours learn to re-label the digits instead of keeping them (tests/models/test_stargan.py), hence 32 px.
_G_FILTERS = 16
_D_FILTERS = 32
_RESIDUAL_BLOCKS = 2
_LEARNING_RATE = 5e-4
_ROWS = 8


def _check_flags():
    if FLAGS.dataset != "colour_digits":
        raise ValueError(f"stargan_digits trains on --dataset=colour_digits; received {FLAGS.dataset!r}.")
    if list(FLAGS.attrs) != list(ganzoo.data.COLOUR_DOMAINS):
        raise ValueError(
            f"stargan_digits' domains are the ink colours {list(ganzoo.data.COLOUR_DOMAINS)}; received "
            f"--attrs={FLAGS.attrs}."
        )


def _schedule(steps):
    # The paper's Adam(1e-4 here 5e-4, 0.5, 0.999), constant for half the run then linearly to 0.
    return ganzoo.schedules.ConstantThenLinearDecay(_LEARNING_RATE, max(steps, 1))


def _strip(model, images):
    rows = [images] + [
        np.asarray(model.translate(images, np.full(len(images), d, np.int32))) for d in range(3)
    ]
    return np.concatenate(rows)


def domain_scores(model, images, domains):
    """D_cls's recognition rate of the requested domain over every (held-out digit, other domain)."""
    hits = []
    for shift in (1, 2):
        targets = (domains + shift) % 3
        outputs = model.translate(images, targets)
        hits.append(np.argmax(np.asarray(model.classify(outputs)), axis=-1) == targets)
    hits = np.concatenate(hits)
    return {"translations": int(hits.size), "domain_rate": float(hits.mean())}


def train_stargan(name):
    _check_flags()
    size = FLAGS.image_size
    test_images, test_domains, _ = ganzoo.data.colour_digits_arrays(size, "test")
    per_step = FLAGS.batch_size * FLAGS.n_critic

    def make_dataset():
        return ganzoo.data.colour_digits(size, batch_size=per_step, split="train", seed=FLAGS.seed)

    steps = (FLAGS.steps_per_epoch or int(make_dataset().cardinality())) * FLAGS.epochs

    def make_model():
        stargan = ganzoo.models.StarGAN(
            (size, size, 3), n_domains=3, domain_type="single", g_base_filters=_G_FILTERS,
            d_base_filters=_D_FILTERS, residual_blocks=_RESIDUAL_BLOCKS,
            # A 2×2 map of patch scores, as the paper's 6 layers at 128 px.
            d_layers=max(1, int(np.log2(size)) - 1), n_critic=FLAGS.n_critic, seed=FLAGS.seed,
        )
        stargan.compile(
            d_optimizer=keras.optimizers.Adam(_schedule(steps * FLAGS.n_critic), 0.5, 0.999),
            g_optimizer=keras.optimizers.Adam(_schedule(steps), 0.5, 0.999),
        )
        return stargan

    def sample_fn(model, n, seed):
        del n, seed
        return _strip(model, test_images[:_ROWS])

    result = ganzoo.training.train(
        common_flags.train_config(name), make_dataset, make_model, sample_fn=sample_fn
    )
    if result.preempted:
        return None
    scores = domain_scores(result.model, test_images, test_domains)
    print(
        f"{name}: D_cls recognises the requested ink colour in {scores['domain_rate']:.3f} of "
        f"{scores['translations']} held-out translations"
    )
    with open(os.path.join(FLAGS.model_dir, "scores.json"), "w") as stream:
        json.dump(scores, stream, indent=1)
    grid = ganzoo.callbacks.image_grid(_strip(result.model, test_images[:_ROWS]), columns=_ROWS)
    keras.utils.save_img(os.path.join(FLAGS.model_dir, "translations.png"), grid, scale=False)
    return scores


def main(argv):
    del argv
    train_stargan("stargan_digits")


if __name__ == "__main__":
    app.run(main)
