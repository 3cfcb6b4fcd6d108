"""recipes/advgan_digits.py end to end, tiny, into a temporary directory; the export in a fresh process."""

import json
import os

import numpy as np
import pytest
from PIL import Image

import harness
from recipe_runner import run_recipe


def test_advgan_digits_prints_the_table_writes_the_strip_and_exports(tmp_path, capsys):
    run_dir, export_dir = tmp_path / "run", tmp_path / "export"
    run_recipe(
        "advgan_digits",
        classifier_epochs=1,
        epochs=1,
        steps_per_epoch=3,
        base_filters=4,
        epsilons=["1.0", "2.0"],
        linf_epsilons=["0.1"],
        pgd_steps=3,
        model_dir=str(run_dir),
        export_dir=str(export_dir),
        strategy="default",
    )
    printed = capsys.readouterr().out
    assert "| attack | norm | ε | success rate | mean L2 | mean L∞ |" in printed
    for attack in ("| FGSM | L2 | 1 |", "| PGD | L2 | 2 |", "| AdvGAN | L2 | 2 |", "| PGD | Linf | 0.1 |",
                   "| AdvGAN (as trained) | L2 | — |"):
        assert attack in printed
    assert open(run_dir / "attacks.md").read() in printed
    scores = json.load(open(run_dir / "attacks.json"))
    rows = scores["rows"]
    # FGSM + PGD + AdvGAN per L2 ε, FGSM + PGD per L∞ ε, AdvGAN as trained, FGSM + PGD at its mean L2
    assert len(rows) == 3 * 2 + 2 * 1 + 1 + 2
    for row in rows:
        assert 0.0 <= row["success_rate"] <= 1.0
        if row["epsilon"] is not None:
            bound = row["mean_linf"] if row["norm"] == "Linf" else row["mean_l2"]
            assert bound <= row["epsilon"] + 1e-5, row
    assert scores["clean_accuracy_after"] == scores["clean_accuracy_before"]

    strip = np.asarray(Image.open(run_dir / "adversarial_strip.png"))
    assert strip.shape == (3 * 18 + 2, 10 * 18 + 2)  # 3 rows × 10 digits of 16 px, 2 px apart
    assert os.path.isfile(run_dir / "classifier.keras") and os.path.isfile(run_dir / "model.keras")
    assert sorted(os.listdir(run_dir / "samples")) == ["epoch_0001.png"]
    assert os.listdir(export_dir) == ["1"]

    digits = np.random.default_rng(0).integers(0, 256, (2, 16, 16, 1)).astype(np.uint8)
    np.save(tmp_path / "digits.npy", digits)
    result = harness.load_in_fresh_process(
        str(export_dir / "1"),
        f"""
import numpy as np, tensorflow as tf
loaded = tf.saved_model.load(path)
digits = np.load({str(tmp_path / "digits.npy")!r})
images = loaded.signatures["serving_default"](images=tf.constant(digits))["images"]
pngs = tf.stack([tf.io.encode_png(d) for d in digits])
encoded = loaded.signatures["serving_bytes"](image_bytes=pngs)["images_bytes"]
decoded = tf.io.decode_png(encoded[0]).numpy()
print(json.dumps({{"dtype": images.dtype.name, "shape": images.shape.as_list(),
                   "png": encoded.numpy()[0][:4] == b"\\x89PNG",
                   "same": bool((decoded == images.numpy()[0]).all())}}))
""",
    )
    assert result == {"dtype": "uint8", "shape": [2, 16, 16, 1], "png": True, "same": True}


def test_advgan_digits_refuses_other_datasets(tmp_path):
    with pytest.raises(ValueError, match="must be 'digits'; received 'folder:x'"):
        run_recipe("advgan_digits", dataset="folder:x", model_dir=str(tmp_path), export_dir="",
                   strategy="default")


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
