"""CycleGAN learns on the real facades, unpaired (label maps A, photos B; no true pair in training)."""

import keras
import numpy as np
import pytest

import unpaired_facades
from ganzoo import data, models

SIDE = 64
STEPS = 400


def _scores(model, labels, photos):
    """(mean |F(G(a)) − a|₁, mean |G(a) − true photo|₁) over the val pairs, pixels in [-1, 1]."""
    fake_photos = np.asarray(model.translate(labels, "a_to_b"))
    reconstructed = np.asarray(model.translate(fake_photos, "b_to_a"))
    return float(np.abs(reconstructed - labels).mean()), float(np.abs(fake_photos - photos).mean())


def test_cycle_error_falls_and_g_moves_towards_the_true_photos(tmp_path):
    data_dir = unpaired_facades.build(tmp_path / "facades", side=SIDE)
    labels, photos = unpaired_facades.val_pairs(data_dir)  # 100 true pairs, never trained on
    keras.utils.set_random_seed(0)
    model = models.CycleGAN((SIDE, SIDE, 3), base_filters=8, residual_blocks=2, pool_size=50, seed=1)
    # The paper's Adam(2e-4, 0.5), batch 8 instead of 1. (At 2e-3 the photo L1 went 0.435 -> 0.433.)
    model.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
    )
    initial_cycle, initial_photo = _scores(model, labels, photos)
    batches = data.unpaired_folders(data_dir, image_size=SIDE, batch_size=8, seed=0, repeat=True)
    history = model.fit(batches, steps_per_epoch=STEPS, epochs=1, verbose=0).history
    cycle, photo = _scores(model, labels, photos)
    print(f"cycle L1 {initial_cycle:.3f} -> {cycle:.3f}; L1 to the true photo {initial_photo:.3f} -> {photo:.3f}")
    assert all(np.isfinite(values[-1]) for values in history.values()), history
    assert int(model.pool_a.count) == int(model.pool_b.count) == 50
    assert cycle < 0.5 * initial_cycle, (initial_cycle, cycle)  # measured: 0.657 -> 0.241
    # Measured 0.435 -> 0.404 (in 200-step fits: 0.386, 0.412, 0.415, 0.401 after 200 to 800 steps).
    # What G has learned is the photos' colours, not yet their layout: G(a) is no nearer its own photo
    # than the other 99 val photos (0.412 vs 0.392 on average after 400 steps; still so after 1,400,
    # where the L1 is back at 0.438), and another initialisation (seed 1) moves only 0.399 -> 0.395.
    assert photo < initial_photo, (initial_photo, photo)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
