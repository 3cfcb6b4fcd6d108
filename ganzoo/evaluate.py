"""Scores an exported generator: FID, KID, Inception Score, precision/recall, mode coverage.

    python -m ganzoo.evaluate --saved_model=saved_models/dcgan_digits --dataset=digits \\
        --metrics=fid,kid,is,pr --n=10000 [--json]

Loads the SavedModel with `tf.saved_model.load` (ganzoo's models are not needed, only the export) and
calls its `serving_default` signature, whose inputs say how to sample it:

- `z` (unconditional): z ~ N(0, I) from a seeded generator, the latent size read from the signature;
- `z` and `labels` (class-conditional): labels uniform over `--n_classes`;
- `images` (image-to-image): inputs from `--input_dataset`, translated once each.

The outputs (uint8 `images`, or float `samples` for 2-D data) are scaled to [-1, 1]. The reference
images come from `--dataset` at the generator's height, width and channels (antialiased bilinear
resize). Images stream through the feature extractor batch by batch behind a progress bar (on stderr),
and each figure is printed with its protocol: extractor, resize, sample counts, reference split, seed.
`--json` prints one JSON object instead.

Datasets: digits | folder:PATH | tfds:NAME | idx:PATH (`ganzoo.data.from_spec`), and stacked_digits
and mixture:ring|grid for the mode-coverage benchmarks (`--metrics=modes`).
"""

import contextlib
import json
import os
import re
import sys

from absl import app, flags

import keras
import numpy as np
import tensorflow as tf

from ganzoo import data as data_lib
from ganzoo.metrics import evaluation as evaluation_lib
from ganzoo.metrics import extractors as extractors_lib
from ganzoo.metrics import mode_coverage
from ganzoo.metrics.extractors import WeightsNotFoundError
from ganzoo.metrics.stacked_digits import stacked_digits_arrays, stacked_modes, statistics_of_modes

FLAGS = flags.FLAGS
DATASET_FORMS = f"{data_lib.DATASET_FORMS} | stacked_digits | mixture:ring|grid"
METRICS = evaluation_lib.METRICS + ("modes",)

_FLAGS = {
    "saved_model": (flags.DEFINE_string, None, "The export: a version directory, or the base path "
                    "(then the newest version is scored)."),
    "dataset": (flags.DEFINE_string, "digits", f"Reference data: {DATASET_FORMS}."),
    "split": (flags.DEFINE_string, "train", "Reference split (digits: train|test|all; tfds: any split "
              "string). Ignored by folders and IDX files."),
    "data_dir": (flags.DEFINE_string, None, "Where tensorflow-datasets keeps its data."),
    "input_dataset": (flags.DEFINE_string, None, "Image-to-image exports: the images to translate "
                      f"({data_lib.DATASET_FORMS})."),
    "input_split": (flags.DEFINE_string, "test", "Split of --input_dataset (digits, tfds)."),
    "metrics": (flags.DEFINE_string, "fid,kid,is,pr", f"Comma-separated, from: {', '.join(METRICS)}."),
    "n": (flags.DEFINE_integer, 10000, "Generated samples."),
    "n_real": (flags.DEFINE_integer, 0, "Reference images at most (0: the whole split)."),
    "batch_size": (flags.DEFINE_integer, 250, "Samples generated and extracted per batch."),
    "seed": (flags.DEFINE_integer, 0, "Seed of z, labels, KID subsets and reference order."),
    "n_classes": (flags.DEFINE_integer, 10, "Classes of a class-conditional export (labels uniform)."),
    "extractor": (flags.DEFINE_string, "auto", "digits | inception | identity | auto (digits for "
                  "--dataset=digits, identity for mixtures, inception otherwise)."),
    "weights": (flags.DEFINE_string, "imagenet", "InceptionV3 weights: 'imagenet' (Keras' cache only; "
                "never downloaded) or a path to the .h5 file."),
    "extractor_cache": (flags.DEFINE_string, "", "A .keras file for the digits classifier: loaded if "
                        "present, else trained and saved there."),
    "kid_subsets": (flags.DEFINE_integer, 100, "KID: random subsets."),
    "kid_subset_size": (flags.DEFINE_integer, 1000, "KID: features per subset and set."),
    "is_splits": (flags.DEFINE_integer, 10, "Inception Score: splits."),
    "pr_k": (flags.DEFINE_integer, 3, "Precision/recall: neighbourhood size k."),
    "json": (flags.DEFINE_boolean, False, "Print one JSON object instead of text."),
}


def define_flags():
    """Defines the command's flags. One that another module in the process defined already (a test
    process imports recipes too: --dataset, --data_dir, --batch_size, --seed) is left as it is, default
    included, so importing this module never changes a recipe's defaults; `python -m ganzoo.evaluate`
    defines them all afresh."""
    for name, (definer, default, help_text) in _FLAGS.items():
        if name not in FLAGS:
            definer(name, default, help=help_text)


define_flags()


# -- the export ---------------------------------------------------------------------------------------

_VERSION = re.compile(r"^[1-9][0-9]*$")


def resolve_saved_model(path):
    """A SavedModel directory: `path` itself, or its newest numbered version (TF Serving's layout)."""
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return path
    if os.path.isdir(path):
        versions = sorted(
            (int(name) for name in os.listdir(path) if _VERSION.match(name)
             and os.path.isfile(os.path.join(path, name, "saved_model.pb"))),
        )
        if versions:
            return os.path.join(path, str(versions[-1]))
    raise FileNotFoundError(
        f"no SavedModel at {path!r}: expected saved_model.pb there or in a numbered version folder."
    )


def existing_export(path):
    """Whether `path` holds a SavedModel (itself or a numbered version)."""
    try:
        resolve_saved_model(path)
        return True
    except FileNotFoundError:
        return False


def _from_uint8_or_float(outputs):
    if "images" in outputs:
        images = outputs["images"]
        if images.dtype == tf.uint8:
            return images.numpy().astype(np.float32) / 127.5 - 1.0
        return np.asarray(images, np.float32)
    if "samples" in outputs:
        return np.asarray(outputs["samples"], np.float32)
    raise ValueError(f"serving_default returns {sorted(outputs)}; expected `images` or `samples`.")


class SavedModelSampler:
    """Draws samples from an export's `serving_default` signature, as its inputs dictate.

    Args:
        path: the SavedModel directory.
        seed: seed of z and labels.
        n_classes: classes of a class-conditional export.
        input_batches: an iterator of image batches in [-1, 1] (image-to-image exports); settable later.
    """

    def __init__(self, path, seed=0, n_classes=10, input_batches=None):
        self.path = path
        self.loaded = tf.saved_model.load(path)
        if "serving_default" not in self.loaded.signatures:
            raise ValueError(f"{path} has no serving_default signature.")
        self.signature = self.loaded.signatures["serving_default"]
        _, self.specs = self.signature.structured_input_signature
        names = set(self.specs)
        if names == {"z"}:
            self.kind = "unconditional"
        elif names == {"z", "labels"}:
            self.kind = "class_conditional"
        elif names == {"images"}:
            self.kind = "image_to_image"
        else:
            raise ValueError(
                f"serving_default takes {sorted(names)}; ganzoo.evaluate samples signatures taking z, "
                "z and labels, or images."
            )
        if self.kind != "image_to_image":
            self.latent_dim = int(self.specs["z"].shape[-1])
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.n_classes = int(n_classes)
        self.input_batches = input_batches

    @property
    def input_shape(self):
        """(H, W, C) of an image-to-image export's inputs."""
        return tuple(int(size) for size in self.specs["images"].shape[1:])

    def sample(self, count):
        """Up to `count` samples in [-1, 1] (fewer when an image-to-image input stream runs out)."""
        if self.kind == "image_to_image":
            if self.input_batches is None:
                raise ValueError(f"{self.path} translates images: set input_batches (--input_dataset).")
            batch = next(self.input_batches, None)
            if batch is None:
                return None
            uint8 = np.clip(np.round((np.asarray(batch)[:count] + 1.0) * 127.5), 0, 255).astype(np.uint8)
            return _from_uint8_or_float(self.signature(images=tf.constant(uint8)))
        inputs = {"z": tf.constant(self.rng.standard_normal((count, self.latent_dim)), tf.float32)}
        if self.kind == "class_conditional":
            inputs["labels"] = tf.constant(self.rng.integers(0, self.n_classes, count), tf.int32)
        return _from_uint8_or_float(self.signature(**inputs))

    def describe(self):
        if self.kind == "image_to_image":
            return f"{self.path} serving_default: translations of the input images"
        text = f"{self.path} serving_default: z ~ N(0, I) [{self.latent_dim}] (numpy seed {self.seed})"
        if self.kind == "class_conditional":
            text += f", labels uniform over {self.n_classes} classes"
        return text


# -- reference data ---------------------------------------------------------------------------------

def _array_batches(images, batch_size):
    for start in range(0, len(images), batch_size):
        yield images[start : start + batch_size]


def _capped(batches, limit):
    """Batches up to `limit` images in all (None or 0: no limit)."""
    seen = 0
    for batch in batches:
        batch = np.asarray(batch)
        if limit:
            batch = batch[: limit - seen]
        if len(batch) == 0:
            return
        seen += len(batch)
        yield batch
        if limit and seen >= limit:
            return


def image_batches(spec, shape, split, batch_size, limit=0, data_dir=None, seed=0):
    """Batches of images from a `--dataset` value at (H, W, C), and a description of the source.

    Every image of the split is used (up to `limit`): no batch remainder is dropped.
    """
    height, width, channels = shape
    if spec == "stacked_digits":
        count = limit or 10000
        images, _ = stacked_digits_arrays(count, (height, width), split=split, seed=seed + 1)
        return _array_batches(images, batch_size), (
            f"stacked_digits: {count} triples of scikit-learn digits ({split} split), seed {seed + 1}"
        )
    kind, argument = data_lib.parse_spec(spec)
    if kind == "digits":
        images, _ = data_lib.digits_arrays((height, width), split=split)
        if channels == 3:
            images = np.repeat(images, 3, axis=-1)
        source = f"scikit-learn digits, {split} split" + (f" (first {limit})" if limit else "")
        return _capped(_array_batches(images, batch_size), limit), source
    common = dict(image_size=(height, width), batch_size=1, channels=channels, seed=seed)
    if kind == "tfds":
        dataset = data_lib.tfds_images(argument, split=split, data_dir=data_dir, **common)
        source = f"tfds:{argument}, split {split!r}"
    else:
        dataset = data_lib.from_spec(spec, data_dir=data_dir, **common)
        source = spec
    dataset = dataset.unbatch().batch(batch_size)
    return _capped(dataset.as_numpy_iterator(), limit), source + (f" (first {limit})" if limit else "")


def mixture_batches(kind, batch_size, count, seed):
    stream = data_lib.mixture_2d(kind, batch_size=batch_size, seed=seed).as_numpy_iterator()
    return _capped(stream, count), f"mixture_2d({kind!r}), {count} samples, seed {seed}"


# -- the run ----------------------------------------------------------------------------------------

def _progress(target, title):
    print(title, file=sys.stderr)
    with contextlib.redirect_stdout(sys.stderr):
        return keras.utils.Progbar(target, unit_name="sample")


def _update(bar, value):
    with contextlib.redirect_stdout(sys.stderr):
        bar.update(value)


def _default_extractor(spec):
    if spec == "digits":
        return "digits"
    if spec.startswith("mixture:"):
        return "identity"
    return "inception"


def evaluate_saved_model(
    saved_model,
    dataset="digits",
    metrics="fid,kid,is,pr",
    n=10000,
    split="train",
    n_real=0,
    batch_size=250,
    seed=0,
    n_classes=10,
    extractor="auto",
    weights="imagenet",
    extractor_cache="",
    input_dataset=None,
    input_split="test",
    data_dir=None,
    kid_subsets=100,
    kid_subset_size=1000,
    is_splits=10,
    pr_k=3,
):
    """Scores an export; returns {metric: {figures..., "protocol": {...}}}. Arguments as the flags."""
    if isinstance(metrics, str):
        metrics = metrics.split(",")
    names = [name.strip() for name in metrics if name.strip()]
    unknown = [name for name in names if name not in METRICS]
    if unknown or not names:
        raise ValueError(f"unknown --metrics {unknown or names}; choose from {', '.join(METRICS)}.")
    feature_metrics = [name for name in names if name != "modes"]
    mixture = dataset[len("mixture:"):] if dataset.startswith("mixture:") else None
    if "modes" in names and not (mixture or dataset == "stacked_digits"):
        raise ValueError("--metrics=modes needs --dataset=stacked_digits or mixture:ring|grid.")
    if n < 2:
        raise ValueError(f"--n must be at least 2; received {n}.")

    path = resolve_saved_model(saved_model)
    sampler = SavedModelSampler(path, seed=seed, n_classes=n_classes)
    if sampler.kind == "image_to_image":
        if not input_dataset:
            raise ValueError(f"{path} translates images: pass --input_dataset, the images to translate.")
        inputs, input_source = image_batches(
            input_dataset, sampler.input_shape, input_split, batch_size, n, data_dir, seed
        )
        sampler.input_batches = iter(inputs)

    extractor_name = _default_extractor(dataset) if extractor == "auto" else extractor
    evaluation = None
    if feature_metrics:
        needs_top = "is" in feature_metrics
        feature_extractor = extractors_lib.get(
            extractor_name, weights=weights, with_top=needs_top, cache_path=extractor_cache or None
        )
        evaluation = evaluation_lib.Evaluation(
            feature_metrics, feature_extractor, kid_subsets=kid_subsets,
            kid_subset_size=kid_subset_size, is_splits=is_splits, pr_k=pr_k, seed=seed,
        )
    classifier = None
    if "modes" in names and dataset == "stacked_digits":
        classifier = extractors_lib.DigitsClassifier.pretrained(cache_path=extractor_cache or None)

    # Generated samples, streamed: each batch is extracted (and mode-counted) and then dropped.
    bar = _progress(n, f"Generating and extracting {n} samples from {path}")
    generated, shape, modes, mixture_samples = 0, None, [], []
    while generated < n:
        samples = sampler.sample(min(batch_size, n - generated))
        if samples is None:
            break
        shape = samples.shape[1:]
        if evaluation is not None:
            evaluation.add_generated(samples)
        if classifier is not None:
            modes.append(stacked_modes(samples, classifier))
        if mixture and "modes" in names:
            mixture_samples.append(samples)
        generated += len(samples)
        _update(bar, generated)

    report = {}
    common_protocol = {"generated": f"{generated} samples from {sampler.describe()}"}
    if sampler.kind == "image_to_image":
        common_protocol["inputs"] = input_source
    if evaluation is not None:
        if evaluation.needs_real:
            if mixture:
                batches, source = mixture_batches(mixture, batch_size, n_real or n, seed + 1)
            else:
                batches, source = image_batches(dataset, shape, split, batch_size, n_real, data_dir, seed)
            bar = _progress(n_real or None, f"Extracting reference data: {source}")
            for batch in batches:
                evaluation.add_real(batch)
                _update(bar, evaluation.real_count)
            print(file=sys.stderr)
            reference = f"{source}: {evaluation.real_count} {'samples' if mixture else 'images'}"
            if not mixture:
                reference += f", resized to {shape[0]}x{shape[1]}x{shape[2]} (bilinear, antialiased)"
            common_protocol = {"reference": reference, **common_protocol}
        print("Computing " + ", ".join(feature_metrics), file=sys.stderr)
        report.update(evaluation.report(common_protocol))
    if "modes" in names:
        report["modes"] = _mode_report(mixture, mixture_samples, modes, common_protocol)
    return report


def _mode_report(mixture, mixture_samples, modes, protocol):
    if mixture:
        centres, std = data_lib.mixture_2d_modes(mixture)
        stats = mode_coverage.mode_statistics(np.concatenate(mixture_samples), centres, std)
        return {
            "modes": stats.modes,
            "total_modes": stats.total_modes,
            "high_quality": stats.high_quality,
            "reverse_kl": stats.reverse_kl,
            "protocol": {
                "method": f"nearest of the {stats.total_modes} {mixture} modes; captured with >= 20 samples "
                "within 3 std; reverse KL of the nearest-mode histogram vs uniform (PacGAN)",
                **protocol,
            },
        }
    stats = statistics_of_modes(np.concatenate(modes))
    return {
        "modes": stats.modes,
        "total_modes": stats.total_modes,
        "reverse_kl": stats.reverse_kl,
        "protocol": {
            "method": "each channel classified by the ganzoo digits classifier; a mode (of 1000) is "
            "captured with >= 1 sample; reverse KL of the mode histogram vs uniform (PacGAN stacked MNIST)",
            **protocol,
        },
    }


def format_report(report):
    """Text for a report: `evaluation.format_report`, with mode coverage."""
    lines = []
    for name, entry in report.items():
        if name == "modes":
            figure = f"modes: {entry['modes']}/{entry['total_modes']}, reverse KL {entry['reverse_kl']:.4f}"
            if "high_quality" in entry:
                figure += f", high-quality samples {100 * entry['high_quality']:.1f}%"
            lines.append(figure)
            lines.extend(f"    {key}: {value}" for key, value in entry["protocol"].items())
        else:
            lines.append(evaluation_lib.format_report({name: entry}))
    return "\n".join(lines)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    if not FLAGS.saved_model:
        raise app.UsageError("--saved_model is required.")
    try:
        report = evaluate_saved_model(
            FLAGS.saved_model,
            dataset=FLAGS.dataset,
            metrics=FLAGS.metrics,
            n=FLAGS.n,
            split=FLAGS.split,
            n_real=FLAGS.n_real,
            batch_size=FLAGS.batch_size,
            seed=FLAGS.seed,
            n_classes=FLAGS.n_classes,
            extractor=FLAGS.extractor,
            weights=FLAGS.weights,
            extractor_cache=FLAGS.extractor_cache,
            input_dataset=FLAGS.input_dataset,
            input_split=FLAGS.input_split,
            data_dir=FLAGS.data_dir,
            kid_subsets=FLAGS.kid_subsets,
            kid_subset_size=FLAGS.kid_subset_size,
            is_splits=FLAGS.is_splits,
            pr_k=FLAGS.pr_k,
        )
    except (WeightsNotFoundError, data_lib.DatasetNotPreparedError) as error:
        raise SystemExit(f"ganzoo.evaluate: {error}") from None
    if FLAGS.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))


if __name__ == "__main__":
    app.run(main)
