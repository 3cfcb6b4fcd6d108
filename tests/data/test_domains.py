"""The multi-domain pipelines: colour-domain digits, the attribute CSV folder, CelebA's errors."""

import numpy as np
import pytest
from PIL import Image

from ganzoo import data
from ganzoo.data import domains as domains_module


def test_colour_digits_are_the_documented_transform_of_the_real_digits():
    images, domains, digits = data.colour_digits_arrays(16, "train")
    grey, grey_digits = data.digits_arrays(16, "train")
    assert images.shape == (len(grey), 16, 16, 3) and images.dtype == np.float32
    np.testing.assert_array_equal(digits, grey_digits)
    np.testing.assert_array_equal(domains, np.arange(len(grey)) % 3)
    intensity = (grey[..., 0] + 1.0) / 2.0
    for domain in range(3):
        chosen = domains == domain
        for channel in range(3):
            expected = 2.0 * intensity[chosen] - 1.0 if channel == domain else -np.ones_like(intensity[chosen])
            np.testing.assert_allclose(images[chosen][..., channel], expected, atol=1e-6)
    # Every domain holds every digit class (unpaired: each digit in one domain only).
    for domain in range(3):
        assert set(digits[domains == domain]) == set(range(10))
    assert data.COLOUR_DOMAINS == ("red", "green", "blue")


def test_colour_digits_pipeline_yields_full_seeded_batches():
    batches = list(data.colour_digits(16, batch_size=64, split="test", seed=1))
    again = list(data.colour_digits(16, batch_size=64, split="test", seed=1))
    assert len(batches) == 364 // 64
    images, domains = batches[0]
    assert images.shape == (64, 16, 16, 3) and domains.dtype.name == "int32"
    np.testing.assert_array_equal(np.asarray(batches[0][1]), np.asarray(again[0][1]))


def _write_folder(tmp_path, rows, header="filename,Blond_Hair,Male,Young"):
    for index in range(len(rows)):
        Image.fromarray(np.full((218, 178, 3), 40 * index, np.uint8)).save(tmp_path / f"{index}.png")
    csv_path = tmp_path / "attrs.csv"
    csv_path.write_text(header + "\n" + "\n".join(f"{i}.png," + ",".join(r) for i, r in enumerate(rows)) + "\n")
    return csv_path


def test_attribute_folder_reads_the_chosen_columns_with_celeba_signs(tmp_path):
    csv_path = _write_folder(tmp_path, [["1", "-1", "1"], ["-1", "1", "-1"], ["0", "1", "1"], ["1", "1", "1"]])
    dataset = data.attribute_folder(
        str(tmp_path), str(csv_path), ["Male", "Blond_Hair"], image_size=32, batch_size=4, crop=178,
        shuffle=False,
    )
    images, attributes = next(iter(dataset))
    assert images.shape == (4, 32, 32, 3)
    np.testing.assert_array_equal(np.asarray(attributes), [[0, 1], [1, 0], [1, 0], [1, 1]])
    np.testing.assert_allclose(np.asarray(images)[1], 40 / 127.5 - 1.0, atol=1e-5)


def test_attribute_folder_names_a_missing_column_and_a_missing_image(tmp_path):
    csv_path = _write_folder(tmp_path, [["1", "-1", "1"]])
    with pytest.raises(ValueError, match=r"no column\(s\) \['Bald'\]"):
        data.attribute_folder(str(tmp_path), str(csv_path), ["Bald"], batch_size=1)
    (tmp_path / "0.png").unlink()
    with pytest.raises(FileNotFoundError, match="0.png"):
        data.attribute_folder(str(tmp_path), str(csv_path), ["Male"], batch_size=1)


def test_celeb_a_not_prepared_fails_fast_naming_the_data_dir(tmp_path):
    with pytest.raises(data.DatasetNotPreparedError, match="celeb_a"):
        data.celeb_a_attributes(data_dir=str(tmp_path), download=False)
    assert domains_module.CELEBA_DEFAULT_ATTRS == (
        "Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"
    )


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
