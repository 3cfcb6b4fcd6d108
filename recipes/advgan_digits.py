"""AdvGAN against a digit classifier on scikit-learn's real digits, compared with FGSM and PGD.

    python recipes/advgan_digits.py                                   # a few minutes on 2 CPU cores
    python recipes/advgan_digits.py --classifier=my_classifier.keras  # attack your own classifier
    python recipes/advgan_digits.py --target_class=3                  # a targeted AdvGAN

1. The target: `--classifier` (a `.keras` classifier of [-1, 1] images of side `--image_size`, returning
   logits), or a small convnet trained here on the train split and saved to <model_dir>/classifier.keras
   (a rerun reuses it).
2. AdvGAN trained against it, frozen, on the train split: L_adv + α·L_GAN + β·max(0, ‖δ‖₂ − c).
3. On the held-out digits the classifier gets right: the success rate and the mean L2 / L∞ norms of the
   perturbations ([-1, 1] pixel units, twice [0, 1] units) of FGSM, PGD and AdvGAN at each of
   `--epsilons` (L2; AdvGAN's perturbation projected on the ball), of FGSM and PGD at each of
   `--linf_epsilons`, and of AdvGAN as trained next to FGSM and PGD at its mean L2 norm. Printed, and
   written to <model_dir>/attacks.md and attacks.json, with the classifier's clean accuracy before and
   after (it does not change: the classifier is frozen).
4. <model_dir>/adversarial_strip.png: rows of held-out originals, AdvGAN's perturbations (amplified ×
   `--amplify`, grey is 0) and the adversarial images; the generator exported to <export_dir>/<version>/
   as image -> adversarial image (uint8 and PNG bytes).
"""

import json
import os

from absl import app, flags
import keras
import numpy as np

import common_flags
import ganzoo
from ganzoo import attacks

FLAGS = flags.FLAGS

DEFAULTS = dict(
    dataset="digits",
    model_dir="runs/advgan_digits",
    export_dir="saved_models/advgan_digits",
    epochs=30,
    batch_size=32,
)
common_flags.define(
    DEFAULTS,
    image_size=(flags.DEFINE_integer, 16, "Side of the digits (8x8 originals resized)."),
    classifier=(flags.DEFINE_string, "", "A .keras classifier to attack; empty: train one here."),
    classifier_epochs=(flags.DEFINE_integer, 20, "Epochs of the classifier trained here."),
    c=(flags.DEFINE_float, 2.5, "Bound c of the hinge on ‖δ‖₂, in [-1, 1] pixel units."),
    confidence=(flags.DEFINE_float, 5.0, "κ of the C&W margin loss: the margin AdvGAN aims past."),
    target_class=(flags.DEFINE_integer, -1, "Class to reach (a targeted attack); -1: untargeted."),
    max_perturbation=(flags.DEFINE_float, 0.6, "Per-pixel bound of G's output (0.6 = the paper's 0.3 "
                      "in [0, 1] units)."),
    gan_weight=(flags.DEFINE_float, 0.1, "α, the weight of the GAN loss."),
    hinge_weight=(flags.DEFINE_float, 10.0, "β, the weight of the hinge loss."),
    learning_rate=(flags.DEFINE_float, 2e-3, "Adam's learning rate for both players."),
    base_filters=(flags.DEFINE_integer, 16, "Width of the generator and discriminator."),
    epsilons=(flags.DEFINE_list, ["1.0", "2.0", "2.5", "3.0"], "L2 budgets of the table."),
    linf_epsilons=(flags.DEFINE_list, ["0.1", "0.2", "0.3"], "L∞ budgets of the table."),
    pgd_steps=(flags.DEFINE_integer, 40, "PGD's steps (step size 2.5·ε/steps)."),
    amplify=(flags.DEFINE_float, 4.0, "Amplification of the perturbations in the strip."),
)

_SAMPLE_IMAGES = 3  # held-out digits in the per-epoch sample grids
_STRIP_IMAGES = 10  # held-out digits in the final strip
_RANGE = dict(clip_min=-1.0, clip_max=1.0)


def _digits(split):
    return ganzoo.data.digits_arrays(FLAGS.image_size, split)


def _classifier_path():
    """The target's .keras file: --classifier, or one trained here on the train split (once)."""
    if FLAGS.classifier:
        return FLAGS.classifier
    path = os.path.join(FLAGS.model_dir, "classifier.keras")
    if os.path.exists(path):
        print(f"Reusing the classifier in {path}")
        return path
    keras.utils.set_random_seed(FLAGS.seed)
    classifier = ganzoo.networks.convnet_classifier((FLAGS.image_size, FLAGS.image_size, 1))
    classifier.compile(
        keras.optimizers.Adam(2e-3),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    classifier.fit(*_digits("train"), epochs=FLAGS.classifier_epochs, batch_size=32, verbose=0)
    os.makedirs(FLAGS.model_dir, exist_ok=True)
    classifier.save(path)
    return path


def _accuracy(classifier, images, labels):
    return float(np.mean(np.argmax(classifier.predict(images, verbose=0), axis=-1) == labels))


def _rows(model, images):
    """originals, perturbations (amplified) and adversarial images, as one list for `image_grid`."""
    perturbations = np.clip(FLAGS.amplify * np.asarray(model.perturb(images)), -1.0, 1.0)
    return np.concatenate([images, perturbations, np.asarray(model.translate(images))])


def attack_table(model, images, labels):
    """The rows of the results table, on the held-out digits the classifier gets right."""
    classifier = model.classifier
    targeted = model.targeted
    correct = np.argmax(classifier.predict(images, verbose=0), axis=-1) == labels
    if targeted:
        correct &= labels != model.target_class
        labels = np.full_like(labels, model.target_class)
    common = dict(targeted=targeted, **_RANGE)
    rows = []

    def add(attack, norm, epsilon, adversarial):
        result = attacks.evaluate(classifier, adversarial, images, labels, targeted, mask=correct)
        rows.append(dict(attack=attack, norm=norm, epsilon=epsilon, **result))

    def fgsm_and_pgd(norm, epsilon):
        add("FGSM", norm, epsilon, attacks.fgsm(classifier, images, labels, epsilon, norm=norm, **common))
        add("PGD", norm, epsilon, attacks.pgd(
            classifier, images, labels, epsilon, norm=norm, steps=FLAGS.pgd_steps, seed=FLAGS.seed, **common
        ))

    perturbations = model.generator(images)
    for epsilon in sorted(float(value) for value in FLAGS.epsilons):
        fgsm_and_pgd("L2", epsilon)
        add("AdvGAN", "L2", epsilon, model.clip(images + attacks.project(perturbations, epsilon, "2")))
    for epsilon in sorted(float(value) for value in FLAGS.linf_epsilons):
        fgsm_and_pgd("Linf", epsilon)
    adversarial = model.translate(images)
    add("AdvGAN (as trained)", "L2", None, adversarial)
    mean_l2 = round(rows[-1]["mean_l2"], 3)
    fgsm_and_pgd("L2", mean_l2)  # at AdvGAN's own mean L2 norm
    return rows, int(correct.sum())


def _markdown(rows, counted, clean_before, clean_after, model):
    goal = f"reach class {model.target_class}" if model.targeted else "change the answer"
    lines = [
        f"Attacks on held-out digits ({counted} the classifier gets right; success = {goal}); "
        "norms in [-1, 1] pixel units.",
        "",
        f"Classifier accuracy on clean held-out digits: {clean_before:.4f} before AdvGAN's training, "
        f"{clean_after:.4f} after.",
        "",
        "| attack | norm | ε | success rate | mean L2 | mean L∞ |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        epsilon = "—" if row["epsilon"] is None else f"{row['epsilon']:g}"
        lines.append(
            f"| {row['attack']} | {row['norm']} | {epsilon} | {row['success_rate']:.3f} | "
            f"{row['mean_l2']:.3f} | {row['mean_linf']:.3f} |"
        )
    return "\n".join(lines) + "\n"


def train_advgan(name):
    """Trains AdvGAN as the flags describe, then writes the attack table and the strip; returns the rows."""
    if FLAGS.dataset != "digits":
        raise ValueError(
            f"advgan_digits attacks a classifier of scikit-learn's digits: --dataset must be 'digits'; "
            f"received {FLAGS.dataset!r}."
        )
    classifier_path = _classifier_path()
    test_images, test_labels = _digits("test")
    clean_classifier = keras.saving.load_model(classifier_path, compile=False)
    clean_before = _accuracy(clean_classifier, test_images, test_labels)
    sample_images = test_images[:_SAMPLE_IMAGES]

    def make_dataset():
        return ganzoo.data.digits(
            FLAGS.image_size, batch_size=FLAGS.batch_size, labels=True, split="train", seed=FLAGS.seed
        )

    def make_model():
        # Loaded inside the strategy's scope; its own optimizer is of no use to a frozen target.
        classifier = keras.saving.load_model(classifier_path, compile=False)
        advgan = ganzoo.models.AdvGAN(
            classifier,
            image_shape=(FLAGS.image_size, FLAGS.image_size, 1),
            c=FLAGS.c,
            target_class=None if FLAGS.target_class < 0 else FLAGS.target_class,
            max_perturbation=FLAGS.max_perturbation,
            confidence=FLAGS.confidence,
            base_filters=FLAGS.base_filters,
            seed=FLAGS.seed,
        )
        advgan.compile(
            d_optimizer=keras.optimizers.Adam(FLAGS.learning_rate, beta_1=0.5),
            g_optimizer=keras.optimizers.Adam(FLAGS.learning_rate, beta_1=0.5),
            gan_weight=FLAGS.gan_weight,
            hinge_weight=FLAGS.hinge_weight,
        )
        return advgan

    def sample_fn(model, n, seed):
        del n, seed  # the grids show the same held-out digits at every epoch
        images = _rows(model, sample_images)
        return images.reshape(3, _SAMPLE_IMAGES, *images.shape[1:]).transpose(1, 0, 2, 3, 4).reshape(
            images.shape
        )  # one digit per row: original | perturbation | adversarial

    result = ganzoo.training.train(
        common_flags.train_config(name), make_dataset, make_model, sample_fn=sample_fn
    )
    if result.preempted:
        return None
    model = result.model

    rows, counted = attack_table(model, test_images, test_labels)
    clean_after = _accuracy(model.classifier, test_images, test_labels)
    table = _markdown(rows, counted, clean_before, clean_after, model)
    print(table)
    with open(os.path.join(FLAGS.model_dir, "attacks.md"), "w") as stream:
        stream.write(table)
    with open(os.path.join(FLAGS.model_dir, "attacks.json"), "w") as stream:
        json.dump(dict(rows=rows, clean_accuracy_before=clean_before, clean_accuracy_after=clean_after,
                       images=counted), stream, indent=1)
    strip = ganzoo.callbacks.image_grid(_rows(model, test_images[:_STRIP_IMAGES]), columns=_STRIP_IMAGES)
    keras.utils.save_img(os.path.join(FLAGS.model_dir, "adversarial_strip.png"), strip, scale=False)
    return rows


def main(argv):
    del argv
    train_advgan("advgan_digits")


if __name__ == "__main__":
    app.run(main)
