"""The `on_bad_image` policy of the loaders that read image files (ganzoo/data/_file_decoding.py).

Each case runs under both policies: "fail" stops with the file's path and the reason, "skip" leaves the
file out, reports it in `dataset.bad_images` and a log line, and trains on the rest; a valid file is
read the same under both.
"""

import io
import logging
import re

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from ganzoo import data
from recipe_runner import run_recipe

POLICIES = ("fail", "skip")
HEIGHT, WIDTH = 10, 12
GOOD = 4  # good files in every test folder: 0.png .. 3.png, sorted before any case file


def _good_colour(index):
    return (40 * index + 20, 0, 0)


def _good_folder(folder, count=GOOD):
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        Image.new("RGB", (WIDTH, HEIGHT), _good_colour(index)).save(folder / f"{index}.png")
    return folder


def _encoded(image, image_format, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _noise(mode="RGB"):
    pixels = np.random.default_rng(0).integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    return Image.fromarray(pixels).convert(mode)


# --- bad files: name -> (bytes, words the reason must contain) ------------------------------------

_JPEG = _encoded(_noise(), "JPEG")
_PNG = _encoded(_noise(), "PNG")
BAD_FILES = {
    "truncated.jpg": (_JPEG[: len(_JPEG) // 2], "a JPEG that does not decode"),
    "missing_end.jpg": (_JPEG[:-2], "a JPEG that does not decode"),
    "zero_bytes.jpg": (b"", "the file is empty (0 bytes)"),
    "text.jpg": (b"this is text, not an image", "not a JPEG, PNG, GIF or BMP image"),
    "truncated.png": (_PNG[: len(_PNG) // 2], "a PNG that does not decode"),
    # A format variant TensorFlow's BMP decoder refuses.
    "one_bit.bmp": (_encoded(Image.new("1", (WIDTH, HEIGHT), 1), "BMP"), "a BMP that does not decode"),
}


def _all_images(dataset):
    return np.concatenate([np.asarray(batch) for batch in dataset])


def _red_values(images):
    return sorted(np.round((images[:, 0, 0, 0] + 1.0) * 127.5).astype(int).tolist())


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_fails_naming_it_or_is_skipped_and_reported(tmp_path, caplog, name, policy):
    folder = _good_folder(tmp_path / "images")
    contents, reason = BAD_FILES[name]
    bad = folder / name
    bad.write_bytes(contents)
    with caplog.at_level(logging.WARNING, logger="ganzoo.data"):
        dataset = data.image_folder(
            folder, (HEIGHT, WIDTH), batch_size=2, shuffle=False, on_bad_image=policy
        )
    if policy == "fail":
        assert dataset.bad_images is None
        with pytest.raises(tf.errors.InvalidArgumentError) as raised:
            _all_images(dataset)
        message = str(raised.value)
        assert f"could not read or decode image file `{bad}`: " in message
        assert reason in message
        assert "on_bad_image=skip" in message
        return
    report = dataset.bad_images
    assert report.paths == [str(bad)] and report.num_files == GOOD + 1 and report.num_kept == GOOD
    assert reason in report.skipped[0][1]
    assert f"left out 1 of {GOOD + 1} image files" in caplog.text and str(bad) in caplog.text
    assert str(bad) in str(report) and reason in str(report)
    # Training data: exactly the good images, nothing in place of the bad one.
    images = _all_images(dataset)
    assert int(dataset.cardinality()) == GOOD // 2
    assert _red_values(images) == [_good_colour(index)[0] for index in range(GOOD)]


# --- valid files: decoded by content, converted to the requested channels and range --------------


def _png_named_jpg(path):
    path.write_bytes(_encoded(_noise(), "PNG"))
    return np.asarray(_noise())


def _grey_jpeg(path):
    path.write_bytes(_encoded(Image.new("L", (WIDTH, HEIGHT), 100), "JPEG"))
    return np.full((HEIGHT, WIDTH, 3), 100, np.uint8)


def _grey_png(path):
    grey = _noise("L")
    path.write_bytes(_encoded(grey, "PNG"))
    return np.repeat(np.asarray(grey)[..., None], 3, axis=-1)


def _cmyk_jpeg(path):
    # TensorFlow converts CMYK JPEG (Adobe's inverted convention, as Pillow writes it) to RGB.
    path.write_bytes(_encoded(Image.new("CMYK", (WIDTH, HEIGHT), (0, 255, 255, 0)), "JPEG"))
    with Image.open(path) as image:
        assert image.mode == "CMYK"
        return np.asarray(image.convert("RGB"))


def _sixteen_bit_png(path):
    # Columns from 0 to 65535: 16-bit data is scaled by its own maximum, so it spans [-1, 1] too.
    ramp = np.round(np.linspace(0, 65535, WIDTH)).astype(np.uint16)
    grey16 = np.tile(ramp, (HEIGHT, 1))
    path.write_bytes(_encoded(Image.fromarray(grey16), "PNG"))
    with Image.open(path) as image:
        assert image.mode == "I;16"
    eight_bit = np.round(grey16 / 257.0).astype(np.uint8)
    return np.repeat(eight_bit[..., None], 3, axis=-1)


VALID_FILES = {
    "png_named.jpg": (_png_named_jpg, 0),
    "grey.jpg": (_grey_jpeg, 2),
    "grey.png": (_grey_png, 0),
    "cmyk.jpg": (_cmyk_jpeg, 2),
    "sixteen_bit.png": (_sixteen_bit_png, 1),
}


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("name", sorted(VALID_FILES))
def test_a_valid_file_is_read_alike_under_both_policies(tmp_path, name, policy):
    folder = _good_folder(tmp_path / "images")
    write, tolerance = VALID_FILES[name]
    expected_rgb = write(folder / name)
    for channels in (3, 1):
        dataset = data.image_folder(
            folder, (HEIGHT, WIDTH), batch_size=1, shuffle=False, channels=channels,
            on_bad_image=policy,
        )
        if policy == "skip":
            assert dataset.bad_images.skipped == () and dataset.bad_images.num_kept == GOOD + 1
        else:
            assert dataset.bad_images is None
        images = _all_images(dataset)
        assert images.shape == (GOOD + 1, HEIGHT, WIDTH, channels)
        expected = expected_rgb.astype(np.float32) / 127.5 - 1.0
        if channels == 1:
            expected = np.asarray(tf.image.rgb_to_grayscale(expected))
        # The case file sorts after the good ones.
        np.testing.assert_allclose(images[-1], expected, atol=tolerance / 127.5 + 1e-5)
        if name == "sixteen_bit.png" and channels == 3:
            assert images[-1].min() == -1.0 and images[-1].max() == 1.0


# --- pix2pix pairs ---------------------------------------------------------------------------------


def _pairs_folder(root, count=2):
    train = root / "train"
    train.mkdir(parents=True)
    for index in range(count):
        pair = np.zeros((16, 32, 3), np.uint8)
        pair[:, :16] = 60 * index + 30
        pair[:, 16:] = 255
        Image.fromarray(pair).save(train / f"{index}.png")
    return train


@pytest.mark.parametrize("policy", POLICIES)
def test_a_pair_with_the_wrong_aspect_ratio(tmp_path, caplog, policy):
    train = _pairs_folder(tmp_path)
    wide = train / "wide.png"
    Image.new("RGB", (48, 16)).save(wide)
    if policy == "fail":
        with pytest.raises(ValueError, match=r"wide\.png' is 48x16 .*width must be twice its height"):
            data.paired_images(tmp_path, "train", image_size=8, on_bad_image=policy)
        return
    with caplog.at_level(logging.WARNING, logger="ganzoo.data"):
        dataset = data.paired_images(
            tmp_path, "train", image_size=8, shuffle=False, on_bad_image=policy
        )
    assert dataset.bad_images.paths == [str(wide)]
    assert "it is 48x16 (width x height)" in dataset.bad_images.skipped[0][1]
    assert str(wide) in caplog.text
    inputs = [np.asarray(a) for a, _ in dataset]
    assert len(inputs) == 2
    first_pixels = [x[0, 0, 0, 0] for x in inputs]
    np.testing.assert_allclose(first_pixels, [30 / 127.5 - 1, 90 / 127.5 - 1], atol=1e-5)


@pytest.mark.parametrize("policy", POLICIES)
def test_an_undecodable_pair(tmp_path, policy):
    train = _pairs_folder(tmp_path)
    bad = train / "2.jpg"
    bad.write_bytes(BAD_FILES["truncated.jpg"][0])
    dataset = data.paired_images(tmp_path, "train", image_size=8, shuffle=False, on_bad_image=policy)
    if policy == "fail":
        with pytest.raises(tf.errors.InvalidArgumentError, match="a JPEG that does not") as raised:
            list(dataset)
        assert str(bad) in str(raised.value)
    else:
        assert dataset.bad_images.paths == [str(bad)]
        assert len(list(dataset)) == 2


# --- too few images for one batch --------------------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES)
def test_a_folder_smaller_than_one_batch_names_folder_count_and_batch_size(tmp_path, policy):
    folder = _good_folder(tmp_path / "few", count=3)
    expected = f"image_folder '{folder}' holds 3 images, fewer than one batch of batch_size=4"
    with pytest.raises(ValueError, match=re.escape(expected)):
        data.image_folder(folder, 8, batch_size=4, on_bad_image=policy)
    _pairs_folder(tmp_path / "pairs", count=2)
    with pytest.raises(ValueError, match=r"paired_images '.*train' holds 2 images.*batch_size=3"):
        data.paired_images(tmp_path / "pairs", "train", image_size=8, batch_size=3, on_bad_image=policy)


@pytest.mark.parametrize("policy", POLICIES)
def test_too_few_good_files_after_skipping(tmp_path, policy):
    folder = _good_folder(tmp_path / "images", count=GOOD)
    for name in ("text.jpg", "zero_bytes.jpg"):
        (folder / name).write_bytes(BAD_FILES[name][0])
    if policy == "fail":
        # 6 files fill a batch of 5; a bad one stops the run (of two in a row, the later is named).
        dataset = data.image_folder(folder, 8, batch_size=5, shuffle=False, on_bad_image=policy)
        named = re.escape(str(folder)) + r"/(text|zero_bytes)\.jpg`"
        with pytest.raises(tf.errors.InvalidArgumentError, match=named):
            list(dataset)
        return
    expected = (
        f"image_folder '{folder}', after on_bad_image=skip left out 2 bad of its 6 image files "
        f"(e.g. '{folder / 'text.jpg'}': its content is not"
    )
    too_few = r".* holds 4 images, fewer than one batch of batch_size=5"
    with pytest.raises(ValueError, match=re.escape(expected) + too_few):
        data.image_folder(folder, 8, batch_size=5, on_bad_image=policy)


def test_a_folder_of_only_bad_files_under_skip_says_none_is_left(tmp_path):
    folder = tmp_path / "junk"
    folder.mkdir()
    for index in range(3):
        (folder / f"{index}.jpg").write_text("junk")
    with pytest.raises(ValueError, match=r"left out 3 bad of its 3 image files.* holds 0 images"):
        data.image_folder(folder, 8, batch_size=1, repeat=True, on_bad_image="skip")


# --- every loader that reads image files takes the policy --------------------------------------------


@pytest.mark.parametrize("policy", POLICIES)
def test_unpaired_folders(tmp_path, policy):
    for domain in "AB":
        _good_folder(tmp_path / f"train{domain}", count=2)
    bad = tmp_path / "trainB" / "bad.jpg"
    bad.write_bytes(b"")
    def build(repeat=False):
        return data.unpaired_folders(
            tmp_path, image_size=8, batch_size=2, jitter=False, shuffle=False, repeat=repeat,
            on_bad_image=policy,
        )

    dataset = build()
    if policy == "fail":
        assert dataset.bad_images is None
        with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(str(bad))):
            list(build(repeat=True).take(3))  # an epoch is 1 batch; the bad file sorts last
        return
    assert dataset.bad_images.paths == [str(bad)] and dataset.bad_images.num_files == 5
    assert "the file is empty" in str(dataset.bad_images)
    assert [tuple(np.shape(x) for x in pair) for pair in dataset] == [((2, 8, 8, 3), (2, 8, 8, 3))]


@pytest.mark.parametrize("policy", POLICIES)
def test_attribute_folder_keeps_each_image_with_its_own_row(tmp_path, policy):
    folder = _good_folder(tmp_path / "faces", count=3)
    (folder / "bad.png").write_bytes(BAD_FILES["truncated.png"][0])
    csv_path = tmp_path / "attrs.csv"
    # Row i has Smiling = (i is odd); the bad file sits between good rows.
    csv_path.write_text("file,Smiling\n0.png,-1\n1.png,1\nbad.png,1\n2.png,-1\n")
    dataset = data.attribute_folder(
        str(folder), str(csv_path), ["Smiling"], image_size=8, batch_size=1, shuffle=False,
        on_bad_image=policy,
    )
    if policy == "fail":
        with pytest.raises(tf.errors.InvalidArgumentError, match="a PNG that does not") as raised:
            list(dataset)
        assert str(folder / "bad.png") in str(raised.value)
        return
    assert dataset.bad_images.paths == [str(folder / "bad.png")]
    pairs = [(round((float(x[0, 0, 0, 0]) + 1) * 127.5), float(y[0, 0])) for x, y in dataset]
    assert pairs == [(20, 0.0), (60, 1.0), (100, 0.0)]


@pytest.mark.parametrize("policy", POLICIES)
def test_from_spec_passes_the_policy_to_folders(tmp_path, policy):
    folder = _good_folder(tmp_path / "images")
    (folder / "text.jpg").write_bytes(BAD_FILES["text.jpg"][0])
    dataset = data.from_spec(f"folder:{folder}", image_size=8, batch_size=2, on_bad_image=policy)
    if policy == "fail":
        with pytest.raises(tf.errors.InvalidArgumentError, match="text.jpg"):
            list(dataset)
    else:
        assert dataset.bad_images.paths == [str(folder / "text.jpg")]
        assert len(list(dataset)) == 2
    # Sources without image files check the value and ignore it.
    assert data.from_spec("digits", image_size=8, batch_size=2, on_bad_image=policy) is not None


def test_an_unknown_policy_is_refused_by_every_loader(tmp_path):
    folder = _good_folder(tmp_path / "images")
    message = re.escape("on_bad_image must be one of ('fail', 'skip'); received 'ignore'.")
    calls = [
        lambda: data.image_folder(folder, 8, batch_size=2, on_bad_image="ignore"),
        lambda: data.paired_images(tmp_path, "train", on_bad_image="ignore"),
        lambda: data.unpaired_folders(tmp_path, on_bad_image="ignore"),
        lambda: data.attribute_folder(str(folder), "attrs.csv", ["Male"], on_bad_image="ignore"),
        lambda: data.from_spec("digits", 8, 2, on_bad_image="ignore"),
        lambda: data.bad_image_policy("ignore").__enter__(),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=message):
            call()


def test_bad_image_policy_block_sets_the_default_and_an_argument_wins(tmp_path):
    folder = _good_folder(tmp_path / "images")
    (folder / "text.jpg").write_bytes(b"text")
    with data.bad_image_policy("skip"):
        assert data.image_folder(folder, 8, batch_size=2).bad_images.num_kept == GOOD
        assert data.image_folder(folder, 8, batch_size=2, on_bad_image="fail").bad_images is None
    assert data.image_folder(folder, 8, batch_size=2).bad_images is None


def test_a_file_that_goes_bad_after_the_check_still_stops_the_run(tmp_path):
    folder = _good_folder(tmp_path / "images")
    dataset = data.image_folder(folder, 8, batch_size=2, shuffle=False, on_bad_image="skip")
    assert dataset.bad_images.skipped == ()
    (folder / "1.png").write_bytes(b"overwritten")
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(f"`{folder / '1.png'}`")):
        list(dataset)
    # A new pipeline checks the changed file again (the remembered answer was for its old version).
    rebuilt = data.image_folder(folder, 8, batch_size=2, shuffle=False, on_bad_image="skip")
    assert rebuilt.bad_images.paths == [str(folder / "1.png")]


# --- the recipe flag ---------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES)
def test_the_flag_reaches_the_data_and_the_run_reports_skipped_files(tmp_path, capsys, policy):
    folder = _good_folder(tmp_path / "images", count=6)
    bad = folder / "truncated.jpg"
    bad.write_bytes(BAD_FILES["truncated.jpg"][0])
    flags = dict(
        dataset=f"folder:{folder}", on_bad_image=policy, image_size=16, channels=3, base_filters=8,
        batch_size=3, epochs=1, steps_per_epoch=3, model_dir=str(tmp_path / "run"), export_dir="",
        strategy="default",
    )
    if policy == "fail":
        with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(str(bad))):
            run_recipe("dcgan_digits", **flags)
        return
    run_recipe("dcgan_digits", **flags)
    assert (tmp_path / "run" / "model.keras").is_file()
    # The driver's report at the end of the run.
    printed = capsys.readouterr().out
    assert f"left out 1 of 7 image files:\n  {bad}: a JPEG that does not decode" in printed


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
