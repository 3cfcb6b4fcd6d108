"""pix2pix: held-out L1 of instance normalisation against BatchNorm, on the real facades at 64 px.

    python benchmarks/pix2pix_normalisation.py --data_dir=../shared/data/facades --steps=400

Trains two pix2pix models with the same seed, data and steps (batch 1, labels -> photos), one with
instance normalisation (ganzoo's default) and one with BatchNorm, and reports the mean L1 on the 100 val
pairs ([-1, 1] pixel units) of:

- instance:           the instance-normalised generator as trained and served;
- batch, moving:      the BatchNorm generator served as Keras infers, with the moving averages;
- batch, per-image:   the same BatchNorm weights served with each image's own statistics (the paper's
                      test time, without its dropout), by copying them into an instance-norm U-Net;
- identity:           the input itself, the trivial baseline.
"""

import json
import time

from absl import app, flags
import keras
import numpy as np
import tensorflow as tf

import ganzoo

FLAGS = flags.FLAGS
flags.DEFINE_string("data_dir", "../shared/data/facades", "Folder holding train/ and val/.")
flags.DEFINE_integer("steps", 400, "Training steps (batch 1) of each model.")
flags.DEFINE_integer("image_size", 64, "Side of the images.")
flags.DEFINE_integer("base_filters", 64, "Width of the networks (64 in the paper).")
flags.DEFINE_integer("seed", 0, "Seed of weights, data order and dropout.")


def _val_pairs():
    dataset = ganzoo.data.paired_images(
        FLAGS.data_dir, "val", image_size=FLAGS.image_size, batch_size=100, direction="BtoA"
    )
    return next(iter(dataset))


def _mean_l1(outputs, targets):
    return float(tf.reduce_mean(tf.abs(outputs - targets)))


def _train(norm):
    keras.utils.set_random_seed(FLAGS.seed)
    model = ganzoo.models.Pix2Pix(
        (FLAGS.image_size, FLAGS.image_size, 3),
        base_filters=FLAGS.base_filters,
        norm=norm,
        seed=FLAGS.seed,
    )
    model.compile()
    train = ganzoo.data.paired_images(
        FLAGS.data_dir, "train", image_size=FLAGS.image_size, batch_size=1, direction="BtoA",
        seed=FLAGS.seed, repeat=True,
    )
    started = time.perf_counter()
    model.fit(train, steps_per_epoch=FLAGS.steps, epochs=1, verbose=0)
    return model, time.perf_counter() - started


def _per_image_copy(batch_norm_generator):
    """The BatchNorm generator's weights in an instance-norm U-Net: per-image statistics at inference."""
    instance = ganzoo.networks.unet_generator(
        (FLAGS.image_size, FLAGS.image_size, 3), base_filters=FLAGS.base_filters, norm="instance"
    )
    for layer in instance.layers:
        source = batch_norm_generator.get_layer(layer.name)
        if isinstance(layer, keras.layers.GroupNormalization):
            layer.set_weights([source.gamma.numpy(), source.beta.numpy()])
        elif layer.weights:
            layer.set_weights(source.get_weights())
    return instance


def main(argv):
    del argv
    inputs, targets = _val_pairs()
    results = {"steps": FLAGS.steps, "image_size": FLAGS.image_size}
    results["identity"] = _mean_l1(inputs, targets)
    instance, seconds = _train("instance")
    results["instance"] = _mean_l1(instance.translate(inputs), targets)
    results["instance_seconds"] = round(seconds, 1)
    batch, seconds = _train("batch")
    results["batch_moving"] = _mean_l1(batch.translate(inputs), targets)
    results["batch_per_image"] = _mean_l1(_per_image_copy(batch.generator)(inputs), targets)
    results["batch_seconds"] = round(seconds, 1)
    results["untrained"] = _mean_l1(
        ganzoo.models.Pix2Pix(
            (FLAGS.image_size, FLAGS.image_size, 3), base_filters=FLAGS.base_filters, seed=FLAGS.seed
        ).translate(inputs),
        targets,
    )
    print(json.dumps({key: round(value, 4) if isinstance(value, float) else value
                      for key, value in results.items()}))


if __name__ == "__main__":
    app.run(main)
