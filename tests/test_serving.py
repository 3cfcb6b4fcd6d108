"""The serving clients, over loopback, against TF Serving's documented request and response formats."""

import json
import os
import shutil
import socket
import subprocess
import time

import numpy as np
import pytest
import tensorflow as tf

import tiny_translators
import zoo_cases
from fake_tf_serving import FakeServing, run_rest_predict
from ganzoo import export, serving


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    base = tmp_path_factory.mktemp("exports")
    dcgan = zoo_cases.CASES["dcgan"].make_model()
    return {
        "dcgan": (dcgan, export.save(dcgan, str(base / "dcgan"))),
        "inverter": (None, export.save(tiny_translators.Inverter(name="inverter"), str(base / "inverter"))),
    }


def _jpeg_or_png(image):
    return tf.io.encode_png(image).numpy()


def test_rest_body_for_the_bytes_signature_round_trips_as_tf_serving_decodes_it(exports):
    _, path = exports["inverter"]
    image = np.random.default_rng(0).integers(0, 256, (8, 6, 3)).astype(np.uint8)
    body = serving.encode_rest_request({"image_bytes": [_jpeg_or_png(image)]}, "serving_bytes")
    wire = json.loads(json.dumps(body))  # what travels
    assert list(wire["instances"][0]) == ["image_bytes"]
    assert set(wire["instances"][0]["image_bytes"]) == {"b64"}
    response = json.loads(json.dumps(run_rest_predict(tf.saved_model.load(path), wire)))
    assert set(response["predictions"][0]) == {"b64"}  # a lone *_bytes output comes back base64
    png = tf.io.decode_png(__import__("base64").b64decode(response["predictions"][0]["b64"])).numpy()
    np.testing.assert_allclose(png.astype(int), 255 - image.astype(int), atol=1)
    decoded = serving.decode_rest_response(response)["output"]
    np.testing.assert_array_equal(decoded, png[np.newaxis])


def test_rest_client_against_a_server_on_loopback(exports):
    dcgan, path = exports["dcgan"]
    z = np.random.default_rng(1).normal(size=(3, dcgan.latent_dim)).astype(np.float32)
    expected = export.to_uint8(dcgan.generator(z, training=False)).numpy()
    with FakeServing(path, "dcgan") as server:
        client = serving.RestClient(server.rest_url, "dcgan")
        rows = client.predict({"z": z})
        columns = client.predict({"z": z}, row_format=False)
        png = client.predict({"z": z}, signature_name="serving_bytes")
    np.testing.assert_array_equal(rows["output"], expected)
    np.testing.assert_array_equal(columns["images"], expected)
    np.testing.assert_array_equal(png["output"].reshape(expected.shape), expected)


def test_rest_client_decodes_named_bytes_outputs_into_images(exports):
    _, path = exports["inverter"]
    image = np.random.default_rng(2).integers(0, 256, (2, 8, 6, 3)).astype(np.uint8)
    with FakeServing(path, "inverter") as server:
        client = serving.RestClient(server.rest_url, "inverter", version=1)
        answer = client.predict(
            {"image_bytes": [_jpeg_or_png(i) for i in image]}, signature_name="serving_bytes", row_format=False
        )
        with pytest.raises(RuntimeError, match="answered 400.*image_bytes"):
            client.predict({"image_bytes": [b"not an image"]}, signature_name="serving_bytes")
    assert answer["images_bytes"].shape == (2, 8, 6, 3)
    np.testing.assert_allclose(answer["images_bytes"].astype(int), 255 - image.astype(int), atol=1)


def test_grpc_client_against_a_server_on_loopback(exports):
    pytest.importorskip("tensorflow_serving.apis", reason="the `serving` extra is not installed")
    dcgan, path = exports["dcgan"]
    z = np.random.default_rng(3).normal(size=(2, dcgan.latent_dim)).astype(np.float32)
    expected = export.to_uint8(dcgan.generator(z, training=False)).numpy()
    with FakeServing(path, "dcgan") as server:
        client = serving.GrpcClient(server.grpc_target, "dcgan")
        try:
            images = client.predict({"z": z})["images"]
            pngs = client.predict({"z": z}, signature_name="serving_bytes")["images_bytes"]
        finally:
            client.close()
    np.testing.assert_array_equal(images, expected)
    np.testing.assert_array_equal(pngs, expected)


def test_mismatched_batch_sizes_are_refused_before_sending():
    with pytest.raises(ValueError, match="same batch size"):
        serving.encode_rest_request({"z": np.zeros((2, 4)), "labels": [1, 2, 3]})


@pytest.mark.skipif(shutil.which("tensorflow_model_server") is None,
                    reason="tensorflow_model_server is not installed on this machine")
def test_against_the_real_tensorflow_model_server(exports):
    dcgan, path = exports["dcgan"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([
        "tensorflow_model_server", f"--rest_api_port={port}", "--port=0", "--model_name=dcgan",
        f"--model_base_path={os.path.dirname(path)}",
    ])
    try:
        client = serving.RestClient(f"http://127.0.0.1:{port}", "dcgan")
        z = np.zeros((1, dcgan.latent_dim), np.float32)
        for _ in range(60):
            try:
                answer = client.predict({"z": z})
                break
            except Exception:
                time.sleep(1)
        else:
            pytest.fail("tensorflow_model_server did not answer within 60 s")
        assert np.asarray(answer["output"]).shape == (1, 16, 16, 1)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
