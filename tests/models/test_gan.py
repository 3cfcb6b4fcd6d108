"""What is special to `ganzoo.models.GAN` beyond the shared contract (tests/models/test_contract.py):
it learns the 25-mode grid, `compile(loss=...)` switches the game, and its noise and sampling API."""

import json
import math
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
import harness
from ganzoo.models import gan as gan_module


def _small_gan(latent_dim=4, seed=3):
    return ganzoo.models.GAN(
        ganzoo.networks.mlp_generator(latent_dim, 2, (16, 16)),
        ganzoo.networks.mlp_discriminator(2, (16, 16)),
        seed=seed,
    )


def _points(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype(np.float32)


# -- learning ---------------------------------------------------------------------------------------

# The recipe's networks and optimizer on a test-sized budget (recipes/gan_2d_mixture.py trains longer):
# about 45 s of one CPU core. Measured at this budget: seed 0 reaches 17 modes and 93% high-quality
# samples, 7 modes above the bar. Other seeds land lower (seeds 1 and 2: 9 and 11 modes), so the test
# pins its seed rather than claiming the bar for every seed.
_LEARNING_SEED = 0
_LEARNING_STEPS = 8000
_LEARNING_BATCH = 256


def _grid_gan():
    keras.utils.set_random_seed(_LEARNING_SEED)
    gan = ganzoo.models.GAN(
        ganzoo.networks.mlp_generator(2, 2, (128, 128, 128)),
        ganzoo.networks.mlp_discriminator(2, (128, 128, 128)),
        seed=_LEARNING_SEED,
    )
    half = _LEARNING_STEPS // 2

    def adam():  # held for half the steps, then a cosine decay: the recipe's schedule
        schedule = keras.optimizers.schedules.CosineDecay(
            2e-3, decay_steps=half, alpha=0.01, warmup_target=2e-3, warmup_steps=half
        )
        return keras.optimizers.Adam(schedule, beta_1=0.5)

    gan.compile(d_optimizer=adam(), g_optimizer=adam())
    return gan


def test_learns_most_modes_of_the_grid():
    modes, std = ganzoo.data.mixture_2d_modes("grid")
    gan = _grid_gan()

    untrained = ganzoo.metrics.mode_statistics(gan.generate(2500, seed=1), modes, std)
    # An untrained generator puts all its samples near the origin, which is the grid's centre mode:
    # at most that one mode, and a histogram as far from uniform as it gets (log 25 nats). Its share of
    # "high-quality" samples can be large for that reason, so learning is judged on modes AND quality.
    assert untrained.modes <= 1, untrained
    assert untrained.reverse_kl > 0.9 * math.log(25), untrained

    data = ganzoo.data.mixture_2d("grid", batch_size=_LEARNING_BATCH, seed=_LEARNING_SEED)
    gan.fit(data, steps_per_epoch=_LEARNING_STEPS, epochs=1, verbose=0)
    trained = ganzoo.metrics.mode_statistics(gan.generate(2500, seed=1), modes, std)
    assert trained.modes >= 10, trained
    assert trained.high_quality >= 0.5, trained
    assert trained.reverse_kl < 1.0, trained


# -- the game ----------------------------------------------------------------------------------------


def _softplus(x):
    return np.logaddexp(0.0, x)


# name -> (d_loss(real_logits, fake_logits), g_loss(fake_logits)) per example, by hand.
_FORMULAS = {
    "non_saturating": (
        lambda r, f: _softplus(-r) + _softplus(f),
        lambda f: _softplus(-f),
    ),
    "minimax": (
        lambda r, f: _softplus(-r) + _softplus(f),
        lambda f: -_softplus(f),
    ),
    "hinge": (
        lambda r, f: np.maximum(0.0, 1.0 - r) + np.maximum(0.0, 1.0 + f),
        lambda f: -f,
    ),
    "least_squares": (
        lambda r, f: 0.5 * (r - 1.0) ** 2 + 0.5 * f**2,
        lambda f: 0.5 * (f - 1.0) ** 2,
    ),
    "wasserstein": (
        lambda r, f: f - r,
        lambda f: -f,
    ),
}


@pytest.mark.parametrize("name", sorted(_FORMULAS))
def test_compile_loss_selects_the_game(name):
    assert sorted(_FORMULAS) == ganzoo.losses.names()
    batch = 16
    gan = _small_gan()
    # Learning rate 0: the step's logged losses are functions of the initial weights alone.
    gan.compile(
        d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0), loss=name
    )
    real = _points(batch)
    # The step's noise, drawn as train_step draws it at rng_step 0 on one device.
    d_noise = gan.replica_normal(gan_module._D_NOISE, batch, [gan.latent_dim])
    g_noise = gan.replica_normal(gan_module._G_NOISE, batch, [gan.latent_dim])
    real_logits = np.asarray(gan.discriminator(real), np.float64)[:, 0]
    fake_logits = np.asarray(gan.discriminator(gan.generator(d_noise)), np.float64)[:, 0]
    g_logits = np.asarray(gan.discriminator(gan.generator(g_noise)), np.float64)[:, 0]

    logs = harness.one_step(gan, _FixedBatch(real), batch)
    d_formula, g_formula = _FORMULAS[name]
    np.testing.assert_allclose(logs["d_loss"], d_formula(real_logits, fake_logits).mean(), rtol=1e-5)
    np.testing.assert_allclose(logs["g_loss"], g_formula(g_logits).mean(), rtol=1e-5, atol=1e-6)
    if name != "non_saturating":
        # Discriminating: on these logits this game's losses differ from the default game's.
        default_d, default_g = _FORMULAS["non_saturating"]
        gap = abs(d_formula(real_logits, fake_logits).mean() - default_d(real_logits, fake_logits).mean())
        gap += abs(g_formula(g_logits).mean() - default_g(g_logits).mean())
        assert gap > 1e-3, (name, gap)


class _FixedBatch:
    """A stand-in for a zoo case: one dataset of the given points (harness.one_step reads `.dataset`)."""

    def __init__(self, points):
        self.points = points

    def dataset(self, n_examples, batch_size):
        return tf.data.Dataset.from_tensor_slices(self.points).batch(batch_size, drop_remainder=True)


def test_unknown_loss_name_is_a_value_error_naming_it():
    gan = _small_gan()
    with pytest.raises(ValueError, match="'no_such_game'"):
        gan.compile(loss="no_such_game")


def test_wrong_latent_dim_is_a_value_error():
    with pytest.raises(ValueError, match="latent_dim=5 .* 4"):
        ganzoo.models.GAN(
            ganzoo.networks.mlp_generator(4, 2, (8,)),
            ganzoo.networks.mlp_discriminator(2, (8,)),
            latent_dim=5,
        )


# -- sampling -----------------------------------------------------------------------------------------


def test_generate_is_repeatable_per_seed_and_predict_is_the_generator():
    gan = _small_gan()
    first, again, other = gan.generate(32, seed=7), gan.generate(32, seed=7), gan.generate(32, seed=8)
    assert first.shape == (32, 2) and first.dtype == np.float32
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)

    z = np.random.default_rng(0).normal(size=(10, gan.latent_dim)).astype(np.float32)
    np.testing.assert_allclose(gan.predict(z, verbose=0), np.asarray(gan.generator(z)), rtol=1e-6)


def test_evaluate_reports_the_losses_and_changes_no_weights():
    gan = _small_gan()
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    before = [keras.ops.convert_to_numpy(v) for v in gan.weights + gan.d_optimizer.variables + gan.g_optimizer.variables]
    logs = gan.evaluate(
        tf.data.Dataset.from_tensor_slices(_points(64)).batch(16), verbose=0, return_dict=True
    )
    assert {"d_loss", "g_loss"} <= set(logs), logs
    assert all(np.isfinite(value) for value in logs.values()), logs
    after = gan.weights + gan.d_optimizer.variables + gan.g_optimizer.variables
    for b, a in zip(before, after):
        np.testing.assert_array_equal(b, keras.ops.convert_to_numpy(a), err_msg=a.path)


# -- noise under tf.distribute ---------------------------------------------------------------------

_REPLICA_NOISE_SCRIPT = """
import json
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)
import numpy as np
import ganzoo

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    gan = ganzoo.models.GAN(
        ganzoo.networks.mlp_generator(3, 2, (8,)), ganzoo.networks.mlp_discriminator(2, (8,)), seed=5
    )

@tf.function
def draw():
    return gan.replica_normal(0, 4, [3])

slices = [np.asarray(s) for s in strategy.experimental_local_results(strategy.run(draw))]
single = np.asarray(gan.replica_normal(0, 8, [3]))  # one device draws the whole global batch
print(json.dumps({
    "replicas": len(slices),
    "shapes": [list(s.shape) for s in slices],
    "slices_differ": bool(not np.allclose(slices[0], slices[1])),
    "concatenation_equals_single_draw": bool(np.array_equal(np.concatenate(slices), single)),
}))
"""


def test_each_replica_draws_its_own_slice_of_the_global_noise():
    completed = subprocess.run(
        [sys.executable, "-c", _REPLICA_NOISE_SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=harness.REPO_ROOT,
        env={
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONPATH": harness.REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
        },
    )
    assert completed.returncode == 0, completed.stderr[-5000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result == {
        "replicas": 2,
        "shapes": [[4, 3], [4, 3]],
        "slices_differ": True,
        "concatenation_equals_single_draw": True,
    }


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
