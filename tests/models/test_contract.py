"""The model contract, checked for every model in the zoo (tests/zoo_cases.py lists them).

The assertions live in tests/harness.py (`run_*_test`), where other modules reuse them: each check
fails there with an AssertionError that names what broke. The negative controls at the end show two of
them catching the bugs they exist for.
"""

import dataclasses

import keras
import pytest

import harness
import zoo_cases
from ganzoo import models, networks

CASE_NAMES = sorted(zoo_cases.CASES)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_each_step_moves_only_the_intended_player(name):
    harness.run_player_isolation_test(zoo_cases.CASES[name])


@pytest.mark.parametrize("name", CASE_NAMES)
def test_config_round_trip(name):
    harness.run_serialization_test(zoo_cases.CASES[name])


@pytest.mark.parametrize("name", CASE_NAMES)
def test_keras_file_reload_keeps_outputs_and_optimizer_state(name, tmp_path):
    harness.run_model_saving_test(zoo_cases.CASES[name], tmp_path)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_resume_equals_uninterrupted_run(name, tmp_path):
    harness.run_resume_test(zoo_cases.CASES[name], tmp_path)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_two_replicas_equal_one_device(name):
    harness.run_replica_test(name)


# -- negative controls -------------------------------------------------------------------------------


def test_isolation_check_catches_keras_spectral_norm_moving_the_discriminator_in_gs_step():
    """Keras's own SpectralNormalization assigns W / σ(W) to the kernel in every training call, so the
    generator's step (which calls D in training mode) moves D: the leak ganzoo's subclass avoids."""

    def leaky_gan():
        discriminator = keras.Sequential(
            [
                keras.Input((2,)),
                keras.layers.SpectralNormalization(keras.layers.Dense(16, activation="relu")),
                keras.layers.Dense(1),
            ]
        )
        return models.GAN(networks.mlp_generator(8, 2, (16,)), discriminator, seed=3)

    case = dataclasses.replace(zoo_cases.CASES["gan"], make_model=leaky_gan)
    with pytest.raises(AssertionError, match="discriminator has learning rate 0 but its weights changed"):
        harness.run_player_isolation_test(case)


def test_resume_check_catches_a_model_that_replays_its_noise(tmp_path, monkeypatch):
    """With the noise counter rewound on reload (the SeedGenerator trap), the resumed half draws the
    first half's noise again and the weights differ from the uninterrupted run's."""
    real_load = keras.saving.load_model

    def load_with_rng_rewound(path, *args, **kwargs):
        model = real_load(path, *args, **kwargs)
        model.rng_step.assign(0)
        return model

    monkeypatch.setattr(keras.saving, "load_model", load_with_rng_rewound)
    with pytest.raises(AssertionError) as failure:
        harness.run_resume_test(zoo_cases.CASES["gan"], tmp_path)
    *_, differences = failure.value.args[0]
    # Not only the noise counter itself: the networks' weights move far outside the float-order
    # tolerance (measured: 8e-4 on a kernel after the two replayed steps).
    network = max(value for path, value in differences.items() if not path.endswith("rng_step"))
    assert network > 5 * harness.RESUME_TOLERANCE, differences


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
