"""Digits FID and friends: real held-out digits, an untrained generator, and the recipe's trained DCGAN.

    python benchmarks/digits_fid.py                          # runs the recipe (about 3 min on 2 cores)
    python benchmarks/digits_fid.py --trained=saved_models/dcgan_digits --untrained=...

Every row is scored against the same reference, the digits "train" split (1,433 images), with the same
number of compared images, 364 (the size of the "test" split: FID is biased by the sample count, so rows
are comparable only at equal counts), through the ganzoo digits classifier (seed 0). The generators are
scored from their SavedModel exports with `ganzoo.evaluate.evaluate_saved_model`, the code behind
`python -m ganzoo.evaluate`. Prints a Markdown table for `benchmarks/RESULTS.md`.
"""

import os
import subprocess
import sys
import time

from absl import app, flags

import keras

import ganzoo
from ganzoo import evaluate as evaluate_lib

flags.DEFINE_string("trained", "", "Export of the trained DCGAN; empty: run recipes/dcgan_digits.py.")
flags.DEFINE_string("untrained", "", "Export of an untrained DCGAN; empty: the recipe's, built here.")
flags.DEFINE_string("work_dir", "runs/digits_fid_benchmark", "Where recipe runs and exports go.")
flags.DEFINE_integer("epochs", 20, "Epochs of the recipe run (its default: 20).")
FLAGS = flags.FLAGS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METRICS = "fid,kid,is,pr"
SEED = 0


def run_recipe(name, epochs):
    """Runs recipes/dcgan_digits.py with its defaults but `epochs`; returns the export's base path."""
    model_dir = os.path.join(FLAGS.work_dir, name)
    export_dir = os.path.join(FLAGS.work_dir, name + "_export")
    if not evaluate_lib.existing_export(export_dir):
        started = time.time()
        subprocess.run(
            [sys.executable, os.path.join(ROOT, "recipes", "dcgan_digits.py"), f"--epochs={epochs}",
             f"--model_dir={model_dir}", f"--export_dir={export_dir}", f"--seed={SEED}"],
            check=True,
            stdout=sys.stderr,  # its progress bars; stdout is the table
        )
        print(f"recipe ({epochs} epochs) took {time.time() - started:.0f} s", file=sys.stderr)
    return export_dir


def export_untrained():
    """The recipe's DCGAN as `ganzoo.training.train` builds it (same settings and seed), untrained."""
    export_dir = os.path.join(FLAGS.work_dir, "untrained_export")
    if not evaluate_lib.existing_export(export_dir):
        keras.utils.set_random_seed(SEED)
        gan = ganzoo.models.DCGAN((32, 32, 1), latent_dim=100, base_filters=32, seed=SEED)
        gan.compile()
        ganzoo.export.save(gan, export_dir)
    return export_dir


def score_test_split(classifier, size):
    real, _ = ganzoo.data.digits_arrays(size, split="train")
    test, _ = ganzoo.data.digits_arrays(size, split="test")
    evaluation = ganzoo.metrics.Evaluation(METRICS, classifier, seed=SEED)
    evaluation.add_real(real)
    evaluation.add_generated(test)
    return evaluation.report({
        "reference": f"scikit-learn digits, train split: {len(real)} images, resized to {size}x{size}x1",
        "generated": f"scikit-learn digits, test split: {len(test)} images, resized to {size}x{size}x1",
    })


def row(name, report):
    return (
        f"| {name} | {report['fid']['protocol']['generated_samples']} | {report['fid']['value']:.1f} "
        f"| {report['kid']['value']:.2f} ± {report['kid']['std']:.2f} "
        f"| {report['is']['value']:.2f} ± {report['is']['std']:.2f} "
        f"| {report['pr']['precision']:.2f} | {report['pr']['recall']:.2f} |"
    )


def main(argv):
    del argv
    untrained = FLAGS.untrained or export_untrained()
    trained = FLAGS.trained or run_recipe("trained", FLAGS.epochs)
    classifier = ganzoo.metrics.DigitsClassifier.pretrained(seed=SEED)
    test, _ = ganzoo.data.digits_arrays(None, split="test")
    n = len(test)
    reports = {"real digits, test split": score_test_split(classifier, 32)}
    for name, path in (("untrained DCGAN (the recipe's, before training)", untrained),
                       (f"DCGAN (recipe, {FLAGS.epochs} epochs)", trained)):
        reports[name] = evaluate_lib.evaluate_saved_model(
            path, dataset="digits", split="train", metrics=METRICS, n=n, seed=SEED, extractor="digits"
        )
    print("| compared images | n | digits FID | digits KID | digits IS | precision | recall |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, report in reports.items():
        print(row(name, report))
    print()
    for name, report in reports.items():
        print(f"{name}:\n{evaluate_lib.format_report(report)}\n")


if __name__ == "__main__":
    app.run(main)
