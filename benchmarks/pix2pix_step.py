"""The pix2pix train step through `fit()`, against a plain `@tf.function` loop over the same nets.

    python benchmarks/pix2pix_step.py                     # 256 px, batch 1, the paper's networks

Both run the same algorithm (one U-Net forward, the halved PatchGAN loss, the generator's
non-saturating + 100·L1 loss against the updated discriminator, Adam(2e-4, 0.5) for each player) on the
same nets and the same in-memory batch, so the ratio is the cost of ganzoo's plumbing and Keras' `fit`
(callbacks, metrics, the distribution-aware reduction) over the bare computation. Short rounds alternate
between the two to spread the noise of a shared machine, and both wall-clock and process CPU seconds
per step are reported (medians over rounds): on a machine that other jobs share, the CPU time the step
costs is the steadier of the two.
"""

import json

from absl import app, flags
import keras
import tensorflow as tf

import _timing
import ganzoo

FLAGS = flags.FLAGS
flags.DEFINE_integer("image_size", 256, "Side of the images.")
flags.DEFINE_integer("batch_size", 1, "Pairs per step.")
flags.DEFINE_integer("base_filters", 64, "Width of the networks (64 in the paper).")
flags.DEFINE_integer("steps", 3, "Timed steps per round.")
flags.DEFINE_integer("rounds", 8, "Alternating rounds of each.")


def _plain_step(generator, discriminator, d_optimizer, g_optimizer):
    @tf.function
    def step(inputs, targets):
        with tf.GradientTape() as g_tape:
            outputs = generator(inputs, training=True)
        with tf.GradientTape() as d_tape:
            real = discriminator([inputs, targets], training=True)
            fake = discriminator([inputs, tf.stop_gradient(outputs)], training=True)
            d_loss = 0.5 * (tf.reduce_mean(tf.nn.softplus(-real)) + tf.reduce_mean(tf.nn.softplus(fake)))
        variables = discriminator.trainable_variables
        d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, variables), variables))
        with g_tape:
            fooled = discriminator([inputs, outputs], training=True)
            g_loss = tf.reduce_mean(tf.nn.softplus(-fooled)) + 100.0 * tf.reduce_mean(
                tf.abs(outputs - targets)
            )
        variables = generator.trainable_variables
        g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, variables), variables))
        return d_loss, g_loss

    return step


def main(argv):
    del argv
    shape = (FLAGS.image_size, FLAGS.image_size, 3)
    batch = tf.random.stateless_uniform((2, FLAGS.batch_size, *shape), [0, 1], minval=-1.0, maxval=1.0)
    inputs, targets = batch[0], batch[1]
    dataset = tf.data.Dataset.from_tensors((inputs, targets)).repeat().prefetch(2)

    keras.utils.set_random_seed(0)
    model = ganzoo.models.Pix2Pix(shape, base_filters=FLAGS.base_filters, seed=0)
    model.compile()
    bare = ganzoo.models.Pix2Pix(shape, base_filters=FLAGS.base_filters, seed=0)
    step = _plain_step(
        bare.generator,
        bare.discriminator,
        keras.optimizers.Adam(2e-4, beta_1=0.5),
        keras.optimizers.Adam(2e-4, beta_1=0.5),
    )

    def run_fit(steps):
        model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)

    def run_plain(steps):
        for _ in range(steps):
            losses = step(inputs, targets)
        [loss.numpy() for loss in losses]

    # Two warm-up steps each trace and build.
    timings = _timing.medians(
        _timing.time_rounds({"fit": run_fit, "plain": run_plain}, FLAGS.steps, FLAGS.rounds, warmup=2)
    )

    result = {
        "image_size": FLAGS.image_size,
        "batch_size": FLAGS.batch_size,
        "device": _timing.device(),
    }
    for clock in _timing.CLOCKS:
        fit_step = timings["fit"][clock]
        plain_step = timings["plain"][clock]
        result[f"fit_{clock}_seconds_per_step"] = round(fit_step, 3)
        result[f"plain_{clock}_seconds_per_step"] = round(plain_step, 3)
        result[f"{clock}_ratio"] = round(fit_step / plain_step, 3)
    print(json.dumps(result))


if __name__ == "__main__":
    app.run(main)
