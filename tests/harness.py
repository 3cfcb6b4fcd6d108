"""The contract every ganzoo model passes, as reusable checks (after KerasHub's TestCase helpers).

A model's own test file calls these with its `zoo_cases.Case` and adds only what is special to it.
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf

import ganzoo

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def players(model):
    """(discriminator, generator) of a two-player model."""
    return model.discriminator, model.generator


def _copy(variables):
    return [np.array(variable) for variable in variables]


def _changed(before, variables):
    return [not np.array_equal(b, np.array(v)) for b, v in zip(before, variables)]


def one_step(model, case, batch_size=8):
    history = model.fit(case.dataset(batch_size, batch_size), epochs=1, verbose=0)
    return {key: values[-1] for key, values in history.history.items()}


def run_player_isolation_test(case, batch_size=8):
    """With one player's learning rate at 0, a step changes the other player's weights and only those."""
    for frozen in ("generator", "discriminator"):
        model = case.make_model()
        rates = {"d_optimizer": 1e-2, "g_optimizer": 1e-2}
        rates["g_optimizer" if frozen == "generator" else "d_optimizer"] = 0.0
        model.compile(
            **{name: keras.optimizers.Adam(rate) for name, rate in rates.items()},
            **case.compile_kwargs,
        )
        discriminator, generator = (case.players or players)(model)
        moving, still = (
            (discriminator, generator) if frozen == "generator" else (generator, discriminator)
        )
        moving_before = _copy(moving.trainable_variables)
        still_before = _copy(still.trainable_variables)
        logs = one_step(model, case, batch_size)
        assert all(np.isfinite(value) for value in logs.values()), logs
        assert not any(_changed(still_before, still.trainable_variables)), (
            f"{frozen} has learning rate 0 but its weights changed: another player's gradients "
            "reached it"
        )
        changed = _changed(moving_before, moving.trainable_variables)
        assert all(changed), f"some of the {moving.name} weights did not move: {changed}"


def run_serialization_test(case):
    """get_config/from_config rebuilds the same architecture with the same settings."""
    model = case.make_model()
    config = json.loads(json.dumps(model.get_config()))  # as a .keras file stores it
    clone = type(model).from_config(config)
    assert json.loads(json.dumps(clone.get_config())) == config
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(case.sample(clone), case.sample(model))


def run_model_saving_test(case, tmp_path, batch_size=8):
    """A trained model reloads from `.keras` (safe mode) with its outputs and optimizer state."""
    model = case.make_model()
    model.compile(**case.compile_kwargs)
    one_step(model, case, batch_size)
    path = os.path.join(str(tmp_path), "model.keras")
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    assert type(restored) is type(model)
    np.testing.assert_array_equal(case.sample(restored), case.sample(model))
    for name in ("d_optimizer", "g_optimizer"):
        original, reloaded = getattr(model, name), getattr(restored, name)
        assert int(reloaded.iterations) == int(original.iterations) > 0
        for a, b in zip(original.variables, reloaded.variables):
            np.testing.assert_array_equal(np.array(a), np.array(b), err_msg=f"{name}/{a.path}")
    assert int(restored.rng_step) == int(model.rng_step)


# Resume equals the uninterrupted run up to the order of float sums: the same steps on the same data
# and noise are usually bit-exact, but TensorFlow's CPU kernels are not bit-reproducible run to run
# (their threads' partial sums; seen once in a CI run: 5e-6 on a WGAN layer after 4 steps). Counters
# (iterations, rng_step) must match exactly, and a resume that replays its noise moves the networks'
# weights by 8e-4 (test_contract's negative control).
RESUME_TOLERANCE = 5e-5


def run_resume_test(case, tmp_path, batch_size=8, steps=4):
    """Stopping after half the steps, reloading in a new object and going on equals one uninterrupted run."""
    data = case.dataset(batch_size * steps, batch_size)
    first_half, second_half = data.take(steps // 2), data.skip(steps // 2)

    interrupted = case.make_model()
    interrupted.compile(**case.compile_kwargs)
    start = os.path.join(str(tmp_path), "start.keras")
    interrupted.save(start)
    uninterrupted = keras.saving.load_model(start)

    interrupted.fit(first_half, verbose=0)
    middle = os.path.join(str(tmp_path), "middle.keras")
    interrupted.save(middle)
    resumed = keras.saving.load_model(middle)
    resumed.fit(second_half, verbose=0)

    uninterrupted.fit(data, verbose=0)
    differences = {
        a.path: float(np.max(np.abs(np.array(a) - np.array(b)), initial=0.0))
        for a, b in zip(uninterrupted.weights, resumed.weights)
    }
    worst = max(differences, key=differences.get)
    assert differences[worst] < RESUME_TOLERANCE, (worst, differences[worst], differences)
    return differences


def run_replica_test(case_name, steps=3, global_batch=8):
    """Two replicas (two logical CPUs) and one device give the same weights after a few steps.

    Runs in its own interpreter: TensorFlow fixes its logical devices at first use.
    """
    completed = subprocess.run(
        [sys.executable, os.path.join(REPO_ROOT, "tests", "replica_check.py"), case_name,
         str(steps), str(global_batch)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")},
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-5000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2
    assert result["max_update"] > 1e-4, result  # the weights did move
    # Two replicas sum their gradients in another order than one device, and TensorFlow's CPU kernels
    # are not bit-reproducible even run to run. With the check's plain SGD (replica_check.py says why)
    # the differences measured are ≤ 7.7e-7 (CycleGAN's pooled images; its largest update 0.68) and
    # ≤ 1.2e-7 in every other case. A real replica bug (N× updates, the same noise on every replica,
    # unsynchronised statistics) is of the update's size.
    assert result["max_difference"] < 1e-5 + 1e-4 * result["max_update"], result
    return result


def load_in_fresh_process(export_path, script):
    """Runs `script` (Python, with `path` bound to the export) in an interpreter that never imports ganzoo.

    The script prints one JSON line, which is returned parsed.
    """
    guard = (
        "import sys, json\n"
        f"path = {export_path!r}\n"
        f"{script}\n"
        "assert not any(name == 'ganzoo' or name.startswith('ganzoo.') for name in sys.modules), "
        "'ganzoo was imported'\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", guard],
        capture_output=True,
        text=True,
        timeout=300,
        cwd="/",  # not the repository: ganzoo must not be importable by accident
    )
    assert completed.returncode == 0, completed.stderr[-5000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def assert_same_images(actual, expected, name=""):
    """uint8 images equal to within one level: the exported graph and the eager model may round a value
    near a half-level differently (measured: 1 pixel in 1536, in some runs)."""
    assert actual.dtype == np.uint8 and actual.shape == expected.shape, (name, actual.dtype, actual.shape)
    np.testing.assert_allclose(actual.astype(int), expected.astype(int), rtol=0, atol=1, err_msg=name)
