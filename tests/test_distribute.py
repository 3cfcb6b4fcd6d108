"""Strategies by name, and the flag combinations that cannot work refused with a clear message."""

import types

import numpy as np
import pytest
import tensorflow as tf

import zoo_cases
from ganzoo import distribute


@pytest.mark.parametrize("name", ["auto", "default"])
def test_single_device_names_give_one_replica_here(name):
    assert distribute.get_strategy(name).num_replicas_in_sync == 1


def test_one_device_places_on_the_cpu_without_a_gpu():
    strategy = distribute.get_strategy("one_device")
    assert isinstance(strategy, tf.distribute.OneDeviceStrategy)
    assert "CPU" in strategy.extended.worker_devices[0].upper()


def test_unknown_strategy_lists_the_names():
    with pytest.raises(ValueError, match="Unknown strategy 'gpus'.*multi_worker"):
        distribute.get_strategy("gpus")


def test_multi_worker_without_tf_config_says_what_to_set(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="needs the TF_CONFIG environment variable"):
        distribute.get_strategy("multi_worker")
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(ValueError, match="TF_CONFIG is not valid JSON"):
        distribute.get_strategy("multi_worker")


def test_tpu_without_a_tpu_fails_clearly():
    with pytest.raises(ValueError, match="--strategy=tpu found no TPU"):
        distribute.get_strategy("tpu")


def test_xla_over_several_cpu_devices_is_refused():
    cpus = types.SimpleNamespace(
        num_replicas_in_sync=2,
        extended=types.SimpleNamespace(
            worker_devices=("/job:localhost/replica:0/task:0/device:CPU:0",
                            "/job:localhost/replica:0/task:0/device:CPU:1")
        ),
    )
    with pytest.raises(ValueError, match="cannot run under .* over 2 CPU devices"):
        distribute.check_jit_compile(cpus, True)
    distribute.check_jit_compile(cpus, False)
    distribute.check_jit_compile(tf.distribute.get_strategy(), True)


def test_unknown_precision_policy_is_refused():
    with pytest.raises(ValueError, match="Unknown precision policy 'float8'"):
        distribute.set_precision_policy("float8")


def test_mixed_float16_on_a_cpu_warns(monkeypatch):
    import keras

    messages = []
    try:
        distribute.set_precision_policy("mixed_float16", log=messages.append)
        assert keras.mixed_precision.global_policy().name == "mixed_float16"
    finally:
        keras.mixed_precision.set_global_policy("float32")
    if not tf.config.list_physical_devices("GPU"):
        assert messages and "slower than float32" in messages[0]


def test_one_step_with_and_without_xla_gives_the_same_losses_and_weights(monkeypatch):
    """The same step compiled by XLA and by TensorFlow, fed the same noise, agrees to float32 rounding.

    The noise is fixed for both runs because XLA's stateless Philox kernel draws other numbers than
    TensorFlow's for the same seed (measured): the comparison is of the computation, not of the RNG.
    """
    case = zoo_cases.CASES["dcgan"]
    initial_weights = case.make_model().get_weights()
    table = np.random.default_rng(0).normal(size=(64, 8)).astype(np.float32)

    def fixed_noise(self, stream, local_batch, shape):
        return tf.constant(table)[stream * 8 : stream * 8 + local_batch]

    monkeypatch.setattr(type(case.make_model()), "replica_normal", fixed_noise)
    runs = []
    for jit_compile in (False, True):
        model = case.make_model()
        model.set_weights(initial_weights)
        model.compile(jit_compile=jit_compile)
        history = model.fit(case.dataset(8, 8), epochs=1, verbose=0)
        runs.append(([history.history[key][-1] for key in ("d_loss", "g_loss")], model.get_weights()))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-5)
    for plain, compiled in zip(runs[0][1], runs[1][1]):
        np.testing.assert_allclose(plain, compiled, rtol=1e-4, atol=1e-5)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
