"""StarGAN on CelebA: one generator for hair colour, gender and age, the paper's CelebA setting.

    python recipes/stargan_celeba.py --data_dir=~/tensorflow_datasets        # tfds celeb_a, prepared
    python recipes/stargan_celeba.py --dataset=folder:img_align_celeba --attr_csv=list_attr.csv
    python recipes/stargan_celeba.py --attrs=Blond_Hair,Male --image_size=64 --epochs=1 --steps_per_epoch=50

Data: `--dataset=celeb_a` reads tfds's `celeb_a` (which TFDS cannot download by itself: prepare it with
the manual files first); `--dataset=folder:PATH` reads PATH's images named in `--attr_csv` (a CSV with a
header `filename,<attribute>,...`, values 1/0 or 1/-1). Both centre-crop 178×178 and resize to
`--image_size`. The domains are `--attrs` (the paper's default: Black_Hair, Blond_Hair, Brown_Hair,
Male, Young), multi-label, with sigmoid cross-entropy.

The paper's settings are the defaults: 128 px, batch 16, n_critic 5, λ_cls 1, λ_rec 10, λ_gp 10,
Adam(1e-4, 0.5, 0.999) decayed linearly to 0 over the second half, 6 residual blocks, 64 filters,
a 6-layer discriminator (at 128 px; log2(size) − 1 layers in general). The paper runs 200k generator
updates; one epoch here is a pass over the data in batches of batch_size × n_critic. The generator is
exported to <export_dir>/<version>/ with the multi-domain signatures.
"""

from absl import app, flags
import keras
import numpy as np

import common_flags
import ganzoo

FLAGS = flags.FLAGS

DEFAULTS = dict(
    dataset="celeb_a",
    model_dir="runs/stargan_celeba",
    export_dir="saved_models/stargan_celeba",
    epochs=20,
    batch_size=16,
    image_size=128,
    n_critic=5,
    attrs=list(ganzoo.data.CELEBA_DEFAULT_ATTRS),
    attr_csv="",
)
common_flags.define(
    DEFAULTS,
    image_size=(flags.DEFINE_integer, DEFAULTS["image_size"], "Side of the square images."),
    n_critic=(flags.DEFINE_integer, DEFAULTS["n_critic"], "Critic updates per generator update."),
    attrs=(flags.DEFINE_list, DEFAULTS["attrs"], "The attributes, in domain-vector order."),
    attr_csv=(
        flags.DEFINE_string,
        DEFAULTS["attr_csv"],
        "With --dataset=folder:PATH: the CSV of file names and attributes.",
    ),
)
_LEARNING_RATE = 1e-4
_SAMPLE_IMAGES = 4


def _dataset(batch_size, seed, shuffle=True):
    size = FLAGS.image_size
    if FLAGS.dataset == "celeb_a":
        return ganzoo.data.celeb_a_attributes(
            FLAGS.attrs, "train", size, batch_size, data_dir=FLAGS.data_dir, seed=seed, shuffle=shuffle
        )
    if FLAGS.dataset.startswith("folder:"):
        if not FLAGS.attr_csv:
            raise ValueError("--dataset=folder:PATH needs --attr_csv=CSV (file names and attributes).")
        return ganzoo.data.attribute_folder(
            FLAGS.dataset[len("folder:"):], FLAGS.attr_csv, FLAGS.attrs, size, batch_size,
            crop=ganzoo.data.domains.CELEBA_CROP, seed=seed, shuffle=shuffle,
            on_bad_image=FLAGS.on_bad_image,
        )
    raise ValueError(f"--dataset must be celeb_a or folder:PATH; received {FLAGS.dataset!r}.")


def _strip(model, images, attributes):
    """Each sample image, then it with each attribute flipped in turn."""
    rows = [images]
    for index in range(attributes.shape[1]):
        flipped = attributes.copy()
        flipped[:, index] = 1.0 - flipped[:, index]
        rows.append(np.asarray(model.translate(images, flipped)))
    return np.stack(rows, axis=1).reshape(-1, *images.shape[1:])


def train_stargan(name):
    size = FLAGS.image_size
    per_step = FLAGS.batch_size * FLAGS.n_critic
    sample_images, sample_attributes = next(iter(_dataset(_SAMPLE_IMAGES, FLAGS.seed, shuffle=False)))
    sample_images, sample_attributes = np.asarray(sample_images), np.asarray(sample_attributes)

    def make_dataset():
        return _dataset(per_step, FLAGS.seed)

    steps_per_epoch = FLAGS.steps_per_epoch or int(make_dataset().cardinality())
    steps = max(1, steps_per_epoch * FLAGS.epochs) if steps_per_epoch > 0 else 1

    def make_model():
        stargan = ganzoo.models.StarGAN(
            (size, size, 3), n_domains=len(FLAGS.attrs), domain_type="multi",
            d_layers=max(1, int(np.log2(size)) - 1), n_critic=FLAGS.n_critic, seed=FLAGS.seed,
        )
        stargan.compile(
            d_optimizer=keras.optimizers.Adam(
                ganzoo.schedules.ConstantThenLinearDecay(_LEARNING_RATE, steps * FLAGS.n_critic), 0.5, 0.999
            ),
            g_optimizer=keras.optimizers.Adam(
                ganzoo.schedules.ConstantThenLinearDecay(_LEARNING_RATE, steps), 0.5, 0.999
            ),
        )
        return stargan

    def sample_fn(model, n, seed):
        del n, seed
        return _strip(model, sample_images, sample_attributes)

    result = ganzoo.training.train(
        common_flags.train_config(name), make_dataset, make_model, sample_fn=sample_fn
    )
    return result


def main(argv):
    del argv
    train_stargan("stargan_celeba")


if __name__ == "__main__":
    app.run(main)
