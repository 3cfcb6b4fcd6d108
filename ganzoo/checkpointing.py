"""The whole training state on disk, and a resume that replays nothing.

A checkpoint holds everything a GAN step depends on: every network, every optimizer with its slots and
iteration counter, the model's RNG step (its noise), EMA weights and image pools (model variables like
the rest), and the global step, from which the data position follows (the driver's input stream is a
deterministic function of the seed, so resuming skips exactly the batches already consumed).

Each checkpoint gets a sha256 manifest written after its files; resume verifies it. The newest checkpoint
that is complete and intact wins: a truncated or tampered one is skipped with a message naming it, and
the previous one is used.
"""

import glob
import hashlib
import json
import os
import signal
import threading

import keras
import tensorflow as tf

MANIFEST_SUFFIX = ".sha256.json"


class ManifestError(RuntimeError):
    """A file does not match the sha256 manifest written beside it, or the manifest is missing."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(files, manifest_path):
    """Writes {file name: sha256} for `files` (paths in the manifest's folder) to `manifest_path`."""
    folder = os.path.dirname(manifest_path)
    entries = {os.path.relpath(path, folder): _sha256(path) for path in sorted(files)}
    staging = manifest_path + ".tmp"
    with open(staging, "w") as stream:
        json.dump(entries, stream, indent=1, sort_keys=True)
    os.replace(staging, manifest_path)  # a manifest exists only once complete


def verify_manifest(manifest_path):
    """Raises ManifestError unless every file listed in `manifest_path` has its recorded sha256."""
    if not os.path.isfile(manifest_path):
        raise ManifestError(f"{manifest_path} is missing: the files beside it cannot be verified.")
    with open(manifest_path) as stream:
        try:
            entries = json.load(stream)
        except ValueError as error:
            raise ManifestError(f"{manifest_path} is not valid JSON: {error}") from None
    folder = os.path.dirname(manifest_path)
    for name, expected in entries.items():
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise ManifestError(f"{path} is listed in {manifest_path} but missing.")
        actual = _sha256(path)
        if actual != expected:
            raise ManifestError(
                f"{path} does not match its manifest (sha256 {actual[:12]}…, expected {expected[:12]}…): "
                "it was modified or truncated after it was written."
            )


class TrainingState:
    """A model's full training state, saved to and restored from `directory`.

    Args:
        model: the model; its networks, optimizers and state variables are tracked through it.
        directory: where checkpoints go (`ckpt-<step>.index`, `ckpt-<step>.data-*`, manifests).
        max_to_keep: how many checkpoints to keep (at least 2, so there is one to fall back on).
        write: False on a non-chief worker under MultiWorkerMirroredStrategy: it takes part in the save
            (collectives) but writes to a temporary folder that is deleted.
    """

    def __init__(self, model, directory, max_to_keep=3, write=True):
        if max_to_keep < 2:
            raise ValueError(f"max_to_keep must be at least 2 to allow a fallback; received {max_to_keep}.")
        self.directory = directory
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
        self.checkpoint = tf.train.Checkpoint(model=model, step=self.step)
        self._write = write
        target = directory if write else os.path.join(directory, f"worker-temp-{os.getpid()}")
        self.manager = tf.train.CheckpointManager(self.checkpoint, target, max_to_keep=max_to_keep)

    def save(self, step):
        """Saves the state at global `step` and returns the checkpoint's path prefix."""
        self.step.assign(step)
        prefix = self.manager.save(checkpoint_number=step)
        if self._write:
            files = [path for path in glob.glob(prefix + ".*") if not path.endswith(MANIFEST_SUFFIX)]
            write_manifest(files, prefix + MANIFEST_SUFFIX)
        else:
            tf.io.gfile.rmtree(self.manager.directory)
        return prefix

    def restore(self, log=print):
        """Restores the newest intact checkpoint; returns its global step, or 0 when there is none."""
        candidates = list(reversed(self.manager.checkpoints))  # newest first
        for prefix in candidates:
            try:
                verify_manifest(prefix + MANIFEST_SUFFIX)
                self.checkpoint.restore(prefix).assert_existing_objects_matched()
            except (ManifestError, tf.errors.OpError, ValueError, AssertionError) as error:
                log(f"Skipping checkpoint {prefix}: {error}")
                continue
            step = int(self.step.numpy())
            log(f"Resuming from {prefix} (step {step}).")
            return step
        if candidates:
            raise ManifestError(
                f"No intact checkpoint in {self.directory}: every one failed its check (see above). "
                "Move the folder away to start afresh."
            )
        return 0


class PreemptionSignal:
    """Turns SIGTERM into a request to save at the next step boundary and stop (a preemption notice)."""

    def __init__(self, signals=(signal.SIGTERM,)):
        self.requested = False
        self._signals = signals
        self._previous = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for number in self._signals:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def _handle(self, number, frame):
        del number, frame
        self.requested = True

    def __exit__(self, *exc_info):
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous.clear()


class CheckpointEvery(keras.callbacks.Callback):
    """Saves the training state every `every_steps` steps, at each epoch end, and on preemption.

    It never saves after the NaN guard has tripped, so the last good checkpoint survives a divergence.

    Args:
        state: the `TrainingState`.
        every_steps: steps between checkpoints (0: only at epoch ends and on preemption).
        initial_step: the global step training starts from.
        nan_guard: a `ganzoo.callbacks.NaNGuard` whose failure vetoes saving.
        preemption: a `PreemptionSignal`; when it is requested the run saves and stops.
    """

    def __init__(self, state, every_steps, initial_step, nan_guard=None, preemption=None, log=print):
        super().__init__()
        self.state = state
        self.every_steps = every_steps
        self.global_step = initial_step
        self.nan_guard = nan_guard
        self.preemption = preemption
        self.preempted_at = None
        self.log = log
        self._saved_step = None

    def _save(self):
        if self.nan_guard is not None and self.nan_guard.failure:
            return
        if self._saved_step != self.global_step:
            self.state.save(self.global_step)
            self._saved_step = self.global_step

    def on_train_batch_end(self, batch, logs=None):
        self.global_step += 1
        if self.preemption is not None and self.preemption.requested:
            self._save()
            self.preempted_at = self.global_step
            self.model.stop_training = True
            self.log(f"Preempted: saved the state at step {self.global_step}; rerun to continue.")
        elif self.every_steps and self.global_step % self.every_steps == 0:
            self._save()

    def on_epoch_end(self, epoch, logs=None):
        self._save()
