"""recipes/stargan_digits.py end to end, and its multi-domain export served without ganzoo."""

import json
import os

import keras
import numpy as np
import pytest

import ganzoo
import harness
from recipe_runner import run_recipe


def test_trains_scores_and_exports_a_multi_domain_model_that_serves_without_ganzoo(tmp_path, capsys):
    export_dir = tmp_path / "export"
    run_recipe(
        "stargan_digits",
        epochs=1,
        steps_per_epoch=3,
        image_size=16,
        n_critic=2,
        batch_size=8,
        model_dir=str(tmp_path / "run"),
        export_dir=str(export_dir),
        strategy="default",
    )
    assert "D_cls recognises the requested ink colour in" in capsys.readouterr().out
    with open(tmp_path / "run" / "scores.json") as stream:
        scores = json.load(stream)
    assert scores["translations"] == 2 * 364 and 0.0 <= scores["domain_rate"] <= 1.0
    assert os.path.exists(tmp_path / "run" / "translations.png")
    restored = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    assert int(restored.g_optimizer.iterations) == 3 and int(restored.d_optimizer.iterations) == 6
    assert isinstance(restored.g_optimizer._learning_rate, ganzoo.schedules.ConstantThenLinearDecay)

    images, domains, _ = ganzoo.data.colour_digits_arrays(16, "test")
    uint8 = np.round((images[:4] + 1.0) * 127.5).astype(np.uint8)
    targets = np.eye(3, dtype=np.float32)[[1, 2, 0, 0]]
    expected = np.asarray(ganzoo.export.to_uint8(restored.translate(uint8 / 127.5 - 1.0, targets)))
    result = harness.load_in_fresh_process(
        str(export_dir / "1"),
        f"""
import numpy as np
import tensorflow as tf
loaded = tf.saved_model.load(path)
serve, serve_bytes = loaded.signatures["serving_default"], loaded.signatures["serving_bytes"]
images = tf.constant(np.array({uint8.tolist()}, np.uint8))
domains = tf.constant({targets.tolist()}, tf.float32)
out = serve(images=images, domains=domains)["images"]
pngs = serve_bytes(image_bytes=tf.stack([tf.io.encode_png(image) for image in images]), domains=domains)
from_png = tf.stack([tf.io.decode_png(png) for png in pngs["images_bytes"]])
def refused(**inputs):
    try:
        serve(**inputs)
        return ""
    except tf.errors.InvalidArgumentError as error:
        return error.message
print(json.dumps({{
    "images": out.numpy().tolist(),
    "dtype": out.dtype.name,
    "png_equal": bool(np.array_equal(from_png.numpy(), out.numpy())),
    "wrong_length": refused(images=images, domains=tf.zeros([4, 5])),
    "wrong_batch": refused(images=images, domains=tf.zeros([3, 3])),
    "other_domain_differs": bool(np.any(serve(images=images, domains=tf.roll(domains, 1, 1))["images"].numpy()
                                      != out.numpy())),
}}))
""",
    )
    assert result["dtype"] == "uint8" and result["png_equal"] and result["other_domain_differs"]
    np.testing.assert_allclose(np.array(result["images"]), expected, atol=1)
    assert "`domains`" in result["wrong_length"], result["wrong_length"]
    assert "`domains`" in result["wrong_batch"], result["wrong_batch"]


def test_celeba_recipe_reads_a_local_attribute_folder(tmp_path):
    from PIL import Image

    rows = []
    for index in range(4):
        pixels = np.random.default_rng(index).integers(0, 255, (218, 178, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(tmp_path / f"{index:06d}.jpg")
        rows.append(f"{index:06d}.jpg,{1 if index % 2 else -1},{1 if index < 2 else -1}")
    (tmp_path / "attrs.csv").write_text("filename,Blond_Hair,Male\n" + "\n".join(rows) + "\n")
    result = run_recipe(
        "stargan_celeba",
        dataset=f"folder:{tmp_path}",
        attr_csv=str(tmp_path / "attrs.csv"),
        attrs=["Blond_Hair", "Male"],
        image_size=16,
        batch_size=2,
        n_critic=2,
        epochs=1,
        steps_per_epoch=1,
        model_dir=str(tmp_path / "run"),
        export_dir="",
        strategy="default",
    )
    model = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    assert model.domain_type == "multi" and model.n_domains == 2
    assert int(model.g_optimizer.iterations) == 1 and int(model.d_optimizer.iterations) == 2
    del result


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
