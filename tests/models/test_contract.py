"""The model contract, checked for every model in the zoo (tests/zoo_cases.py lists them)."""

import pytest

import harness
import zoo_cases

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


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
