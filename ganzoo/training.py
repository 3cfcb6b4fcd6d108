"""The driver every recipe calls: strategy, data, model, `fit` with the run's callbacks, then export.

A recipe turns its flags into a `TrainConfig` and two factories, one for the dataset and one for the
compiled model; this module owns the order of things, so every recipe trains, checkpoints, samples,
logs and exports the same way.
"""

import dataclasses
import os
from typing import Callable, Optional

import keras

from ganzoo import callbacks as ganzoo_callbacks
from ganzoo import distribute, export


@dataclasses.dataclass
class TrainConfig:
    """What a run needs besides its model and data.

    Attributes:
        name: the run's name (logs, messages).
        model_dir: where checkpoints, sample grids, TensorBoard logs and the final `.keras` file go.
        export_dir: the TF Serving base path of the generator (`<export_dir>/<version>/`); None skips
            the export.
        epochs: passes over the data (or over `steps_per_epoch` steps).
        steps_per_epoch: steps per epoch; a full pass of the data when None.
        seed: seeds the initial weights (`keras.utils.set_random_seed`) and, through the model, its
            noise.
        strategy: a name from `ganzoo.distribute.STRATEGIES`.
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
    sample_every: int = 1
    verbose: object = "auto"


@dataclasses.dataclass
class TrainResult:
    model: keras.Model
    history: keras.callbacks.History
    export_path: Optional[str]


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; nothing was saved or exported after that."""


def train(
    config: TrainConfig,
    make_dataset: Callable,
    make_model: Callable,
    sample_fn: Optional[Callable] = None,
    extra_callbacks=(),
) -> TrainResult:
    """Runs one training job end to end.

    Args:
        config: the run's settings.
        make_dataset: `() -> tf.data.Dataset` of GLOBAL batches (Keras splits them across replicas).
        make_model: `() -> compiled model`, called inside the strategy's scope.
        sample_fn: how `SampleGrid` draws samples (see `ganzoo.callbacks.SampleGrid`).
        extra_callbacks: more Keras callbacks.

    Raises:
        TrainingDiverged: a reported loss became non-finite; the last epoch's backup is left intact.
    """
    strategy = distribute.get_strategy(config.strategy)
    keras.utils.set_random_seed(config.seed)
    dataset = make_dataset()
    with strategy.scope():
        model = make_model()

    os.makedirs(config.model_dir, exist_ok=True)
    nan_guard = ganzoo_callbacks.NaNGuard()
    callbacks = [
        nan_guard,
        keras.callbacks.BackupAndRestore(os.path.join(config.model_dir, "backup")),
        keras.callbacks.TensorBoard(os.path.join(config.model_dir, "logs")),
    ]
    if config.sample_every:
        callbacks.append(
            ganzoo_callbacks.SampleGrid(
                os.path.join(config.model_dir, "samples"),
                every=config.sample_every,
                seed=config.seed,
                log_dir=os.path.join(config.model_dir, "logs"),
                sample_fn=sample_fn,
            )
        )
    callbacks.extend(extra_callbacks)

    history = model.fit(
        dataset,
        epochs=config.epochs,
        steps_per_epoch=config.steps_per_epoch,
        callbacks=callbacks,
        verbose=config.verbose,
    )
    if nan_guard.failure:
        raise TrainingDiverged(f"{config.name}: {nan_guard.failure}; not saving or exporting.")

    export_path = None
    if distribute.is_chief(strategy):
        model.save(os.path.join(config.model_dir, "model.keras"))
        if config.export_dir:
            export_path = export.save(model, config.export_dir)
            print(f"Exported {config.name} to {export_path}")
    return TrainResult(model, history, export_path)
