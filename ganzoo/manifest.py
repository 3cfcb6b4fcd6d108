"""sha256 manifests: written beside checkpoints and exports, verified before they are loaded.

A manifest is a JSON map {relative path: sha256}, written atomically after the files it covers, so a
file modified, truncated or left half-written after the manifest fails verification.
"""

import hashlib
import json
import os

DIRECTORY_MANIFEST = "ganzoo.sha256.json"


class ManifestError(RuntimeError):
    """A file does not match the sha256 manifest written beside it, or the manifest is missing."""


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(files, manifest_path):
    """Writes {path relative to the manifest's folder: sha256} for `files` to `manifest_path`."""
    folder = os.path.dirname(manifest_path)
    entries = {os.path.relpath(path, folder): sha256(path) for path in sorted(files)}
    staging = manifest_path + ".tmp"
    with open(staging, "w") as stream:
        json.dump(entries, stream, indent=1, sort_keys=True)
    os.replace(staging, manifest_path)  # a manifest exists only once complete


def write_directory_manifest(directory):
    """Covers every file below `directory` with `<directory>/ganzoo.sha256.json`; returns its path."""
    files = [
        os.path.join(root, name)
        for root, _, names in os.walk(directory)
        for name in names
        if name != DIRECTORY_MANIFEST
    ]
    manifest_path = os.path.join(directory, DIRECTORY_MANIFEST)
    write_manifest(files, manifest_path)
    return manifest_path


def verify_manifest(manifest_path):
    """Raises ManifestError unless every file listed in `manifest_path` has its recorded sha256."""
    if not os.path.isfile(manifest_path):
        raise ManifestError(f"{manifest_path} is missing: the files beside it cannot be verified.")
    with open(manifest_path) as stream:
        try:
            entries = json.load(stream)
        except ValueError as error:
            raise ManifestError(f"{manifest_path} is not valid JSON: {error}") from None
    folder = os.path.dirname(manifest_path)
    for name, expected in entries.items():
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise ManifestError(f"{path} is listed in {manifest_path} but missing.")
        actual = sha256(path)
        if actual != expected:
            raise ManifestError(
                f"{path} does not match its manifest (sha256 {actual[:12]}…, expected {expected[:12]}…): "
                "it was modified or truncated after it was written."
            )
