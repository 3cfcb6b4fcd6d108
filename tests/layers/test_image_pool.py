"""ganzoo.layers.ImagePool: the CycleGAN image history buffer."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganzoo import layers, models

SHAPE = (2, 2, 1)


def _marked(ids):
    """One image per id, every pixel equal to the id: the id can be read back from any output row."""
    return np.broadcast_to(np.asarray(ids, np.float32)[:, None, None, None], (len(ids), *SHAPE)).copy()


def _ids(images):
    return np.asarray(images)[:, 0, 0, 0].round().astype(int).tolist()


def _seed(step):
    return tf.constant([17, step], tf.int64)


@tf.function
def _query(pool, images, seed):  # as inside a compiled train_step
    return pool(images, seed)


def test_a_filling_pool_stores_and_returns_the_new_images():
    pool = layers.ImagePool(4, SHAPE)
    np.testing.assert_array_equal(_ids(_query(pool, _marked([1, 2, 3]), _seed(0))), [1, 2, 3])
    assert int(pool.count) == 3
    out = _ids(_query(pool, _marked([4, 5, 6]), _seed(1)))
    assert out[0] == 4 and int(pool.count) == 4  # the 4th image still fills, the pool is now full
    assert 0 not in _ids(pool.buffer) and set(_ids(pool.buffer)) <= {1, 2, 3, 4, 5, 6}


@pytest.mark.parametrize("swap_probability", [0.5, 0.2])
def test_a_full_pool_returns_a_stored_image_with_the_documented_probability(swap_probability):
    pool = layers.ImagePool(10, SHAPE, swap_probability=swap_probability)
    _query(pool, _marked(range(1, 11)), _seed(0))  # full: ids 1..10
    stored, new_count, total, next_id = set(range(1, 11)), 0, 0, 11
    for step in range(1, 101):
        ids = list(range(next_id, next_id + 20))
        next_id += 20
        out = _ids(_query(pool, _marked(ids), _seed(step)))
        for row, (returned, incoming) in enumerate(zip(out, ids)):
            total += 1
            if returned == incoming:
                new_count += 1
            else:
                # A stored image (possibly one stored earlier in this batch), swapped for the new one.
                assert returned in stored, (returned, row)
                stored.discard(returned)
                stored.add(incoming)
        assert set(_ids(pool.buffer)) == stored and int(pool.count) == 10
    fraction_new = new_count / total  # 2000 draws: standard error ≤ 0.012
    assert abs(fraction_new - (1 - swap_probability)) < 0.04, fraction_new


def test_the_decisions_are_a_function_of_the_seed_and_pool_size_zero_is_the_identity():
    first, second = layers.ImagePool(3, SHAPE), layers.ImagePool(3, SHAPE)
    for pool in (first, second):
        _query(pool, _marked([1, 2, 3]), _seed(0))
    a = _ids(_query(first, _marked(range(4, 12)), _seed(5)))
    b = _ids(_query(second, _marked(range(4, 12)), _seed(5)))
    c = _ids(_query(second, _marked(range(4, 12)), _seed(6)))
    assert a == b and a != c
    off = layers.ImagePool(0, SHAPE)
    np.testing.assert_array_equal(_ids(_query(off, _marked([7, 8]), _seed(0))), [7, 8])


def test_the_state_survives_a_checkpoint_and_the_resumed_pool_continues_identically(tmp_path):
    pool = layers.ImagePool(5, SHAPE)
    for step in range(3):
        _query(pool, _marked(range(10 * step, 10 * step + 4)), _seed(step))
    path = tf.train.Checkpoint(pool=pool).write(os.path.join(str(tmp_path), "ckpt"))
    restored = layers.ImagePool(5, SHAPE)
    tf.train.Checkpoint(pool=restored).read(path).assert_consumed()
    np.testing.assert_array_equal(np.asarray(restored.buffer), np.asarray(pool.buffer))
    assert int(restored.count) == int(pool.count) == 5
    new = _marked(range(100, 106))
    np.testing.assert_array_equal(_query(restored, new, _seed(9)), _query(pool, new, _seed(9)))


def test_a_cyclegan_keras_file_keeps_both_pools(tmp_path):
    model = models.CycleGAN((16, 16, 3), base_filters=4, residual_blocks=1, d_layers=2, pool_size=6, seed=1)
    model.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 3)).astype(np.float32)
    model.fit(tf.data.Dataset.from_tensor_slices((images, images[::-1])).batch(4), verbose=0)
    assert int(model.pool_a.count) == int(model.pool_b.count) == 6
    assert np.abs(np.asarray(model.pool_b.buffer)).max() > 0
    path = os.path.join(str(tmp_path), "cyclegan.keras")
    model.save(path)
    restored = keras.saving.load_model(path, safe_mode=True)
    for name in ("pool_a", "pool_b"):
        original, reloaded = getattr(model, name), getattr(restored, name)
        np.testing.assert_array_equal(np.asarray(reloaded.buffer), np.asarray(original.buffer))
        assert int(reloaded.count) == int(original.count)


def test_bad_arguments_are_refused_with_what_was_received():
    with pytest.raises(ValueError, match="pool_size must be >= 0; received -1"):
        layers.ImagePool(-1, SHAPE)
    with pytest.raises(ValueError, match=r"swap_probability must be in \[0, 1\]; received 1.5"):
        layers.ImagePool(4, SHAPE, swap_probability=1.5)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
