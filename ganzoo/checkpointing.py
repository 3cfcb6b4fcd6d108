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
import os
import signal
import threading

import keras
import tensorflow as tf

from ganzoo.manifest import ManifestError, verify_manifest, write_manifest

MANIFEST_SUFFIX = ".sha256.json"


class TrainingState:
    """A model's full training state, saved to and restored from `directory`.

    Args:
        model: the model; its networks, optimizers and state variables are tracked through it.
        directory: where checkpoints go (`ckpt-<step>.index`, `ckpt-<step>.data-*`, manifests).
        max_to_keep: how many checkpoints to keep (at least 2, so there is one to fall back on).
        write: False on a non-chief worker under MultiWorkerMirroredStrategy: every worker restores from
            `directory` (the chief's), and takes part in each save (collectives) but writes to a scratch
            folder that is deleted, as TensorFlow's multi-worker guide prescribes.
    """

    def __init__(self, model, directory, max_to_keep=3, write=True):
        if max_to_keep < 2:
            raise ValueError(f"max_to_keep must be at least 2 to allow a fallback; received {max_to_keep}.")
        self.directory = directory
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
        self.checkpoint = tf.train.Checkpoint(model=model, step=self.step)
        self.manager = tf.train.CheckpointManager(self.checkpoint, directory, max_to_keep=max_to_keep)
        self._write = write

    def save(self, step):
        """Saves the state at global `step` and returns the checkpoint's path prefix."""
        self.step.assign(step)
        if not self._write:
            scratch = os.path.join(self.directory, f"worker-scratch-{os.getpid()}")
            prefix = tf.train.CheckpointManager(self.checkpoint, scratch, max_to_keep=1).save(step)
            tf.io.gfile.rmtree(scratch)
            return prefix
        prefix = self.manager.save(checkpoint_number=step)
        files = [path for path in glob.glob(prefix + ".*") if not path.endswith(MANIFEST_SUFFIX)]
        write_manifest(files, prefix + MANIFEST_SUFFIX)
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
