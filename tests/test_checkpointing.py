"""Checkpoints you can trust: manifests, fallback, exact resume after SIGKILL, SIGTERM preemption."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

import zoo_cases
from ganzoo import checkpointing, manifest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- manifests and fallback ---------------------------------------------------------------------------


def test_manifest_detects_a_modified_file(tmp_path):
    payload = tmp_path / "weights.bin"
    payload.write_bytes(b"\x00" * 100)
    manifest_path = str(tmp_path / "weights.sha256.json")
    manifest.write_manifest([str(payload)], manifest_path)
    manifest.verify_manifest(manifest_path)
    payload.write_bytes(b"\x00" * 99 + b"\x01")
    with pytest.raises(manifest.ManifestError, match="weights.bin does not match its manifest"):
        manifest.verify_manifest(manifest_path)
    os.remove(manifest_path)
    with pytest.raises(manifest.ManifestError, match="is missing"):
        manifest.verify_manifest(manifest_path)


def _trained_state(directory):
    case = zoo_cases.CASES["gan"]
    model = case.make_model()
    model.compile()
    return model, checkpointing.TrainingState(model, directory)


def test_resume_skips_a_truncated_newest_checkpoint_and_says_so(tmp_path):
    model, state = _trained_state(str(tmp_path))
    model.fit(zoo_cases.CASES["gan"].dataset(16, 8), verbose=0)
    state.save(2)
    kept = [np.array(v) for v in model.weights]
    model.fit(zoo_cases.CASES["gan"].dataset(16, 8, seed=1), verbose=0)
    newest = state.save(4)
    data_file = [path for path in tf.io.gfile.glob(newest + ".data-*")][0]
    with open(data_file, "r+b") as stream:  # a crash mid-write leaves a short file
        stream.truncate(os.path.getsize(data_file) // 2)

    fresh, fresh_state = _trained_state(str(tmp_path))
    messages = []
    assert fresh_state.restore(log=messages.append) == 2
    assert any("Skipping checkpoint" in m and "ckpt-4" in m for m in messages), messages
    for a, b in zip(kept, fresh.weights):
        np.testing.assert_array_equal(a, np.array(b))
    assert int(fresh.d_optimizer.iterations) == 2


def test_a_tampered_only_checkpoint_is_refused(tmp_path):
    model, state = _trained_state(str(tmp_path))
    prefix = state.save(1)
    index = prefix + ".index"
    with open(index, "ab") as stream:
        stream.write(b"tampered")
    _, fresh_state = _trained_state(str(tmp_path))
    with pytest.raises(manifest.ManifestError, match="No intact checkpoint"):
        fresh_state.restore(log=lambda message: None)


def test_keep_at_least_two_checkpoints(tmp_path):
    model = zoo_cases.CASES["gan"].make_model()
    with pytest.raises(ValueError, match="at least 2"):
        checkpointing.TrainingState(model, str(tmp_path), max_to_keep=1)


# -- the recipe, killed and resumed -----------------------------------------------------------------

_STEPS_PER_EPOCH, _EPOCHS, _EVERY = 25, 4, 10


def _recipe(model_dir, **extra):
    flags = {
        "image_size": 16,
        "base_filters": 4,
        "latent_dim": 8,
        "batch_size": 16,
        "epochs": _EPOCHS,
        "steps_per_epoch": _STEPS_PER_EPOCH,
        "checkpoint_every": _EVERY,
        "deterministic": True,
        "strategy": "default",
        "model_dir": str(model_dir),
        "export_dir": "",
        **extra,
    }
    command = [sys.executable, os.path.join(REPO, "recipes", "dcgan_digits.py")]
    command += [f"--{name}={value}" for name, value in flags.items()]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}
    return command, env


def _run(model_dir, **extra):
    command, env = _recipe(model_dir, **extra)
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    return completed.stdout


def _start_and_stop_after_first_checkpoint(model_dir, stop_signal):
    command, env = _recipe(model_dir)
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    first = os.path.join(str(model_dir), "checkpoints", f"ckpt-{_EVERY}{checkpointing.MANIFEST_SUFFIX}")
    deadline = time.time() + 300
    while not os.path.exists(first):
        assert process.poll() is None, process.stdout.read()[-3000:]
        assert time.time() < deadline, "no checkpoint appeared"
        time.sleep(0.02)
    process.send_signal(stop_signal)
    output, _ = process.communicate(timeout=300)
    return process.returncode, output


def _final_state(model_dir):
    """Every variable of the newest checkpoint: weights, optimizer slots and counters, RNG step.

    Not the checkpoint's own bookkeeping (`save_counter`, how many saves this directory has seen).
    """
    prefix = tf.train.latest_checkpoint(os.path.join(str(model_dir), "checkpoints"))
    reader = tf.train.load_checkpoint(prefix)
    return {
        name: reader.get_tensor(name)
        for name in reader.get_variable_to_shape_map()
        if name not in ("_CHECKPOINTABLE_OBJECT_GRAPH", "save_counter/.ATTRIBUTES/VARIABLE_VALUE")
    }


def _assert_same_state(expected, actual):
    assert sorted(expected) == sorted(actual)
    different = [name for name in expected if not np.array_equal(expected[name], actual[name])]
    assert not different, f"{len(different)} of {len(expected)} variables differ, e.g. {different[:5]}"


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    model_dir = tmp_path_factory.mktemp("uninterrupted")
    _run(model_dir)
    state = _final_state(model_dir)
    assert int(state["step/.ATTRIBUTES/VARIABLE_VALUE"]) == _STEPS_PER_EPOCH * _EPOCHS
    return state


def test_sigkill_after_a_checkpoint_then_rerun_equals_an_uninterrupted_run(tmp_path, uninterrupted):
    code, output = _start_and_stop_after_first_checkpoint(tmp_path, signal.SIGKILL)
    assert code == -signal.SIGKILL
    resumed_output = _run(tmp_path)
    assert "Resuming from" in resumed_output
    _assert_same_state(uninterrupted, _final_state(tmp_path))


def test_resume_without_the_rng_state_would_differ(tmp_path, uninterrupted):
    """Negative control: the same kill and rerun, with the RNG step rewound in the checkpoint."""
    _start_and_stop_after_first_checkpoint(tmp_path, signal.SIGKILL)
    prefix = tf.train.latest_checkpoint(os.path.join(str(tmp_path), "checkpoints"))
    reader = tf.train.load_checkpoint(prefix)
    assert any("rng_step" in name for name in reader.get_variable_to_shape_map()), (
        "the checkpoint has no RNG state at all"
    )
    _rewind_rng(prefix)
    _run(tmp_path)
    resumed = _final_state(tmp_path)
    different = [name for name in uninterrupted if not np.array_equal(uninterrupted[name], resumed[name])]
    assert different, "rewinding the RNG changed nothing: the resume test would have no teeth"


def _rewind_rng(prefix):
    """Re-saves checkpoint `prefix` with the model's RNG step set to 0 (and a valid manifest)."""
    import ganzoo

    gan = ganzoo.models.DCGAN((16, 16, 1), latent_dim=8, base_filters=4, seed=0)
    gan.compile()
    state = checkpointing.TrainingState(gan, os.path.dirname(prefix))
    state.checkpoint.restore(prefix).assert_existing_objects_matched()
    gan.rng_step.assign(0)
    for stale in tf.io.gfile.glob(prefix + ".*"):
        os.remove(stale)
    state.save(int(state.step.numpy()))


def test_sigterm_saves_at_the_next_step_and_the_rerun_continues_exactly(tmp_path, uninterrupted):
    code, output = _start_and_stop_after_first_checkpoint(tmp_path, signal.SIGTERM)
    assert code == 0, output[-3000:]
    assert "Preempted: saved the state at step" in output
    preempted_step = int(output.split("Preempted: saved the state at step ")[1].split(";")[0])
    assert preempted_step < _STEPS_PER_EPOCH * _EPOCHS
    assert not os.path.exists(os.path.join(str(tmp_path), "model.keras"))  # no final save when preempted
    resumed_output = _run(tmp_path)
    assert f"(step {preempted_step})" in resumed_output
    _assert_same_state(uninterrupted, _final_state(tmp_path))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
