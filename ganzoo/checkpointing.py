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
import shutil
import signal
import tempfile
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

    def check(self, save):
        """Called at every step boundary: saves with `save()` and returns True when the run must stop."""
        if self.requested:
            save()
            return True
        return False


class ClusterPreemption:
    """Preemption under MultiWorkerMirroredStrategy: every worker saves at the same step, then all stop.

    A SIGTERM reaches one worker. If that worker alone saved and stopped, its peers would fail in (or
    wait on) the next collective. TensorFlow's `tf.distribute.experimental.PreemptionCheckpointHandler`
    settles the step: the signalled worker publishes "save after step n+1" through the cluster's
    coordination service and waits until every worker has acknowledged it; each worker then saves at
    that step and stops. Here the handler only agrees on the step: it gets a throwaway checkpoint
    manager (it restores and writes nothing of its own), its `save_fn` is ganzoo's `TrainingState.save`
    (the chief writes, the others take part and discard), its `exit_fn` asks `fit` to stop instead of
    ending the process, and its termination watcher polls this process's SIGTERM flag (so SIGTERM is
    what counts on every platform, and the previous signal handler comes back afterwards). `check`
    calls `save_checkpoint_if_preempted()` at every step boundary on every worker, as the handler
    requires: one call per training step, workers at most one step apart (Keras calls
    `on_train_batch_end` after each step, and each step's gradient all-reduce keeps them in lockstep).

    On a GCE CPU or TPU VM the handler does nothing by design (TensorFlow 2.21), so there, or with
    `agreement="all_reduce"`, the workers agree by summing their "requested" flags in a small
    all-reduce at every step boundary: the same decision on every worker at the same step, for one
    scalar collective per step.

    Args:
        strategy: the MultiWorkerMirroredStrategy (its `cluster_resolver` names the cluster).
        signals: the signals that request a preemption.
        agreement: "auto" (the handler, or the all-reduce where the handler is inert) or "all_reduce".
    """

    AGREEMENTS = ("auto", "all_reduce")

    def __init__(self, strategy, signals=(signal.SIGTERM,), agreement="auto"):
        if agreement not in self.AGREEMENTS:
            raise ValueError(f"agreement must be one of {self.AGREEMENTS}; received {agreement!r}.")
        self._strategy = strategy
        self._signal = PreemptionSignal(signals)
        self._agreement = agreement
        self._handler = None
        self._scratch = None
        self._pending_save = None
        self._stop = False

    @property
    def requested(self):
        """Whether this worker received the signal itself (the cluster's decision is `check`'s)."""
        return self._signal.requested

    @property
    def agreement(self):
        """How the workers agree: "handler" (PreemptionCheckpointHandler) or "all_reduce"."""
        return "handler" if self._handler is not None else "all_reduce"

    def __enter__(self):
        self._signal.__enter__()
        if self._agreement == "auto":
            self._scratch = tempfile.mkdtemp(prefix="ganzoo-preemption-")
            # Nothing of its own to restore or save: the manager only carries the handler's run
            # counter, which starts at 0 in every process of a (re)started cluster alike.
            manager = tf.train.CheckpointManager(tf.train.Checkpoint(), self._scratch, max_to_keep=1)
            config = tf.distribute.experimental.TerminationConfig(
                termination_watcher_fn=lambda: self._signal.requested,
                exit_fn=self._exit,
                grace_period=0,
                save_fn=self._save,
            )
            self._handler = tf.distribute.experimental.PreemptionCheckpointHandler(
                self._strategy.cluster_resolver, manager, termination_config=config
            )
            platform = getattr(self._handler, "_platform_device", None)
            if getattr(platform, "name", "") in ("GCE_CPU", "GCE_TPU"):
                self._close_handler()  # inert there: it would never save nor stop
        return self

    def _save(self, *args, **kwargs):
        del args, kwargs
        self._pending_save()

    def _exit(self):
        self._stop = True

    def check(self, save):
        """Called at every step boundary on every worker: at the agreed step, saves and returns True."""
        if self._handler is not None:
            self._pending_save = save
            try:
                self._handler.save_checkpoint_if_preempted()
            except tf.errors.AlreadyExistsError:
                pass  # a signal in the last step, after a peer finished and closed the agreement: no save due
        else:
            flag = tf.constant(1.0 if self._signal.requested else 0.0)
            votes = self._strategy.reduce(
                tf.distribute.ReduceOp.SUM, self._strategy.run(lambda: tf.identity(flag)), axis=None
            )
            if float(votes) > 0:
                save()
                self._stop = True
        return self._stop

    def _close_handler(self):
        handler, self._handler = self._handler, None
        if handler is not None:
            # Stops its watcher threads (nothing left once it has saved and "exited"); otherwise they
            # would wait on the coordination service until the process ends.
            for stop in (
                "_stop_poll_termination_signal_thread",
                "_stop_cluster_wise_termination_watcher_thread",
            ):
                getattr(handler, stop, lambda: None)()

    def __exit__(self, *exc_info):
        self._close_handler()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        self._signal.__exit__(*exc_info)


def preemption_watcher(strategy, signals=(signal.SIGTERM,)):
    """The preemption watcher for `strategy`, a context manager: under MultiWorkerMirroredStrategy with
    a cluster, a `ClusterPreemption` (every worker stops at one agreed step); elsewhere a
    `PreemptionSignal` (this process's own SIGTERM)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        and resolver is not None
        and resolver.cluster_spec().jobs
    ):
        agreement = os.environ.get("GANZOO_PREEMPTION_AGREEMENT", "auto")
        return ClusterPreemption(strategy, signals, agreement=agreement)
    return PreemptionSignal(signals)


class CheckpointEvery(keras.callbacks.Callback):
    """Saves the training state every `every_steps` steps, at each epoch end, and on preemption.

    It never saves after the NaN guard has tripped, so the last good checkpoint survives a divergence.

    Args:
        state: the `TrainingState`.
        every_steps: steps between checkpoints (0: only at epoch ends and on preemption).
        initial_step: the global step training starts from.
        nan_guard: a `ganzoo.callbacks.NaNGuard` whose failure vetoes saving.
        preemption: a `PreemptionSignal` or `ClusterPreemption` (see `preemption_watcher`); when it
            asks for a stop, the run saves and stops (under MultiWorkerMirroredStrategy, every worker
            at the same, agreed step).
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
        if self.preemption is not None and self.preemption.check(self._save):
            self.preempted_at = self.global_step
            self.model.stop_training = True
            self.log(f"Preempted: saved the state at step {self.global_step}; rerun to continue.")
        elif self.every_steps and self.global_step % self.every_steps == 0:
            self._save()

    def on_epoch_end(self, epoch, logs=None):
        self._save()
