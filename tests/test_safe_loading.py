"""Safe loading: ganzoo models load with safe_mode=True, and nothing in ganzoo turns it off."""

import os
import pathlib

import keras
import pytest

import ganzoo

PACKAGE = pathlib.Path(ganzoo.__file__).resolve().parent


def test_a_keras_file_with_a_lambda_layer_is_refused(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda x: x * 2)])
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(ValueError, match="(?i)lambda"):
        keras.saving.load_model(path)  # safe_mode=True is the default


def test_every_registered_ganzoo_class_is_in_the_ganzoo_package():
    registered = keras.saving.get_custom_objects()
    ours = {name: obj for name, obj in registered.items() if name.startswith("ganzoo>")}
    assert ours, "no ganzoo class is registered for safe deserialization"
    for name, obj in ours.items():
        assert obj.__module__.startswith("ganzoo."), (name, obj.__module__)
    for model_class in ganzoo.models.REGISTRY.values():
        assert keras.saving.get_registered_name(model_class).startswith("ganzoo>")


def test_nothing_in_ganzoo_disables_safe_mode():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        for needle in ("safe_mode=False", "enable_unsafe_deserialization", "keras.layers.Lambda"):
            if needle in text:
                offenders.append(f"{os.path.relpath(path, PACKAGE)}: {needle}")
    assert not offenders, offenders


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
