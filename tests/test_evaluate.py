"""`python -m ganzoo.evaluate`: sampling each signature family, reports with protocols, clear errors."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from absl import flags
from absl.testing import flagsaver

import ganzoo
from ganzoo import evaluate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A tiny untrained DCGAN export and a cached digits classifier (so subprocesses skip training)."""
    root = tmp_path_factory.mktemp("evaluate")
    gan = ganzoo.models.DCGAN((16, 16, 1), latent_dim=8, base_filters=4, seed=0)
    gan.compile()
    ganzoo.export.save(gan, str(root / "dcgan"))
    cache = str(root / "digits_classifier.keras")
    ganzoo.metrics.DigitsClassifier.pretrained(cache_path=cache)
    return root, str(root / "dcgan"), cache


def test_command_prints_each_metric_with_its_protocol_as_json(workspace):
    root, export_dir, cache = workspace
    completed = subprocess.run(
        [sys.executable, "-m", "ganzoo.evaluate", f"--saved_model={export_dir}", "--dataset=digits",
         "--metrics=fid,kid,is,pr", "--n=300", "--batch_size=100", f"--extractor_cache={cache}",
         "--kid_subsets=10", "--json"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout)  # stdout holds the JSON alone
    assert set(report) == {"fid", "kid", "is", "pr"}
    assert report["fid"]["value"] > 100  # an untrained generator
    assert report["kid"]["std"] >= 0 and 1.0 <= report["is"]["value"] <= 10.0
    assert set(report["pr"]) >= {"precision", "recall"}
    for name, entry in report.items():
        protocol = entry["protocol"]
        assert "digits classifier" in protocol["extractor"], name
        assert "antialiased" in protocol["resize"] and protocol["generated_samples"] == 300, name
        assert "z ~ N(0, I) [8]" in protocol["generated"], name
        if name != "is":
            assert protocol["real_samples"] == 1433, name  # the whole digits train split
            assert "train split" in protocol["reference"] and "16x16x1" in protocol["reference"]
    assert "300/300" in completed.stderr  # the progress bar, kept off stdout


def test_text_report_and_main_with_flags(workspace, capsys):
    _, export_dir, cache = workspace
    if not flags.FLAGS.is_parsed():
        flags.FLAGS.mark_as_parsed()
    values = dict(saved_model=export_dir, dataset="digits", split="test", metrics="fid,is", n=100,
                  n_real=200, batch_size=64, extractor="auto", extractor_cache=cache, json=False,
                  seed=0, data_dir=None, input_dataset=None, weights="imagenet")
    with flagsaver.flagsaver(**values):
        evaluate.main(["evaluate"])
    out = capsys.readouterr().out
    assert out.startswith("FID: ") and "Inception Score: " in out
    assert "real_samples: 200" in out and "test split (first 200)" in out


def test_inception_without_weights_fails_fast_and_names_the_flag(workspace, tmp_path, monkeypatch):
    _, export_dir, _ = workspace
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(ganzoo.metrics.extractors, "keras_cache_dirs", lambda: [str(tmp_path)])
    values = dict(saved_model=export_dir, dataset="digits", metrics="fid", n=10, extractor="inception",
                  weights="imagenet", json=True, input_dataset=None)
    if not flags.FLAGS.is_parsed():
        flags.FLAGS.mark_as_parsed()
    with flagsaver.flagsaver(**values), pytest.raises(SystemExit) as raised:
        evaluate.main(["evaluate"])
    message = str(raised.value.code)
    assert "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5" in message
    assert "--weights" in message


def test_class_conditional_labels_are_uniform_over_n_classes(tmp_path):
    templates, labels = ganzoo.data.digits_arrays(16, split="train")
    firsts = np.stack([templates[np.flatnonzero(labels == d)[0]] for d in range(10)])
    table = tf.constant(np.round((firsts + 1.0) * 127.5).astype(np.uint8))

    class Conditional(tf.Module):
        """Draws the template of the requested digit: the score shows which labels were asked for."""

        @tf.function(input_signature=[tf.TensorSpec([None, 5], tf.float32, name="z"),
                                      tf.TensorSpec([None], tf.int32, name="labels")])
        def serve(self, z, labels):
            return {"images": tf.gather(table, labels)}

    module = Conditional()
    tf.saved_model.save(module, str(tmp_path / "1"), signatures={"serving_default": module.serve})
    scores = {}
    for n_classes in (10, 3):
        report = evaluate.evaluate_saved_model(str(tmp_path), metrics="is", n=600, n_classes=n_classes,
                                               is_splits=1)
        scores[n_classes] = report["is"]["value"]
        assert f"labels uniform over {n_classes} classes" in report["is"]["protocol"]["generated"]
    assert scores[10] > 8.0 and 2.7 < scores[3] < 3.01, scores


def test_image_to_image_translations_of_the_input_dataset(tmp_path):
    class Identity(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 16, 16, 1], tf.uint8, name="images")])
        def serve(self, images):
            return {"images": images}

    module = Identity()
    tf.saved_model.save(module, str(tmp_path / "1"), signatures={"serving_default": module.serve})
    report = evaluate.evaluate_saved_model(
        str(tmp_path), dataset="digits", split="train", metrics="fid", n=1000,
        input_dataset="digits", input_split="test", batch_size=100,
    )
    classifier = ganzoo.metrics.DigitsClassifier.pretrained()
    train, _ = ganzoo.data.digits_arrays(16, split="train")
    test, _ = ganzoo.data.digits_arrays(16, split="test")
    direct = ganzoo.metrics.frechet_distance(classifier.features(train), classifier.features(test))
    assert report["fid"]["protocol"]["generated_samples"] == 364  # every test digit, translated once
    assert report["fid"]["value"] == pytest.approx(direct, rel=0.02)  # up to uint8 rounding
    assert "digits" in report["fid"]["protocol"]["inputs"]
    with pytest.raises(ValueError, match="input_dataset"):
        evaluate.evaluate_saved_model(str(tmp_path), metrics="fid", n=10)


def test_mode_coverage_of_a_2d_mixture_export(tmp_path):
    gan = ganzoo.models.GAN(ganzoo.networks.mlp_generator(4, 2, hidden_units=(16,)),
                            ganzoo.networks.mlp_discriminator(2), latent_dim=4, seed=0)
    gan.compile()
    ganzoo.export.save(gan, str(tmp_path))
    report = evaluate.evaluate_saved_model(str(tmp_path), dataset="mixture:ring", metrics="modes,fid",
                                           n=500, batch_size=100)
    assert report["modes"]["total_modes"] == 8 and 0 <= report["modes"]["modes"] <= 8
    assert "PacGAN" in report["modes"]["protocol"]["method"]
    assert "identity" in report["fid"]["protocol"]["extractor"]
    assert report["fid"]["protocol"]["real_samples"] == 500


def test_stacked_digits_modes_of_an_rgb_export(tmp_path):
    gan = ganzoo.models.DCGAN((16, 16, 3), latent_dim=8, base_filters=4, seed=0)
    gan.compile()
    ganzoo.export.save(gan, str(tmp_path))
    report = evaluate.evaluate_saved_model(str(tmp_path), dataset="stacked_digits", metrics="modes", n=200)
    assert report["modes"]["total_modes"] == 1000
    assert report["modes"]["modes"] < 100  # an untrained generator collapses onto a few modes
    with pytest.raises(ValueError, match="modes needs"):
        evaluate.evaluate_saved_model(str(tmp_path), dataset="digits", metrics="modes", n=10)


def test_export_lookup_and_argument_errors(workspace, tmp_path):
    _, export_dir, _ = workspace
    assert evaluate.resolve_saved_model(export_dir) == os.path.join(export_dir, "1")
    assert evaluate.resolve_saved_model(os.path.join(export_dir, "1")) == os.path.join(export_dir, "1")
    with pytest.raises(FileNotFoundError, match="no SavedModel"):
        evaluate.resolve_saved_model(str(tmp_path))
    with pytest.raises(ValueError, match="unknown --metrics"):
        evaluate.evaluate_saved_model(export_dir, metrics="fid,lpips")


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
