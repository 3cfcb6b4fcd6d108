"""What TF Serving reads beside a SavedModel: warm-up records, models.config, and saved_model_cli's view."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import harness
import tiny_translators
import zoo_cases
from ganzoo import export, serving_assets

prediction_log_pb2 = pytest.importorskip(
    "tensorflow_serving.apis.prediction_log_pb2", reason="the `serving` extra is not installed"
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    base = tmp_path_factory.mktemp("saved_models")
    dcgan = zoo_cases.CASES["dcgan"].make_model()
    return base, dcgan, export.save(dcgan, str(base / "dcgan")), export.save(
        tiny_translators.Inverter(name="inverter"), str(base / "inverter")
    )


def _replay_warmup(path):
    """Feeds each warm-up record to its signature, as TF Serving does when it loads a version."""
    loaded = tf.saved_model.load(path)
    replayed = []
    for record in tf.data.TFRecordDataset(os.path.join(path, serving_assets.WARMUP_FILE)):
        entry = prediction_log_pb2.PredictionLog.FromString(record.numpy())
        request = entry.predict_log.request
        inputs = {name: tf.constant(tf.make_ndarray(proto)) for name, proto in request.inputs.items()}
        outputs = loaded.signatures[request.model_spec.signature_name](**inputs)
        replayed.append((request.model_spec.name, request.model_spec.signature_name, sorted(outputs)))
    return replayed


def test_warmup_records_cover_every_signature_and_run(exported):
    _, _, dcgan_path, inverter_path = exported
    assert _replay_warmup(dcgan_path) == [
        ("dcgan", "serving_bytes", ["images_bytes"]),
        ("dcgan", "serving_default", ["images"]),
    ]
    assert _replay_warmup(inverter_path) == [
        ("inverter", "serving_bytes", ["images_bytes"]),
        ("inverter", "serving_default", ["images"]),
    ]


def test_models_config_lists_every_export_once(exported):
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    base, dcgan, _, _ = exported
    export.save(dcgan, str(base / "dcgan"))  # a second version of the same model: still one entry
    config = model_server_config_pb2.ModelServerConfig()
    with open(base / serving_assets.MODEL_CONFIG) as stream:
        text_format.Parse(stream.read(), config)
    entries = {(c.name, c.base_path, c.model_platform) for c in config.model_config_list.config}
    assert entries == {
        ("dcgan", str(base / "dcgan"), "tensorflow"),
        ("inverter", str(base / "inverter"), "tensorflow"),
    }


def _saved_model_cli(*args):
    command = shutil.which("saved_model_cli") or os.path.join(os.path.dirname(sys.executable),
                                                               "saved_model_cli")
    completed = subprocess.run([command, *args], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def test_saved_model_cli_shows_the_documented_signatures(exported):
    _, dcgan, path, _ = exported
    shown = _saved_model_cli("show", "--all", "--dir", path)
    default = shown.split("signature_def['serving_default']:")[1].split("signature_def[")[0]
    assert "inputs['z'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 8)" in default
    assert "outputs['images'] tensor_info:\n        dtype: DT_UINT8\n        shape: (-1, 16, 16, 1)" in default
    assert "outputs['images_bytes']" in shown.split("signature_def['serving_bytes']:")[1]


def test_saved_model_cli_run_produces_an_image(exported, tmp_path):
    _, dcgan, path, _ = exported
    z = np.random.default_rng(0).normal(size=(2, dcgan.latent_dim)).astype(np.float32)
    np.save(tmp_path / "z.npy", z)
    _saved_model_cli(
        "run", "--dir", path, "--tag_set", "serve", "--signature_def", "serving_default",
        "--inputs", f"z={tmp_path / 'z.npy'}", "--outdir", str(tmp_path / "out"),
    )
    images = np.load(tmp_path / "out" / "images.npy")
    expected = export.to_uint8(dcgan.generator(z, training=False)).numpy()
    harness.assert_same_images(images, expected)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
