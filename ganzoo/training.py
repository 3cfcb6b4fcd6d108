"""The driver every recipe calls: strategy, data, model, `fit` with the run's callbacks, then export.

A recipe turns its flags into a `TrainConfig` and two factories, one for the dataset and one for the
compiled model; this module owns the order of things, so every recipe trains, checkpoints, resumes,
samples, logs and exports the same way.

Resume is exact: the checkpoint (`ganzoo.checkpointing`) holds the whole training state and the global
step, and the input stream is the dataset repeated in its seeded order, so a resumed run skips the
batches already consumed and continues as if it had never stopped.
"""

import dataclasses
import os
from typing import Callable, Optional

import keras
import tensorflow as tf

from ganzoo import callbacks as ganzoo_callbacks
from ganzoo import checkpointing, data, distribute, export


@dataclasses.dataclass
class TrainConfig:
    """What a run needs besides its model and data.

    Attributes:
        name: the run's name (logs, messages).
        model_dir: where checkpoints, sample grids, TensorBoard logs and the final `.keras` file go.
        export_dir: the TF Serving base path of the generator (`<export_dir>/<version>/`); None skips
            the export.
        epochs: passes over the data (or over `steps_per_epoch` steps).
        steps_per_epoch: steps per epoch; one full pass of the data when None.
        seed: seeds the initial weights (`keras.utils.set_random_seed`) and, through the model, its
            noise.
        strategy: a name from `ganzoo.distribute.STRATEGIES`.
        checkpoint_every: steps between checkpoints (0: at epoch ends only); a SIGTERM also saves.
        keep_checkpoints: how many checkpoints to keep (at least 2).
        deterministic: TensorFlow's op determinism, so a rerun repeats bit for bit.
        mixed_precision: None, "mixed_float16" or "mixed_bfloat16": the Keras dtype policy the model is
            built under (both players' optimizers get loss scaling under float16).
        jit_compile: XLA for the train step; None keeps Keras' choice (on with a GPU, off on CPU,
            where XLA is slower).
        on_bad_image: "fail" or "skip": the policy of the image-file loaders `make_dataset` calls
            without their own `on_bad_image` (`ganzoo.data.bad_image_policy`). Under "skip" the files
            left out are logged at the end of the run and returned in `TrainResult.bad_images`.
        sample_every: epochs between sample grids (0 for none).
        verbose: `fit`'s verbosity ("auto" shows the progress bar).
    """

    name: str
    model_dir: str
    export_dir: Optional[str] = None
    epochs: int = 1
    steps_per_epoch: Optional[int] = None
    seed: int = 0
    strategy: str = "auto"
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    deterministic: bool = False
    mixed_precision: Optional[str] = None
    jit_compile: Optional[bool] = None
    on_bad_image: str = "fail"
    sample_every: int = 1
    verbose: object = "auto"


@dataclasses.dataclass
class TrainResult:
    model: keras.Model
    history: Optional[keras.callbacks.History]
    export_path: Optional[str]
    steps: int  # the global step reached
    preempted: bool = False
    bad_images: Optional[data.BadImageReport] = None  # the files "skip" left out of the data set


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; nothing was saved or exported after that."""


def _steps_per_epoch(dataset, configured):
    if configured:
        return int(configured)
    cardinality = int(dataset.cardinality())
    if cardinality == tf.data.INFINITE_CARDINALITY:
        raise ValueError("The dataset is infinite: set steps_per_epoch (--steps_per_epoch).")
    if cardinality == tf.data.UNKNOWN_CARDINALITY:
        cardinality = sum(1 for _ in dataset)
    if cardinality < 1:
        raise ValueError("The dataset yields no batch: it holds fewer examples than one global batch.")
    return cardinality


def train(
    config: TrainConfig,
    make_dataset: Callable,
    make_model: Callable,
    sample_fn: Optional[Callable] = None,
    extra_callbacks=(),
    log=print,
) -> TrainResult:
    """Runs (or resumes) one training job end to end.

    Args:
        config: the run's settings.
        make_dataset: `() -> tf.data.Dataset` of GLOBAL batches in a seeded order (Keras splits them
            across replicas). It is repeated; one pass is an epoch unless `steps_per_epoch` is set.
        make_model: `() -> compiled model`, called inside the strategy's scope.
        sample_fn: how `SampleGrid` draws samples (see `ganzoo.callbacks.SampleGrid`).
        extra_callbacks: more Keras callbacks.

    Returns:
        A `TrainResult`; `preempted` is True when a SIGTERM stopped the run after saving its state.

    Raises:
        TrainingDiverged: a reported loss became non-finite; the last good checkpoint is left intact.
    """
    # `config.mixed_precision` is this run's: the models a caller builds after it (in a notebook, say)
    # get the global policy they had before, even when the run fails.
    previous_policy = keras.mixed_precision.global_policy()
    try:
        return _train(config, make_dataset, make_model, sample_fn, extra_callbacks, log)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)


def _train(config, make_dataset, make_model, sample_fn, extra_callbacks, log):
    def build_dataset():
        with data.bad_image_policy(config.on_bad_image):
            return make_dataset()

    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    strategy = distribute.get_strategy(config.strategy)
    distribute.check_jit_compile(strategy, config.jit_compile)
    distribute.set_precision_policy(config.mixed_precision, log=log)
    chief = distribute.is_chief(strategy)
    keras.utils.set_random_seed(config.seed)
    dataset = build_dataset()
    bad_images = getattr(dataset, "bad_images", None)
    steps_per_epoch = _steps_per_epoch(dataset, config.steps_per_epoch)
    total_steps = steps_per_epoch * config.epochs
    with strategy.scope():
        model = make_model()
    if config.jit_compile is not None:
        model.jit_compile = config.jit_compile

    os.makedirs(config.model_dir, exist_ok=True)
    state = checkpointing.TrainingState(
        model,
        os.path.join(config.model_dir, "checkpoints"),
        max_to_keep=config.keep_checkpoints,
        write=chief,
    )
    step = state.restore(log=log)
    nan_guard = ganzoo_callbacks.NaNGuard(initial_step=step)
    history = None
    preempted = False
    # Under MultiWorkerMirroredStrategy a SIGTERM to any one worker makes every worker save at the same
    # agreed step (TensorFlow's PreemptionCheckpointHandler) and stop; elsewhere, this process's own.
    with checkpointing.preemption_watcher(strategy) as preemption:
        saver = checkpointing.CheckpointEvery(
            state, config.checkpoint_every, step, nan_guard, preemption, log=log
        )
        # Sample grids and TensorBoard logs come from the chief alone (workers would write over them).
        monitoring = _monitoring_callbacks(config, sample_fn) if chief else []
        callbacks = [nan_guard, saver, *monitoring, *extra_callbacks]
        # At most two `fit` calls: the rest of an interrupted epoch, then the remaining whole epochs.
        while step < total_steps and not preempted:
            epoch, done_in_epoch = divmod(step, steps_per_epoch)
            partial = done_in_epoch > 0
            # A fresh pipeline each time: iterating the same tf.data object again reshuffles it, and the
            # stream must be the one an uninterrupted run sees.
            history = model.fit(
                build_dataset().repeat().skip(step),
                initial_epoch=epoch,
                epochs=epoch + 1 if partial else config.epochs,
                steps_per_epoch=steps_per_epoch - done_in_epoch if partial else steps_per_epoch,
                callbacks=callbacks,
                verbose=config.verbose,
            )
            if nan_guard.failure:
                raise TrainingDiverged(
                    f"{config.name}: {nan_guard.failure}; not saving or exporting. The last good "
                    f"checkpoint in {state.directory} is intact."
                )
            step = saver.global_step
            preempted = saver.preempted_at is not None

    if bad_images is not None and bad_images.skipped:
        log(bad_images.summary())
    export_path = None
    if chief and not preempted:
        model.save(os.path.join(config.model_dir, "model.keras"))
        if config.export_dir:
            export_path = export.save(model, config.export_dir)
            log(f"Exported {config.name} to {export_path}")
    return TrainResult(model, history, export_path, step, preempted, bad_images)


def _monitoring_callbacks(config, sample_fn):
    logs = os.path.join(config.model_dir, "logs")
    monitoring = [keras.callbacks.TensorBoard(logs)]
    if config.sample_every:
        monitoring.append(
            ganzoo_callbacks.SampleGrid(
                os.path.join(config.model_dir, "samples"),
                every=config.sample_every,
                seed=config.seed,
                log_dir=logs,
                sample_fn=sample_fn,
            )
        )
    return monitoring
