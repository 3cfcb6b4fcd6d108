"""A `tf.distribute` strategy from its name, as the recipes' `--strategy` flag gives it."""

import json
import os

import keras
import tensorflow as tf

STRATEGIES = ("auto", "default", "one_device", "mirrored", "multi_worker", "tpu")


def get_strategy(name="auto"):
    """Returns the strategy called `name`.

    - `auto`: MirroredStrategy over all GPUs when there are several, else the default strategy.
    - `default`: TensorFlow's default (no distribution).
    - `one_device`: everything on the first GPU, or the CPU when there is none.
    - `mirrored`: MirroredStrategy over all local GPUs (or the CPU).
    - `multi_worker`: MultiWorkerMirroredStrategy; the cluster comes from the `TF_CONFIG` variable.
    - `tpu`: TPUStrategy on the TPU the cluster resolver finds.
    """
    if name not in STRATEGIES:
        raise ValueError(f"Unknown strategy {name!r}. Expected one of {list(STRATEGIES)}.")
    if name == "multi_worker":  # before anything initialises the runtime: collectives are set at startup
        return _multi_worker()
    if name == "tpu":
        return _tpu()
    gpus = tf.config.list_logical_devices("GPU")
    if name == "auto":
        return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "one_device":
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    return tf.distribute.MirroredStrategy()


def _multi_worker():
    config = os.environ.get("TF_CONFIG")
    if not config:
        raise ValueError(
            "--strategy=multi_worker needs the TF_CONFIG environment variable, e.g. "
            '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", '
            '"index": 0}} on each worker.'
        )
    try:
        json.loads(config)
    except ValueError as error:
        raise ValueError(f"TF_CONFIG is not valid JSON ({error}): {config!r}") from None
    return tf.distribute.MultiWorkerMirroredStrategy()


def _tpu():
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as error:
        raise ValueError(f"--strategy=tpu found no TPU to connect to: {error}") from None
    return tf.distribute.TPUStrategy(resolver)


def is_chief(strategy):
    """Whether this process writes checkpoints and exports (always, except on non-chief workers)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    cluster = resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in cluster


PRECISION_POLICIES = (None, "float32", "mixed_float16", "mixed_bfloat16")


def set_precision_policy(policy, log=print):
    """Sets Keras' global dtype policy for the models built next (None leaves it as it is).

    float16 pays off on GPUs with tensor cores; on a CPU it is emulated and slower, so it only warns.
    bfloat16 is native on CPUs with AVX512-BF16 and on recent GPUs and TPUs.
    """
    if policy not in PRECISION_POLICIES:
        raise ValueError(f"Unknown precision policy {policy!r}. Expected one of {PRECISION_POLICIES[1:]}.")
    if policy is None:
        return
    if policy == "mixed_float16" and not tf.config.list_physical_devices("GPU"):
        log(
            "Warning: mixed_float16 on a machine without a GPU is emulated and slower than float32; "
            "use mixed_bfloat16 on CPUs with AVX512-BF16."
        )
    keras.mixed_precision.set_global_policy(policy)


def check_jit_compile(strategy, jit_compile):
    """Refuses XLA under a multi-device strategy on CPUs, which XLA cannot compile for.

    Measured: XLA under MirroredStrategy over logical CPU devices fails with "Trying to access resource
    ... located in device CPU:1 from device CPU:0".
    """
    if not jit_compile or strategy.num_replicas_in_sync < 2:
        return
    devices = getattr(strategy.extended, "worker_devices", ())
    if devices and all("CPU" in device.upper() for device in devices):
        raise ValueError(
            f"jit_compile=True (XLA) cannot run under {type(strategy).__name__} over "
            f"{len(devices)} CPU devices; use --jit_compile=false, or one device."
        )
