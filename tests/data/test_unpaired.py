"""ganzoo.data.unpaired_folders on an unpaired set built from the real facades."""

import os

import numpy as np
import pytest
from PIL import Image

import unpaired_facades
from ganzoo import data


@pytest.fixture(scope="module")
def facades_ab(tmp_path_factory):
    return unpaired_facades.build(tmp_path_factory.mktemp("unpaired"), side=32)


def _batches(dataset):
    return [(np.asarray(a), np.asarray(b)) for a, b in dataset]


def test_elements_are_unpaired_a_b_batches_of_an_epoch_of_the_larger_domain(facades_ab):
    dataset = data.unpaired_folders(facades_ab, image_size=32, batch_size=4, jitter=False, seed=0)
    batches = _batches(dataset)
    assert len(batches) == int(dataset.cardinality()) == 200 // 4
    for a, b in batches:
        assert a.shape == b.shape == (4, 32, 32, 3) and a.dtype == np.float32
        assert -1 <= a.min() and a.max() <= 1


def test_the_two_domains_are_shuffled_independently_and_reproducibly(facades_ab):
    def epoch(seed):  # one batch holding a whole epoch (200 images per domain)
        dataset = data.unpaired_folders(facades_ab, image_size=32, batch_size=200, jitter=False, seed=seed)
        return _batches(dataset)[0]

    def files(domain):
        folder = os.path.join(facades_ab, f"train{domain}")
        names = sorted(os.listdir(folder), key=lambda name: int(name.split(".")[0]))
        return np.stack([np.asarray(Image.open(os.path.join(folder, n)), np.float32) / 127.5 - 1 for n in names])

    def permutation(batch, originals):
        def signature(images):  # 8x8 grey thumbnails: small enough to compare all pairs
            return images[:, ::4, ::4].mean(axis=-1).reshape(len(images), -1)

        distances = np.abs(signature(batch)[:, None] - signature(originals)[None]).max(axis=-1)
        assert distances.min(axis=1).max() < 1e-5  # every row is one of the domain's files
        return distances.argmin(axis=1).tolist()

    a0, b0 = epoch(0)
    a0_again, b0_again = epoch(0)
    a1, _ = epoch(1)
    np.testing.assert_array_equal(a0, a0_again)
    np.testing.assert_array_equal(b0, b0_again)
    assert not np.array_equal(a0, a1)
    perm_a, perm_b = permutation(a0, files("A")), permutation(b0, files("B"))
    # Each domain is read from its own folder, whole, in its own order: row i of a and of b are
    # files of unrelated positions.
    assert sorted(perm_a) == sorted(perm_b) == list(range(200))
    assert perm_a != perm_b and perm_a != list(range(200))


def test_jitter_crops_and_mirrors_each_domain_with_its_own_draws(facades_ab):
    plain = _batches(data.unpaired_folders(facades_ab, "test", image_size=32, batch_size=4, seed=0))
    jittered = _batches(
        data.unpaired_folders(facades_ab, "test", image_size=32, batch_size=4, jitter=True, seed=0)
    )
    assert jittered[0][0].shape == plain[0][0].shape == (4, 32, 32, 3)
    assert not np.allclose(jittered[0][0], plain[0][0]) and not np.allclose(jittered[0][1], plain[0][1])
    # test split: no shuffling, so without jitter testA/testB stay true pairs in file order.
    labels, photos = unpaired_facades.val_pairs(facades_ab)
    np.testing.assert_allclose(plain[0][0], labels[:4], atol=1e-5)
    np.testing.assert_allclose(plain[0][1], photos[:4], atol=1e-5)


def test_a_missing_domain_folder_names_the_layout(tmp_path):
    (tmp_path / "trainA").mkdir()
    with pytest.raises(FileNotFoundError, match=r"has no 'trainB/' folder.*CycleGAN layout"):
        data.unpaired_folders(tmp_path)


def test_an_undecodable_file_is_named(facades_ab, tmp_path):
    broken = tmp_path / "broken"
    for domain in "AB":
        (broken / f"train{domain}").mkdir(parents=True)
        for index in range(2):
            Image.new("RGB", (8, 8)).save(broken / f"train{domain}" / f"{index}.png")
    (broken / "trainB" / "bad.png").write_bytes(b"not an image")
    with pytest.raises(Exception, match="bad.png"):
        _batches(data.unpaired_folders(broken, image_size=8, batch_size=1, jitter=False))


if __name__ == "__main__":
    import sys

    sys.exit(pytest.main([__file__, "-q"]))
