"""The options every game accepts (ganzoo/models/base.py and gan.py): packing, R1, the generator's EMA.

Spectral normalisation is tested in tests/layers/; each option also runs through the shared contract
(tests/zoo_cases.py: gan_options, cgan_projection_options, wgan_gp_options).
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo import export


def _gan(pack=1, **kwargs):
    return ganzoo.models.GAN(
        ganzoo.networks.mlp_generator(2, 2, (16,)),
        ganzoo.networks.mlp_discriminator(2, (16,), pack=pack),
        pack=pack,
        seed=0,
        **kwargs,
    )


# -- packing ----------------------------------------------------------------------------------------


def test_packing_puts_consecutive_samples_side_by_side():
    model = _gan(pack=2)
    flat = tf.reshape(tf.range(8.0), [4, 2])  # samples (0,1), (2,3), (4,5), (6,7)
    np.testing.assert_array_equal(model.pack_samples(flat).numpy(), [[0, 1, 2, 3], [4, 5, 6, 7]])
    images = tf.reshape(tf.range(4 * 2 * 2 * 3, dtype=tf.float32), [4, 2, 2, 3])
    packed = model.pack_samples(images).numpy()
    assert packed.shape == (2, 2, 2, 6)
    # Channels 0-2 are the first image's, 3-5 the second's, at every pixel.
    np.testing.assert_array_equal(packed[1, :, :, :3], images[2].numpy())
    np.testing.assert_array_equal(packed[1, :, :, 3:], images[3].numpy())


def test_a_batch_not_divisible_by_the_pack_is_refused():
    model = _gan(pack=4)
    model.compile()
    data = tf.data.Dataset.from_tensor_slices(np.zeros((6, 2), np.float32)).batch(6, drop_remainder=True)
    with pytest.raises(ValueError, match=r"pack=4 needs a global batch divisible by pack × replicas = 4; "
                       r"received a global batch of 6 over 1 replica"):
        model.fit(data, verbose=0)


def test_a_discriminator_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match=r"With pack=2 the discriminator must take 2 samples"):
        ganzoo.models.GAN(
            ganzoo.networks.mlp_generator(2, 2, (16,)), ganzoo.networks.mlp_discriminator(2, (16,)), pack=2
        )


def test_packing_4_captures_most_of_the_grid():
    # Measured (benchmarks/RESULTS.md): the plain concatenation spreads packing 4's samples between the
    # modes (1 mode of 25); a first layer shared by the packed samples captures 20+ of them.
    keras.utils.set_random_seed(0)
    steps = 10_000
    model = ganzoo.models.GAN(
        ganzoo.networks.mlp_generator(2, 2, (128, 128, 128)),
        ganzoo.networks.mlp_discriminator(2, (128, 128, 128), pack=4),
        pack=4,
        seed=0,
    )

    def adam():
        schedule = keras.optimizers.schedules.PiecewiseConstantDecay(
            [int(0.7 * steps), int(0.85 * steps)], [1e-3, 1e-4, 1e-5]
        )
        return keras.optimizers.Adam(schedule, beta_1=0.5)

    model.compile(d_optimizer=adam(), g_optimizer=adam(), steps_per_execution=100)
    model.fit(ganzoo.data.mixture_2d("grid", batch_size=512, seed=0), steps_per_epoch=steps, verbose=0)
    modes, std = ganzoo.data.mixture_2d_modes("grid")
    statistics = ganzoo.metrics.mode_statistics(model.generate(2500, seed=1), modes, std)
    assert statistics.modes >= 20, statistics


# -- R1 ---------------------------------------------------------------------------------------------


def test_r1_adds_half_gamma_times_the_squared_gradient_norm_to_the_discriminators_loss():
    # A linear discriminator with weights (3, 4): ‖∇D‖² = 25 everywhere, so R1 adds γ/2·25 = 25 for γ = 2.
    def linear_gan(r1_weight):
        keras.utils.set_random_seed(0)  # the same generator, so only the penalty differs
        discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        discriminator.set_weights([np.array([[3.0], [4.0]], np.float32), np.zeros(1, np.float32)])
        model = ganzoo.models.GAN(
            ganzoo.networks.mlp_generator(2, 2, (8,)), discriminator, r1_weight=r1_weight, seed=0
        )
        model.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
        return model.train_on_batch(np.ones((4, 2), np.float32), return_dict=True)["d_loss"]

    assert linear_gan(2.0) - linear_gan(0.0) == pytest.approx(25.0, rel=1e-5)


# -- EMA --------------------------------------------------------------------------------------------


def test_ema_follows_the_generator_with_a_warm_up():
    model = _gan(ema_decay=0.999)
    model.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.1))
    initial = [np.array(w) for w in model.generator.weights]
    np.testing.assert_array_equal(model.ema_generator.get_weights()[0], initial[0])
    assert not model.ema_generator.trainable_weights  # not trained by any optimizer
    model.train_on_batch(np.ones((4, 2), np.float32))
    # After t = 1 generator update the decay is min(0.999, (1 + t) / (10 + t)) = 2/11.
    decay = 2.0 / 11.0
    for average, before, after in zip(model.ema_generator.weights, initial, model.generator.weights):
        np.testing.assert_allclose(
            np.array(average), decay * before + (1 - decay) * np.array(after), rtol=1e-5, atol=1e-7
        )


def test_generate_and_the_export_use_the_ema_generator(tmp_path):
    model = _gan(ema_decay=0.99)
    model.compile(g_optimizer=keras.optimizers.SGD(0.5))
    model.fit(tf.data.Dataset.from_tensor_slices(np.ones((40, 2), np.float32)).batch(8), verbose=0)
    z = model.latent_noise(5, seed=3)
    from_ema = model.ema_generator(z).numpy()
    assert not np.allclose(from_ema, model.generator(z).numpy())
    np.testing.assert_allclose(model.generate(5, seed=3), from_ema)
    np.testing.assert_allclose(model.predict(z, verbose=0), from_ema, rtol=1e-6)
    loaded = tf.saved_model.load(export.save(model, str(tmp_path / "gan")))
    served = loaded.signatures["serving_default"](z=z)["samples"].numpy()
    np.testing.assert_allclose(served, from_ema, rtol=1e-6)


def test_options_round_trip_through_the_config():
    model = _gan(pack=2, ema_decay=0.9, r1_weight=0.5)
    clone = ganzoo.models.GAN.from_config(model.get_config())
    assert (clone.pack, clone.ema_decay, clone.r1_weight) == (2, 0.9, 0.5)
    assert clone.ema_generator is not None
    with pytest.raises(ValueError, match="ema_decay"):
        _gan(ema_decay=1.0)


def test_dcgan_takes_every_option_and_keeps_them_through_a_keras_file(tmp_path):
    model = ganzoo.models.DCGAN(
        (16, 16, 1), latent_dim=8, base_filters=4, pack=2, r1_weight=0.5, ema_decay=0.9,
        spectral_norm=True, seed=0,
    )
    # Two images side by side on the channel axis; spectral norm replaces BatchNorm in D.
    assert model.discriminator.input_shape == (None, 16, 16, 2)
    layer_types = {type(layer).__name__ for layer in model.discriminator.layers}
    assert "SpectralNormalization" in layer_types and "BatchNormalization" not in layer_types
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 1)).astype("float32")
    logs = model.train_on_batch(images, return_dict=True)
    assert all(np.isfinite(float(np.ravel(value)[0])) for value in logs.values()), logs
    path = str(tmp_path / "dcgan.keras")
    model.save(path)
    reloaded = keras.saving.load_model(path, safe_mode=True)
    assert (reloaded.pack, reloaded.r1_weight, reloaded.ema_decay, reloaded.spectral_norm) == (
        2, 0.5, 0.9, True,
    )
    z = model.latent_noise(3, seed=1)
    np.testing.assert_allclose(reloaded.generate(3, seed=1), model.ema_generator(z).numpy(), atol=1e-6)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
