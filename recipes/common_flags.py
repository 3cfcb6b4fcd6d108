"""The flags every recipe shares, and their translation into a `ganzoo.training.TrainConfig`.

Each recipe keeps its own defaults in a `DEFAULTS` dict and calls `define(DEFAULTS)` once at import. The
flag names are the same in every recipe: `--dataset --data_dir --model_dir --export_dir --epochs
--steps_per_epoch --batch_size --seed --strategy`.
"""

from absl import flags

import ganzoo

FLAGS = flags.FLAGS

_COMMON = {
    "dataset": (flags.DEFINE_string, f"Training data: {ganzoo.data.DATASET_FORMS}."),
    "data_dir": (flags.DEFINE_string, "Where tensorflow-datasets keeps (or finds) its data."),
    "model_dir": (flags.DEFINE_string, "Checkpoints, sample grids, TensorBoard logs, model.keras."),
    "export_dir": (
        flags.DEFINE_string,
        "TF Serving base path: the generator is exported to <export_dir>/<version>/. Empty: no export.",
    ),
    "epochs": (flags.DEFINE_integer, "Training epochs."),
    "steps_per_epoch": (flags.DEFINE_integer, "Steps per epoch; a full pass of the data when unset."),
    "batch_size": (flags.DEFINE_integer, "GLOBAL batch size, split across replicas."),
    "seed": (flags.DEFINE_integer, "Seed of the initial weights, the noise and the data order."),
    "strategy": (
        flags.DEFINE_enum,
        "tf.distribute strategy.",
        {"enum_values": list(ganzoo.distribute.STRATEGIES)},
    ),
    "checkpoint_every": (
        flags.DEFINE_integer,
        "Steps between checkpoints of the whole training state (0: at epoch ends only). Rerunning the "
        "same command resumes from the newest intact checkpoint; SIGTERM saves at the next step.",
    ),
    "deterministic": (
        flags.DEFINE_boolean,
        "Op determinism (tf.config.experimental.enable_op_determinism): reruns repeat bit for bit.",
    ),
    "mixed_precision": (
        flags.DEFINE_enum,
        "Keras dtype policy: mixed_float16 (GPUs) or mixed_bfloat16 (AVX512-BF16 CPUs, TPUs, recent "
        "GPUs); losses and outputs stay float32. Unset: float32.",
        {"enum_values": ["float32", "mixed_float16", "mixed_bfloat16"]},
    ),
    "jit_compile": (
        flags.DEFINE_boolean,
        "XLA for the train step. Unset: Keras' choice (on with a GPU, off on CPU where it is slower).",
    ),
    "on_bad_image": (
        flags.DEFINE_enum,
        "An image file that does not decode (empty, not an image, truncated): fail stops the run "
        "naming it and why; skip checks every file first, leaves the bad ones out and lists them at "
        "the end.",
        {"enum_values": list(ganzoo.data.BAD_IMAGE_POLICIES)},
    ),
}

_OPTIONAL_DEFAULTS = {
    "data_dir": None,
    "steps_per_epoch": None,
    "strategy": "auto",
    "seed": 0,
    "checkpoint_every": 500,
    "deterministic": False,
    "mixed_precision": None,
    "jit_compile": None,
    "on_bad_image": "fail",
}


def _define(name, defaults, definer, help_text, extra):
    if name in FLAGS:
        # Another recipe imported in this process (tests) already defined it: only the default moves.
        FLAGS.set_default(name, defaults[name])
        return
    definer(name, defaults[name], help=help_text, **extra)


def define(defaults, **recipe_flags):
    """Defines the common flags with this recipe's `defaults`, and its own `recipe_flags`.

    Args:
        defaults: default of each common flag (any omitted optional one takes `_OPTIONAL_DEFAULTS`).
        **recipe_flags: name -> (flags.DEFINE_x, default, help[, extra kwargs]) for the recipe's own
            flags; idempotent like the common ones.
    """
    merged = {**_OPTIONAL_DEFAULTS, **defaults}
    for name, (definer, help_text, *extra) in _COMMON.items():
        _define(name, merged, definer, help_text, extra[0] if extra else {})
    for name, (definer, default, help_text, *extra) in recipe_flags.items():
        _define(name, {name: default}, definer, help_text, extra[0] if extra else {})
    return merged


def train_config(name):
    """The `TrainConfig` the flags describe."""
    return ganzoo.training.TrainConfig(
        name=name,
        model_dir=FLAGS.model_dir,
        export_dir=FLAGS.export_dir or None,
        epochs=FLAGS.epochs,
        steps_per_epoch=FLAGS.steps_per_epoch,
        seed=FLAGS.seed,
        strategy=FLAGS.strategy,
        checkpoint_every=FLAGS.checkpoint_every,
        deterministic=FLAGS.deterministic,
        mixed_precision=FLAGS.mixed_precision,
        jit_compile=FLAGS.jit_compile,
        on_bad_image=FLAGS.on_bad_image,
    )
