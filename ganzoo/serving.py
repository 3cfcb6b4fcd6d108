"""Clients for a running TF Serving: its REST predict API and its gRPC PredictionService.

Both return NumPy arrays, with `*_bytes` outputs (PNG) decoded into uint8 images. The REST client needs
only the standard library; the gRPC client needs the `serving` extra (`pip install -e ".[serving]"`,
tensorflow-serving-api).

    client = ganzoo.serving.RestClient("http://localhost:8501", "pix2pix_facades")
    images = client.predict({"image_bytes": [open("facade.jpg", "rb").read()]},
                            signature_name="serving_bytes")["images_bytes"]
"""

import base64
import io
import json
import urllib.error
import urllib.request

import numpy as np

BYTES_SUFFIX = "_bytes"  # TF Serving's REST API base64-encodes exactly the tensors named like this


def _encode_value(name, value):
    """A JSON-ready value for input `name`: bytes as {"b64": ...}, arrays as nested lists."""
    if name.endswith(BYTES_SUFFIX):
        return [{"b64": base64.b64encode(item).decode("ascii")} for item in value]
    return np.asarray(value).tolist()


def encode_rest_request(inputs, signature_name=None, row_format=True):
    """The JSON body TF Serving's predict API expects for `inputs` ({name: batch}).

    Row format: {"instances": [{name: value, ...}, ...]}; columnar: {"inputs": {name: batch}}.
    """
    columns = {name: _encode_value(name, value) for name, value in inputs.items()}
    sizes = {len(column) for column in columns.values()}
    if len(sizes) != 1:
        raise ValueError(f"every input needs the same batch size; received {{name: size}} "
                         f"{ {name: len(column) for name, column in columns.items()} }.")
    body = {}
    if signature_name:
        body["signature_name"] = signature_name
    if row_format:
        (size,) = sizes
        body["instances"] = [{name: column[i] for name, column in columns.items()} for i in range(size)]
    else:
        body["inputs"] = columns
    return body


def _decode_png(data):
    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(data)))
    return image[..., np.newaxis] if image.ndim == 2 else image  # grayscale keeps its channel axis


def _decode_output(name, value):
    if name.endswith(BYTES_SUFFIX):
        images = [_decode_png(base64.b64decode(item["b64"])) for item in value]
        return np.stack(images)
    return np.asarray(value)


def decode_rest_response(body):
    """{output name: array} from a predict response in either format."""
    if "predictions" in body:
        rows = body["predictions"]
        if rows and isinstance(rows[0], dict) and set(rows[0]) != {"b64"}:
            names = rows[0].keys()
            return {name: _decode_output(name, [row[name] for row in rows]) for name in names}
        # A signature with a single output: TF Serving drops its name (and base64-encodes it when the
        # name ended in _bytes, which ganzoo's bytes signatures always return as PNG).
        if rows and isinstance(rows[0], dict):
            return {"output": _decode_output(BYTES_SUFFIX, rows)}
        return {"output": np.asarray(rows)}
    outputs = body["outputs"]
    if isinstance(outputs, dict):
        return {name: _decode_output(name, value) for name, value in outputs.items()}
    return {"output": np.asarray(outputs)}


class RestClient:
    """TF Serving's REST predict API (`POST /v1/models/<name>[/versions/<v>]:predict`).

    Args:
        base_url: e.g. "http://localhost:8501".
        model_name: the served model's name.
        version: a version number; the newest served one when None.
        timeout: seconds to wait for an answer.
    """

    def __init__(self, base_url, model_name, version=None, timeout=30.0):
        self.url = f"{base_url.rstrip('/')}/v1/models/{model_name}"
        if version is not None:
            self.url += f"/versions/{int(version)}"
        self.url += ":predict"
        self.timeout = timeout

    def predict(self, inputs, signature_name=None, row_format=True):
        """Sends `inputs` ({name: batch}) and returns {output name: array}."""
        body = json.dumps(encode_rest_request(inputs, signature_name, row_format)).encode("utf-8")
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return decode_rest_response(json.loads(response.read()))
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise RuntimeError(f"TF Serving answered {error.code} at {self.url}: {detail}") from None


class GrpcClient:
    """TF Serving's gRPC PredictionService (needs tensorflow-serving-api: the `serving` extra).

    Args:
        target: "host:port" of the gRPC endpoint, e.g. "localhost:8500".
        model_name: the served model's name.
        version: a version number; the newest served one when None.
        timeout: seconds to wait for an answer.
    """

    def __init__(self, target, model_name, version=None, timeout=30.0):
        try:
            import grpc
            from tensorflow_serving.apis import prediction_service_pb2_grpc
        except ImportError as error:
            raise ImportError(
                f"GrpcClient needs tensorflow-serving-api ({error}); pip install -e '.[serving]'."
            ) from None
        self._channel = grpc.insecure_channel(target)
        self._stub = prediction_service_pb2_grpc.PredictionServiceStub(self._channel)
        self.model_name = model_name
        self.version = version
        self.timeout = timeout

    def predict(self, inputs, signature_name="serving_default"):
        """Sends `inputs` ({name: batch}) and returns {output name: array}."""
        import tensorflow as tf
        from tensorflow_serving.apis import predict_pb2

        request = predict_pb2.PredictRequest()
        request.model_spec.name = self.model_name
        request.model_spec.signature_name = signature_name
        if self.version is not None:
            request.model_spec.version.value = int(self.version)
        for name, value in inputs.items():
            request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
        response = self._stub.Predict(request, timeout=self.timeout)
        outputs = {}
        for name, proto in response.outputs.items():
            value = tf.make_ndarray(proto)
            outputs[name] = (
                np.stack([_decode_png(item) for item in value]) if name.endswith(BYTES_SUFFIX) else value
            )
        return outputs

    def close(self):
        self._channel.close()
