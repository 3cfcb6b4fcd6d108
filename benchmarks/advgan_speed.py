"""AdvGAN's one forward pass against PGD's iterations: time per adversarial image, same process.

    python recipes/advgan_digits.py                 # trains runs/advgan_digits/model.keras
    python benchmarks/advgan_speed.py --model=runs/advgan_digits/model.keras

On the held-out digits, in batches of each of `--batch_sizes`: AdvGAN's `translate` (compiled with
tf.function) against `ganzoo.attacks.pgd` under L2 at AdvGAN's own mean L2 norm, with `--pgd_steps`
steps (random start included), both attacking the same classifier in the same process. Each timing is the
median of `--repeats` passes over the images after one untimed pass (tracing), in wall-clock time and
in process CPU time (the steadier figure on a machine shared with other jobs). Success rates are printed
too, so the speed is compared at the same budget. Without `--model`, an untrained AdvGAN of the recipe's
architecture is timed (the time does not depend on the weights; the success rates then mean nothing).
"""

import os
import statistics
import time

from absl import app, flags
import keras
import numpy as np
import tensorflow as tf

import ganzoo
from ganzoo import attacks

FLAGS = flags.FLAGS
flags.DEFINE_string("model", "runs/advgan_digits/model.keras", "The recipe's trained AdvGAN.")
flags.DEFINE_list("batch_sizes", ["1", "364"], "Batch sizes to time (364: the whole held-out split).")
flags.DEFINE_list("pgd_steps", ["10", "40"], "PGD step counts to time.")
flags.DEFINE_integer("repeats", 5, "Timed passes per setting; the median is reported.")
flags.DEFINE_integer("max_images", 364, "Held-out digits timed per pass (fewer for batch 1 if slow).")


def _load_model():
    if os.path.exists(FLAGS.model):
        return keras.saving.load_model(FLAGS.model), True
    print(f"No model at {FLAGS.model}: timing an untrained AdvGAN of the recipe's architecture.")
    classifier = ganzoo.networks.convnet_classifier((16, 16, 1))
    return ganzoo.models.AdvGAN(classifier, c=2.5, seed=0), False


def _seconds_per_image(attack, images, labels, batch_size):
    """(wall, process CPU) seconds per image: medians over repeats of one pass over `images` in batches."""
    starts = range(0, len(images) - batch_size + 1, batch_size)
    batches = [(images[i : i + batch_size], labels[i : i + batch_size]) for i in starts]
    count = batch_size * len(batches)

    def one_pass():
        for batch, batch_labels in batches:
            np.asarray(attack(batch, batch_labels))  # waits for the result

    one_pass()  # traces the graphs
    wall, cpu = [], []
    for _ in range(FLAGS.repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        one_pass()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall) / count, statistics.median(cpu) / count


def main(argv):
    del argv
    model, trained = _load_model()
    classifier = model.classifier
    size = model.image_shape[0]
    images, labels = ganzoo.data.digits_arrays(size, "test")
    images, labels = images[: FLAGS.max_images], labels[: FLAGS.max_images]
    correct = np.argmax(classifier.predict(images, verbose=0), axis=-1) == labels

    translate = tf.function(lambda batch: model.translate(batch), reduce_retracing=True)
    adversarial = translate(tf.constant(images))
    advgan = attacks.evaluate(classifier, adversarial, images, labels, mask=correct)
    epsilon = advgan["mean_l2"]
    print(f"device: {tf.config.list_logical_devices()[-1].device_type}; "
          f"{len(images)} held-out digits of {size}x{size}; model {'trained' if trained else 'untrained'}")
    print(f"AdvGAN: success {advgan['success_rate']:.3f} at mean L2 {epsilon:.3f}")

    def pgd(steps):
        def attack(batch, batch_labels):
            return attacks.pgd(classifier, batch, batch_labels, epsilon, norm="2", steps=steps, seed=0,
                               clip_min=-1.0, clip_max=1.0)
        return attack

    print("| batch | attack | success | ms / image (wall) | PGD / AdvGAN (wall) | PGD / AdvGAN (CPU) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for batch_size in (int(value) for value in FLAGS.batch_sizes):
        advgan_time, advgan_cpu = _seconds_per_image(
            lambda batch, _: translate(tf.constant(batch)), images, labels, batch_size
        )
        print(f"| {batch_size} | AdvGAN (1 forward pass) | {advgan['success_rate']:.3f} | "
              f"{1e3 * advgan_time:.3f} | 1 | 1 |")
        for steps in (int(value) for value in FLAGS.pgd_steps):
            pgd_time, pgd_cpu = _seconds_per_image(pgd(steps), images, labels, batch_size)
            result = attacks.evaluate(
                classifier, pgd(steps)(images, labels), images, labels, mask=correct
            )
            print(f"| {batch_size} | PGD-L2, {steps} steps, ε = {epsilon:.3f} | "
                  f"{result['success_rate']:.3f} | {1e3 * pgd_time:.3f} | {pgd_time / advgan_time:.1f}× | "
                  f"{pgd_cpu / advgan_cpu:.1f}× |")


if __name__ == "__main__":
    app.run(main)
