"""Locates the project's shared real data sets (`../shared/data/`) for tests.

A fresh clone has no `../shared`, so tests that need it skip with a clear
reason instead of faking the data. Set GANZOO_SHARED_DATA to use another copy.
"""

import os
from pathlib import Path

import pytest

SHARED_DATA_ENV = "GANZOO_SHARED_DATA"


def shared_data_dir():
    """`$GANZOO_SHARED_DATA`, else `<repo root>/../shared/data`."""
    override = os.environ.get(SHARED_DATA_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data_path(*parts):
    """Path of `../shared/data/<parts>`, or skips the calling test if absent.

    Args:
      *parts: path components below the shared data folder, e.g. "mnist_5k".
    """
    path = shared_data_dir().joinpath(*parts)
    if not path.exists():
        relative = "/".join(("..", "shared", "data") + parts)
        pytest.skip(
            f"{relative} not found: looked at {path}; set {SHARED_DATA_ENV} to the shared "
            "data folder to run this test."
        )
    return path
