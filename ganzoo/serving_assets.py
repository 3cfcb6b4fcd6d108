"""What a TF Serving deployment reads beside a SavedModel: warm-up requests and the model-config file.

- `assets.extra/tf_serving_warmup_requests`: one PredictionLog record per signature (a batch of one
  valid input), which TF Serving replays when it loads a version, so the first real request does not pay
  for graph initialisation. Built with the `tensorflow-serving-api` protos (the `serving` extra); without
  them the export goes on without warm-up and says so.
- `<base>/models.config`: a `model_config_list` naming every model exported under `<base>`, for
  `tensorflow_model_server --model_config_file=...`.
"""

import os
import re

import numpy as np
import tensorflow as tf

WARMUP_FILE = os.path.join("assets.extra", "tf_serving_warmup_requests")
MODEL_CONFIG = "models.config"


def _example_input(spec, image_shape):
    """A valid batch-of-one value for an input spec (a blank PNG for an encoded-image input)."""
    if spec.dtype == tf.string:
        if image_shape is None:
            raise ValueError(f"no image shape known for the encoded input {spec.name!r}")
        return np.array([tf.io.encode_png(np.zeros(image_shape, np.uint8)).numpy()], dtype=object)
    shape = [1 if size is None else size for size in spec.shape.as_list()]
    return np.zeros(shape, spec.dtype.as_numpy_dtype)


def _image_shape(signatures):
    """[H, W, C] of the uint8 image input any signature takes, for the encoded-image examples."""
    for function in signatures.values():
        for spec in function.structured_input_signature[1].values():
            if spec.dtype == tf.uint8 and spec.shape.rank == 4:
                return spec.shape.as_list()[1:]
    return None


def write_warmup(saved_model_dir, model_name, log=print):
    """Writes the warm-up records for every signature of the SavedModel at `saved_model_dir`."""
    try:
        from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2
    except ImportError:
        log("No TF Serving warm-up file: install the `serving` extra (tensorflow-serving-api).")
        return None
    signatures = tf.saved_model.load(saved_model_dir).signatures
    image_shape = _image_shape(signatures)
    path = os.path.join(saved_model_dir, WARMUP_FILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tf.io.TFRecordWriter(path) as writer:
        for name, function in sorted(signatures.items()):
            request = predict_pb2.PredictRequest(
                model_spec=model_pb2.ModelSpec(name=model_name, signature_name=name)
            )
            for input_name, spec in function.structured_input_signature[1].items():
                request.inputs[input_name].CopyFrom(
                    tf.make_tensor_proto(_example_input(spec, image_shape))
                )
            log_entry = prediction_log_pb2.PredictionLog(
                predict_log=prediction_log_pb2.PredictLog(request=request)
            )
            writer.write(log_entry.SerializeToString())
    return path


_ENTRY = re.compile(r'config\s*\{\s*name:\s*"([^"]+)"\s*base_path:\s*"([^"]+)"[^}]*\}', re.S)


def update_model_config(export_dir):
    """Adds (or refreshes) `export_dir`'s model in `<parent of export_dir>/models.config`."""
    base = os.path.dirname(os.path.abspath(export_dir))
    path = os.path.join(base, MODEL_CONFIG)
    entries = {}
    if os.path.isfile(path):
        with open(path) as stream:
            entries = dict(_ENTRY.findall(stream.read()))
    entries[os.path.basename(os.path.abspath(export_dir))] = os.path.abspath(export_dir)
    lines = [
        "# Written by ganzoo.export: every model exported under this folder, for",
        "# tensorflow_model_server --model_config_file=" + path,
        "model_config_list {",
    ]
    for name, base_path in sorted(entries.items()):
        lines += [
            "  config {",
            f'    name: "{name}"',
            f'    base_path: "{base_path}"',
            '    model_platform: "tensorflow"',
            "  }",
        ]
    lines.append("}")
    staging = path + ".tmp"
    with open(staging, "w") as stream:
        stream.write("\n".join(lines) + "\n")
    os.replace(staging, path)
    return path
