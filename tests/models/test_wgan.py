"""WGAN with weight clipping: what is special to it beyond the shared contract
(tests/models/test_contract.py)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ganzoo
from ganzoo.models.base import AdversarialModel


def _wgan(**kwargs):
    return ganzoo.models.WGAN(
        ganzoo.networks.mlp_generator(2, 2, (32, 32)),
        ganzoo.networks.mlp_discriminator(2, (32, 32)),
        seed=0,
        **kwargs,
    )


def test_defaults_are_the_papers():
    wgan = _wgan()
    wgan.compile()
    assert wgan.n_critic == 5 and wgan.clip_value == pytest.approx(0.01)
    assert wgan.game.name == "wasserstein"
    for optimizer in (wgan.d_optimizer, wgan.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.RMSprop)
        assert float(optimizer.learning_rate) == pytest.approx(5e-5)


def test_every_critic_weight_stays_clipped_and_the_clip_binds():
    keras.utils.set_random_seed(0)
    wgan = _wgan()
    wgan.compile(d_optimizer=keras.optimizers.RMSprop(1e-3), g_optimizer=keras.optimizers.RMSprop(1e-3))
    # Glorot's initial weights reach ±0.4: most lie outside [-0.01, 0.01] before the first update.
    initial = np.concatenate([np.ravel(w) for w in wgan.discriminator.get_weights()])
    assert np.mean(np.abs(initial) > 0.01) > 0.5
    data = ganzoo.data.mixture_2d("grid", batch_size=64 * wgan.n_critic, seed=0)
    wgan.fit(data, steps_per_epoch=40, epochs=1, verbose=0)

    weights = np.concatenate([np.ravel(np.array(w)) for w in wgan.discriminator.trainable_variables])
    assert np.all(np.abs(weights) <= 0.01 + 1e-7), np.abs(weights).max()
    assert np.mean(np.abs(weights) >= 0.01 - 1e-6) > 0.3  # the clip is active, not a formality
    # n_critic critic updates per generator update.
    assert int(wgan.d_optimizer.iterations) == 5 * int(wgan.g_optimizer.iterations) == 200


def test_each_critic_update_has_its_own_real_batch():
    parts = AdversarialModel.strided_split(tf.range(10), 5)
    assert [p.numpy().tolist() for p in parts] == [[0, 5], [1, 6], [2, 7], [3, 8], [4, 9]]


def test_a_batch_that_does_not_split_into_n_critic_parts_is_refused():
    wgan = _wgan()
    wgan.compile()
    data = tf.data.Dataset.from_tensor_slices(np.zeros((12, 2), np.float32)).batch(12, drop_remainder=True)
    with pytest.raises(ValueError, match=r"divisible by 5 × replicas = 5; received a global batch of 12"):
        wgan.fit(data, verbose=0)


def test_config_keeps_n_critic_and_clip_value():
    wgan = _wgan(n_critic=3, clip_value=0.05)
    clone = ganzoo.models.WGAN.from_config(wgan.get_config())
    assert (clone.n_critic, clone.clip_value) == (3, 0.05)
    with pytest.raises(ValueError, match="clip_value"):
        _wgan(clip_value=0.0)
    with pytest.raises(ValueError, match="n_critic"):
        _wgan(n_critic=0)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
