"""Mixed precision with two optimizers: each player gets its own loss scale under float16.

Keras wraps only `self.optimizer` in a `LossScaleOptimizer`; a GAN leaves that unset and keeps one
optimizer per player, which `AdversarialModel.build_optimizer` wraps. float16 is emulated on a CPU, so the
models here are small.
"""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import losses, networks
from zoo_cases import CASES

LossScaleOptimizer = keras.optimizers.LossScaleOptimizer


@pytest.fixture
def mixed_float16():
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


def _mlp_gan(hidden=(64, 64), **kwargs):
    return ganzoo.models.GAN(
        networks.mlp_generator(8, 2, hidden), networks.mlp_discriminator(2, hidden), seed=1, **kwargs
    )


def _float32_initial_weights(make_model):
    """The weights a model starts from, drawn once in float32 (variables are float32 under any policy)."""
    policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")
    try:
        keras.utils.set_random_seed(0)
        return make_model().get_weights()
    finally:
        keras.mixed_precision.set_global_policy(policy)


def _values(variables):
    return [np.array(variable) for variable in variables]


def _ring(batch_size=64):
    return ganzoo.data.mixture_2d("ring", batch_size=batch_size, seed=0)


# -- (a) every player's optimizer is wrapped ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_players_optimizer_gets_its_own_loss_scale(mixed_float16, name):
    model = CASES[name].make_model()
    model.compile(**CASES[name].compile_kwargs)
    assert model.uses_loss_scaling()
    assert isinstance(model.d_optimizer, LossScaleOptimizer), type(model.d_optimizer)
    assert isinstance(model.g_optimizer, LossScaleOptimizer), type(model.g_optimizer)
    assert model.d_optimizer is not model.g_optimizer
    assert model.d_optimizer.dynamic_scale is not model.g_optimizer.dynamic_scale
    # Built in compile, on the player's own variables.
    assert model.d_optimizer.built and model.g_optimizer.built


@pytest.mark.parametrize("name", ["gan", "dcgan", "wgan_gp_images", "pix2pix"])
def test_outputs_stay_float32_under_mixed_float16(mixed_float16, name):
    model = CASES[name].make_model()
    samples = CASES[name].sample(model)
    assert samples.dtype == np.float32
    if name in ("gan", "dcgan", "wgan_gp_images"):
        assert model.discriminator(samples).dtype == tf.float32
        # The hidden layers do compute in float16: the float32 is the output layer's own policy.
        assert model.generator.layers[1].compute_dtype == "float16"


def test_a_users_loss_scale_optimizer_is_kept_not_wrapped_twice(mixed_float16):
    mine = LossScaleOptimizer(keras.optimizers.Adam(1e-3), initial_scale=256.0)
    gan = _mlp_gan()
    gan.compile(d_optimizer=mine)
    assert gan.d_optimizer is mine
    assert isinstance(gan.d_optimizer.inner_optimizer, keras.optimizers.Adam)
    assert float(gan.d_optimizer.dynamic_scale) == 256.0


@pytest.mark.parametrize("policy", ["float32", "mixed_bfloat16"])
def test_no_loss_scaling_without_float16(policy):
    # bfloat16 has float32's exponent range: nothing to scale.
    keras.mixed_precision.set_global_policy(policy)
    try:
        gan = _mlp_gan()
        gan.compile()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert not gan.uses_loss_scaling()
    assert isinstance(gan.d_optimizer, keras.optimizers.Adam)
    assert isinstance(gan.g_optimizer, keras.optimizers.Adam)


# -- (b) mixed_float16 training stays finite and close to float32 ---------------------------------------


@pytest.mark.parametrize("kind", ["mlp", "dcgan"])
def test_mixed_float16_training_follows_float32_from_the_same_weights(kind):
    if kind == "mlp":
        make_model, make_data = _mlp_gan, _ring
    else:

        def make_model():
            return ganzoo.models.DCGAN((16, 16, 1), latent_dim=16, base_filters=8, seed=1)

        def make_data():
            return ganzoo.data.digits(image_size=16, batch_size=32, seed=0, repeat=True)

    initial = _float32_initial_weights(make_model)
    runs = {}
    for policy in ("float32", "mixed_float16"):
        keras.mixed_precision.set_global_policy(policy)
        try:
            model = make_model()
            model.set_weights(initial)
            model.compile()
            # One step per epoch: Keras resets the trackers each epoch, so the history is per step.
            history = model.fit(make_data(), steps_per_epoch=1, epochs=30, verbose=0).history
        finally:
            keras.mixed_precision.set_global_policy("float32")
        runs[policy] = (model, history)

    model, history = runs["mixed_float16"]
    reference = runs["float32"][1]
    assert isinstance(model.d_optimizer, LossScaleOptimizer)
    # No step was skipped for either player: every one of the 30 updates went through the loss scale.
    assert int(model.d_optimizer.iterations) == int(model.g_optimizer.iterations) == 30
    for key in ("d_loss", "g_loss"):
        mixed, full = np.array(history[key]), np.array(reference[key])
        assert np.all(np.isfinite(mixed)), mixed
        # float16 rounds to 2⁻¹¹ ≈ 5e-4 relative; on these O(1) losses 30 steps drift from float32 by
        # at most 5e-5 (MLP) and 5e-4 (DCGAN), measured: 5e-3 leaves ten float16 roundings of slack.
        np.testing.assert_allclose(mixed, full, atol=5e-3, err_msg=key)
        # ... and they are not float32 in disguise: the networks did compute in float16.
        assert np.any(mixed != full), key


def _scaled_game(factor):
    game = losses.get("non_saturating")
    return losses.Game(
        "non_saturating",
        lambda real, fake: factor * game.discriminator_loss(real, fake),
        lambda fake: factor * game.generator_loss(fake),
    )


def test_small_gradients_survive_float16_through_each_players_loss_scale():
    """The loss scale's purpose: gradients below float16's range (≈6e-8) would flush to 0 without it.

    With the loss 1e-5 times smaller, every gradient in the float16 layers underflows unscaled (measured:
    no generator weight moves). Adam with ε ≈ 0 is invariant to the loss's scale, so float32 takes its
    usual first step of ±lr per weight, and with loss scaling the mixed model takes the same one.
    """

    def adam():
        return keras.optimizers.Adam(1e-3, epsilon=1e-12)

    initial = _float32_initial_weights(_mlp_gan)
    steps = {}
    for policy in ("float32", "mixed_float16"):
        keras.mixed_precision.set_global_policy(policy)
        try:
            model = _mlp_gan()
            model.set_weights(initial)
            model.compile(d_optimizer=adam(), g_optimizer=adam(), loss=_scaled_game(1e-5))
            before = _values(model.trainable_variables)
            model.fit(_ring(), steps_per_epoch=1, epochs=1, verbose=0)
        finally:
            keras.mixed_precision.set_global_policy("float32")
        steps[policy] = [after - b for after, b in zip(_values(model.trainable_variables), before)]

    for variable, full, mixed in zip(model.trainable_variables, steps["float32"], steps["mixed_float16"]):
        moved = full != 0
        assert np.mean(mixed[moved] != 0) > 0.95, f"{variable.path}: gradients flushed to zero"
        assert np.mean(np.sign(mixed[moved]) == np.sign(full[moved])) > 0.95, variable.path


def test_weight_clipping_and_the_ema_work_on_float32_variables(mixed_float16):
    wgan = ganzoo.models.WGAN(
        networks.mlp_generator(8, 2, (32, 32)),
        networks.mlp_discriminator(2, (32, 32)),
        n_critic=2,
        ema_decay=0.9,
        seed=1,
    )
    wgan.compile(d_optimizer=keras.optimizers.RMSprop(1e-3), g_optimizer=keras.optimizers.RMSprop(1e-3))
    ema_before = _values(wgan.ema_generator.weights)
    wgan.fit(_ring(64 * 2), steps_per_epoch=3, epochs=1, verbose=0)

    critic = _values(wgan.discriminator.trainable_variables)
    assert all(weight.dtype == np.float32 for weight in critic)
    assert max(np.abs(weight).max() for weight in critic) <= 0.01 + 1e-7
    ema = _values(wgan.ema_generator.weights)
    assert all(weight.dtype == np.float32 and np.all(np.isfinite(weight)) for weight in ema)
    assert any(not np.array_equal(a, b) for a, b in zip(ema, ema_before))
    assert int(wgan.d_optimizer.iterations) == 2 * int(wgan.g_optimizer.iterations) == 6


# -- (c) an overflow skips that player's step and no other -----------------------------------------------


@pytest.mark.parametrize("overflowing", ["generator", "discriminator"])
def test_an_overflow_skips_only_the_player_that_overflowed(mixed_float16, overflowing):
    gan = _mlp_gan()
    gan.compile()
    gan.fit(_ring(), steps_per_epoch=1, epochs=1, verbose=0)  # traced, and both scales settled
    failing, healthy = (
        (gan.g_optimizer, gan.d_optimizer)
        if overflowing == "generator"
        else (gan.d_optimizer, gan.g_optimizer)
    )
    failing_net, healthy_net = (
        (gan.generator, gan.discriminator)
        if overflowing == "generator"
        else (gan.discriminator, gan.generator)
    )
    # A genuine float16 overflow: the scaled loss is finite in float32 (≈ 0.7 × 1e38), but its gradient
    # exceeds float16's 65504 as soon as it enters the float16 layers.
    failing.dynamic_scale.assign(1e38)
    healthy_scale = float(healthy.dynamic_scale)
    failing_before = _values(failing_net.trainable_variables)
    failing_slots = _values(failing.inner_optimizer.variables)
    healthy_before = _values(healthy_net.trainable_variables)
    healthy_iterations = int(healthy.iterations)

    logs = gan.fit(_ring(), steps_per_epoch=1, epochs=1, verbose=0).history

    for after, before in zip(_values(failing_net.trainable_variables), failing_before):
        np.testing.assert_array_equal(after, before)
    for after, before in zip(_values(failing.inner_optimizer.variables), failing_slots):
        np.testing.assert_array_equal(after, before)  # Adam's moments and iteration count untouched
    assert float(failing.dynamic_scale) == pytest.approx(0.5e38)

    healthy_after = _values(healthy_net.trainable_variables)
    assert all(np.all(np.isfinite(weight)) for weight in healthy_after)
    assert all(not np.array_equal(a, b) for a, b in zip(healthy_after, healthy_before))
    assert int(healthy.iterations) == healthy_iterations + 1
    assert float(healthy.dynamic_scale) == healthy_scale
    assert all(np.isfinite(values[-1]) for values in logs.values()), logs


# -- (d) a .keras round trip keeps the loss scales ---------------------------------------------------------


@pytest.mark.parametrize("name", ["gan", "dcgan"])
@pytest.mark.parametrize("load_policy", ["mixed_float16", "float32"])
def test_a_keras_file_keeps_both_loss_scale_optimizers(mixed_float16, tmp_path, name, load_policy):
    case = CASES[name]
    model = case.make_model()
    model.compile(**case.compile_kwargs)
    model.fit(case.dataset(16, 8), epochs=1, verbose=0)
    model.d_optimizer.dynamic_scale.assign(1024.0)  # not the initial 2¹⁵: the state, not a default
    model.g_optimizer.dynamic_scale.assign(2048.0)
    path = os.path.join(str(tmp_path), "model.keras")
    model.save(path)

    # Loaded in a float32 process too: the wrapper comes from the file, not from the global policy.
    keras.mixed_precision.set_global_policy(load_policy)
    restored = keras.saving.load_model(path, safe_mode=True)

    for original, loaded in (
        (model.d_optimizer, restored.d_optimizer),
        (model.g_optimizer, restored.g_optimizer),
    ):
        assert isinstance(loaded, LossScaleOptimizer), type(loaded)
        assert type(loaded.inner_optimizer) is type(original.inner_optimizer)
        assert float(loaded.dynamic_scale) == float(original.dynamic_scale)
        assert int(loaded.iterations) == int(original.iterations) == 2
        for a, b in zip(_values(original.variables), _values(loaded.variables)):
            np.testing.assert_array_equal(a, b)
    logs = restored.fit(case.dataset(8, 8), epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in logs.values()), logs


def test_a_resumed_checkpoint_keeps_both_loss_scales(mixed_float16, tmp_path):
    model = _mlp_gan()
    model.compile()
    model.fit(_ring(), steps_per_epoch=2, epochs=1, verbose=0)
    model.d_optimizer.dynamic_scale.assign(512.0)
    model.g_optimizer.dynamic_scale.assign(64.0)
    ganzoo.checkpointing.TrainingState(model, str(tmp_path)).save(2)

    resumed = _mlp_gan()
    resumed.compile()
    assert ganzoo.checkpointing.TrainingState(resumed, str(tmp_path)).restore(log=lambda _: None) == 2
    assert float(resumed.d_optimizer.dynamic_scale) == 512.0
    assert float(resumed.g_optimizer.dynamic_scale) == 64.0
    for a, b in zip(_values(model.g_optimizer.variables), _values(resumed.g_optimizer.variables)):
        np.testing.assert_array_equal(a, b)


# -- the driver sets the policy before it builds the model ------------------------------------------------


def test_the_training_driver_builds_the_model_under_the_requested_policy_and_then_restores_it(tmp_path):
    config = ganzoo.training.TrainConfig(
        name="mixed",
        model_dir=str(tmp_path),
        epochs=1,
        steps_per_epoch=2,
        mixed_precision="mixed_float16",
        sample_every=0,
        verbose=0,
    )

    def make_model():
        model = _mlp_gan()
        model.compile()
        return model

    messages = []
    result = ganzoo.training.train(config, lambda: _ring().take(2), make_model, log=messages.append)
    # The policy was the run's: what the caller builds next is float32 again, the run's model is not.
    assert keras.mixed_precision.global_policy().name == "float32"
    model = result.model
    assert model.generator.layers[1].compute_dtype == "float16"
    assert isinstance(model.d_optimizer, LossScaleOptimizer)
    assert isinstance(model.g_optimizer, LossScaleOptimizer)
    assert result.steps == 2
    assert any("mixed_float16" in message for message in messages)  # emulated on this CPU: a warning


def test_a_failed_run_restores_the_global_policy_too(tmp_path):
    config = ganzoo.training.TrainConfig(
        name="mixed", model_dir=str(tmp_path), epochs=1, mixed_precision="mixed_bfloat16", verbose=0
    )

    def unreadable_data():
        assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"  # set before the data
        raise FileNotFoundError("no such data directory")

    with pytest.raises(FileNotFoundError, match="no such data directory"):
        ganzoo.training.train(config, unreadable_data, _mlp_gan, log=lambda message: None)
    assert keras.mixed_precision.global_policy().name == "float32"


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
