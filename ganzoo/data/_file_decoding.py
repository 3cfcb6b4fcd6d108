"""Decode image files inside tf.data; a bad file stops the run or is skipped, never trained on.

What counts as a good file is decided by TensorFlow's own decoder, the one training uses:
`tf.io.decode_image(channels=3, expand_animations=False)`, which picks the format from the content,
not the name. So a PNG named `.jpg` is good (same pixels as the PNG), as are grey, palette, RGBA, CMYK
JPEG (TensorFlow converts it to RGB, with the colours Pillow gives) and 16-bit PNG (scaled by 65535,
so it reaches [-1, 1] like 8-bit images); the loaders then convert to the requested channels. Bad: an
empty file, one that is not JPEG/PNG/GIF/BMP whatever its name, a truncated or corrupt file (libjpeg's
"premature end of data" is an error here), a format variant TensorFlow does not decode (1-bit BMP),
and what a loader's `check_shape` refuses (a pix2pix pair that is not twice as wide as high).

Two policies, the `on_bad_image` argument of every loader that reads image files:

- "fail" (default): nothing is checked up front; the pipeline raises `InvalidArgumentError` when it
  meets a bad file, naming the file and the reason (of several bad files in a row, the last one).
- "skip": every listed file is decoded once when the pipeline is built (`find_bad_files`: a parallel
  tf.data pass with the same decoder; measured on 2 shared CPU cores, 3.5-5 s for 5,000 facades
  JPEGs of 512x256, about half an epoch of decoding, and 0.3-0.7 s for 5,000 MNIST-sized PNGs), bad
  ones are left out and logged, and the dataset carries a `BadImageReport` as `dataset.bad_images`.
  The check of "fail" stays on, so a file that goes bad after that pass still stops the run.

"fail" finds a bad file inside the pipeline, where there is no try/except and TensorFlow's errors
do not say which file. The trick costs one cheap sequential `scan` per element (measured on 2 CPU
cores: same throughput as a plain parallel `map`, where decoding each file in its own nested dataset
halved it):

1. every element carries the path of the element before it;
2. files are decoded by a parallel, order-preserving `map`, and the failed ones dropped by
   `ignore_errors`;
3. a `scan` remembers the last path that came through; when an element's predecessor is not that
   path, the predecessor was dropped, and an InvalidArgumentError naming it is raised (its reason is
   found again in Python, `describe_bad_file`, only then).

An end-of-epoch marker (an empty path, never a real file) follows every epoch, so a bad last file is
caught too and an epoch of only bad files cannot spin forever inside `ignore_errors`.
"""

import contextlib
import contextvars
import dataclasses
import logging
import os
import re

import tensorflow as tf

from ganzoo.data import _pipeline

BAD_IMAGE_POLICIES = ("fail", "skip")

_END_OF_EPOCH = ""
_LOGGED_NAMES = 10
_REMEMBERED_LISTS = 8
_checked = {}  # (check_shape, ((path, size, mtime), ...)) -> find_bad_files' answer
_log = logging.getLogger("ganzoo.data")
_policy = contextvars.ContextVar("ganzoo_on_bad_image", default="fail")


def check_on_bad_image(on_bad_image):
    """Raises ValueError unless `on_bad_image` is "fail" or "skip"."""
    if on_bad_image not in BAD_IMAGE_POLICIES:
        raise ValueError(
            f"on_bad_image must be one of {BAD_IMAGE_POLICIES}; received {on_bad_image!r}."
        )
    return on_bad_image


@contextlib.contextmanager
def bad_image_policy(on_bad_image):
    """Within this block, loaders called without `on_bad_image` (or with None) use this policy.

    The recipe driver (`ganzoo.training.train`) builds its data sets inside such a block, which is how
    `--on_bad_image` reaches them; an explicit `on_bad_image=` argument still wins.

    Example:
        with ganzoo.data.bad_image_policy("skip"):
            dataset = ganzoo.data.image_folder("photos/", 64)
    """
    token = _policy.set(check_on_bad_image(on_bad_image))
    try:
        yield
    finally:
        _policy.reset(token)


def resolve_on_bad_image(on_bad_image):
    """`on_bad_image` checked, or the enclosing `bad_image_policy`'s ("fail" outside one) for None."""
    return _policy.get() if on_bad_image is None else check_on_bad_image(on_bad_image)


@dataclasses.dataclass(frozen=True)
class BadImageReport:
    """The files a loader left out under `on_bad_image="skip"`, as `dataset.bad_images`.

    Attributes:
        source: the input, e.g. "image_folder '/data/faces'".
        num_files: how many image files were listed.
        skipped: `(path, reason)` of each file left out, in listing order.
    """

    source: str
    num_files: int
    skipped: tuple = ()

    @property
    def paths(self):
        """The skipped files' paths."""
        return [path for path, _ in self.skipped]

    @property
    def num_kept(self):
        return self.num_files - len(self.skipped)

    def summary(self, max_names=None):
        """One line with the count, then one line per skipped file (at most `max_names` of them)."""
        lines = [
            f"{self.source}: on_bad_image=skip left out {len(self.skipped)} of {self.num_files} "
            "image files" + (":" if self.skipped else ".")
        ]
        shown = self.skipped if max_names is None else self.skipped[:max_names]
        lines += [f"  {path}: {reason}" for path, reason in shown]
        if len(shown) < len(self.skipped):
            more = len(self.skipped) - len(shown)
            lines.append(f"  ... and {more} more (dataset.bad_images lists all).")
        return "\n".join(lines)

    def __str__(self):
        return self.summary()

    @classmethod
    def combine(cls, source, reports):
        """One report for several inputs (e.g. the two domains of `unpaired_folders`)."""
        reports = [report for report in reports if report is not None]
        return cls(
            source,
            sum(report.num_files for report in reports),
            tuple(item for report in reports for item in report.skipped),
        )


def decode_image_file(path):
    """The decoder every ganzoo file loader uses: uint8 RGB [H, W, 3], a GIF's first frame."""
    return tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)


_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
)


def _tensorflow_reason(error):
    # Eager errors come wrapped as "{{function_node ...}} reason [Op:DecodeImage]".
    message = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", error.message)
    return re.sub(r"\s*\[Op:\w+\]\s*$", "", message).strip()


def describe_bad_file(path, check_shape=None):
    """Why `path` is a bad image file, in words; None when it decodes and passes `check_shape`.

    Args:
        path: the file.
        check_shape: optional `(height, width) -> reason or None` for decoded images.
    """
    try:
        contents = tf.io.read_file(path).numpy()
    except tf.errors.OpError as error:
        return f"could not be read ({_tensorflow_reason(error)})"
    if not contents:
        return "the file is empty (0 bytes)"
    try:
        image = tf.io.decode_image(contents, channels=3, expand_animations=False)
    except tf.errors.OpError as error:
        kind = next((name for magic, name in _SIGNATURES if contents.startswith(magic)), None)
        if kind is None:
            start = "".join(chr(b) if 32 <= b < 127 else "." for b in contents[:16])
            return (
                f"its content is not a JPEG, PNG, GIF or BMP image, whatever its name says (it "
                f"starts with `{start}`)"
            )
        return (
            f"a {kind} that does not decode: truncated, corrupt or a variant TensorFlow does not "
            f"read ({len(contents)} bytes; TensorFlow says: {_tensorflow_reason(error)})"
        )
    if check_shape is not None:
        return check_shape(int(image.shape[0]), int(image.shape[1]))
    return None


def find_bad_files(files, check_shape=None):
    """Decodes every file once with `decode_image_file`; returns `[(path, reason)]` of the bad ones.

    The decoding runs as a parallel tf.data pass (bad files dropped by `ignore_errors`); only the few
    bad files are decoded again, eagerly, to say why (`describe_bad_file`). The answer is remembered
    for the same files with the same sizes and modification times (a stat, about 10 µs a file), so
    building the pipeline again (the driver does, for every `fit`) does not decode them again.
    """
    if not files:
        return []
    try:
        key = (check_shape, tuple(_identity(path) for path in files))
    except (OSError, tf.errors.OpError):
        key = None
    if key in _checked:
        return _checked[key]
    bad = _find_bad_files(files, check_shape)
    if key is not None:
        if len(_checked) >= _REMEMBERED_LISTS:
            _checked.pop(next(iter(_checked)))
        _checked[key] = bad
    return bad


def _identity(path):
    if "://" in path:  # gs://, s3://, ...: TensorFlow's file systems
        stat = tf.io.gfile.stat(path)
        return path, stat.length, stat.mtime_nsec
    stat = os.stat(path)  # nanosecond times, where gfile's are whole seconds
    return path, stat.st_size, stat.st_mtime_ns


def _find_bad_files(files, check_shape):

    def decoded_shape(index, path):
        return index, tf.shape(decode_image_file(path))[:2]

    indices_and_paths = tf.data.Dataset.from_tensor_slices(
        (tf.range(len(files), dtype=tf.int64), tf.constant(files, tf.string))
    )
    shapes = (
        indices_and_paths.map(
            decoded_shape, num_parallel_calls=_pipeline.AUTOTUNE, deterministic=False
        )
        .ignore_errors()
        .batch(1024)
    )
    decoded = {}
    for indices, heights_widths in shapes.as_numpy_iterator():
        decoded.update(zip(indices.tolist(), heights_widths.tolist()))
    bad = []
    for index, path in enumerate(files):
        if index not in decoded:
            reason = describe_bad_file(path, check_shape) or (
                "it did not decode during the check but did when read again: it may have been "
                "changing meanwhile"
            )
        elif check_shape is not None:
            reason = check_shape(*decoded[index])
        else:
            reason = None
        if reason:
            bad.append((path, reason))
    return bad


def skip_bad_files(files, extras, source, check_shape=None):
    """The "skip" policy: `find_bad_files`, log them, keep the rest.

    Args:
        files: the listed paths.
        extras: a list per file (its label, its row, ...) kept in step with `files`.
        source: words naming the input, for the report and the log line.
        check_shape: as in `describe_bad_file`.

    Returns:
        `(kept_files, kept_extras, report)`.
    """
    bad = find_bad_files(files, check_shape)
    report = BadImageReport(source, len(files), tuple(bad))
    if bad:
        _log.warning(report.summary(max_names=_LOGGED_NAMES))
    bad_paths = set(report.paths)
    kept = [(path, extra) for path, extra in zip(files, extras) if path not in bad_paths]
    return [path for path, _ in kept], [extra for _, extra in kept], report


def require_full_batch(report, num_examples, batch_size, source):
    """`_pipeline.require_full_batch`, saying how many files "skip" left out when it did."""
    if report is not None and report.skipped:
        source = (
            f"{source}, after on_bad_image=skip left out {len(report.skipped)} bad of its "
            f"{report.num_files} image files (e.g. '{report.skipped[0][0]}': {report.skipped[0][1]}),"
        )
    _pipeline.require_full_batch(num_examples, batch_size, source)


def add_end_of_epoch_marker(paths_and_labels):
    """Appends the marker element; apply per epoch, before `repeat()`.

    Args:
      paths_and_labels: dataset of `(path, label)`, tf.string and tf.int32.
    """
    marker = tf.data.Dataset.from_tensors((tf.constant(_END_OF_EPOCH), tf.constant(-1, tf.int32)))
    return paths_and_labels.concatenate(marker)


def decode_files(paths_and_labels, load_image, image_shape, source, check_shape=None):
    """Maps `(path, label)` to `(image, label)`, naming any undecodable file.

    Args:
      paths_and_labels: dataset of `(path, label)` whose epochs each end with
        `add_end_of_epoch_marker`.
      load_image: traceable function from a scalar tf.string path to a float32
        image of exactly `image_shape`.
      image_shape: static `(height, width, channels)` of `load_image`'s output.
      source: words naming the caller in the error, e.g. "image_folder".
      check_shape: what `load_image` asserts on the decoded `(height, width)`,
        in Python, to say why a file failed (see `describe_bad_file`).

    Returns:
      Dataset of `(image, label)`, markers removed. Iterating it raises
      `tf.errors.InvalidArgumentError` naming a file that failed to decode,
      and why (of several in a row, the last).
    """
    blank = tf.zeros(image_shape, tf.float32)

    def pair_with_previous_path(previous_path, element):
        path, label = element
        return path, (previous_path, path, label)

    def load(previous_path, path, label):
        image = tf.cond(
            tf.equal(path, _END_OF_EPOCH), lambda: blank, lambda: load_image(path)
        )
        return previous_path, path, image, label

    def reason_for(path):
        return describe_bad_file(path.numpy().decode(), check_shape) or "unknown"

    def explain(path):
        reason = tf.py_function(reason_for, [path], tf.string)
        reason.set_shape([])
        return reason

    def raise_if_previous_was_dropped(last_path_seen, element):
        previous_path, path, image, label = element
        dropped = tf.not_equal(previous_path, last_path_seen)
        # Only a dropped file is looked at again (Assert would evaluate its message every time).
        reason = tf.cond(dropped, lambda: explain(previous_path), lambda: tf.constant(""))
        # Backticks: the Assert message shows quotes escaped.
        message = tf.strings.join(
            [
                f"{source}: could not read or decode image file `",
                previous_path,
                "`: ",
                reason,
                ". Fix or remove the file, or pass on_bad_image=skip (recipes: --on_bad_image=skip) "
                "to leave bad files out.",
            ]
        )
        check = tf.debugging.Assert(tf.logical_not(dropped), [message])
        with tf.control_dependencies([check]):
            path = tf.identity(path)
        return path, (path, image, label)

    def is_real_file(path, image, label):
        del image, label
        return tf.not_equal(path, _END_OF_EPOCH)

    def drop_path(path, image, label):
        del path
        return image, label

    dataset = paths_and_labels.scan(tf.constant(_END_OF_EPOCH), pair_with_previous_path)
    # Order must be kept even when the caller allows non-determinism: the
    # check below relies on the predecessor arriving right before.
    dataset = dataset.map(load, num_parallel_calls=_pipeline.AUTOTUNE, deterministic=True)
    dataset = dataset.ignore_errors()
    dataset = dataset.scan(tf.constant(_END_OF_EPOCH), raise_if_previous_was_dropped)
    dataset = dataset.filter(is_real_file)
    return dataset.map(drop_path, num_parallel_calls=_pipeline.AUTOTUNE)


def file_dataset(files, labels, load_image, image_shape, source, *, seed, shuffle, repeat, cache,
                 check_shape=None):
    """`(image, label)` elements from `files` with int32 `labels`, in a seeded order, checked.

    Shuffling happens on the paths, before decoding, so the shuffle buffer stays tiny; with `cache`
    the decoded images are kept after the first epoch and shuffled from memory.
    """
    dataset = tf.data.Dataset.from_tensor_slices(
        (tf.constant(files, tf.string), tf.constant(labels, tf.int32))
    )
    if cache:
        dataset = add_end_of_epoch_marker(dataset)
        dataset = decode_files(dataset, load_image, image_shape, source, check_shape)
        return _pipeline.shuffle_and_repeat(
            dataset.cache(), buffer_size=len(files), seed=seed, shuffle=shuffle, repeat=repeat
        )
    dataset = _pipeline.shuffle_and_repeat(
        dataset, buffer_size=len(files), seed=seed, shuffle=shuffle, repeat=False
    )
    dataset = add_end_of_epoch_marker(dataset)
    if repeat:
        dataset = dataset.repeat()
    return decode_files(dataset, load_image, image_shape, source, check_shape)
