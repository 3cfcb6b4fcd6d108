"""Packaging for ganzoo.

Build output goes to `.setuptools-build/`, not `build/`: on case-insensitive file systems (macOS, Windows)
setuptools' default `build/` and Bazel's top-level `BUILD` file are the same name.

Requirements cannot say "tensorflow or tensorflow-cpu", so the TensorFlow distribution is chosen when
installing: `GANZOO_TENSORFLOW=tensorflow-cpu pip install -e .` (or `tensorflow[and-cuda]`); the default
`tensorflow` runs on CPU as well. The `serving` extra (tensorflow-serving-api) requires `tensorflow` itself.
"""

import os

import setuptools

TENSORFLOW = os.environ.get("GANZOO_TENSORFLOW", "tensorflow")
if TENSORFLOW not in ("tensorflow", "tensorflow-cpu", "tensorflow[and-cuda]"):
    raise ValueError(
        "GANZOO_TENSORFLOW must be tensorflow, tensorflow-cpu or tensorflow[and-cuda]; "
        f"received {TENSORFLOW!r}"
    )

setuptools.setup(
    name="ganzoo",
    version="0.1.0",
    description="A Keras 3 / TensorFlow GAN model zoo: one file per paper, tested contracts, "
    "TF Serving exports.",
    python_requires=">=3.10",
    packages=setuptools.find_packages(include=["ganzoo", "ganzoo.*"]),
    install_requires=[
        f"{TENSORFLOW}>=2.21,<2.22",
        "keras>=3.10,<4",
        "tensorflow-datasets",
        # tensorflow-datasets 4.9.10 needs it for mnist and does not declare it.
        "importlib_resources",
        # TF 2.21 no longer installs it; keras' TensorBoard callback and tf.summary.image need it.
        "tensorboard",
        "absl-py",
        "scikit-learn",
        "scipy",
        # keras.utils.save_img
        "pillow",
    ],
    extras_require={
        # The tests exercise the gRPC client too, so they take the serving extra along.
        "test": ["pytest", "pytest-xdist", "tensorflow-serving-api>=2.21,<2.22"],
        "serving": ["tensorflow-serving-api>=2.21,<2.22"],
    },
    options={"build": {"build_base": ".setuptools-build"}},
)
