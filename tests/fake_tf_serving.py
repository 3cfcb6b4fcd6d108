"""A stand-in for tensorflow_model_server on 127.0.0.1, for tests where the real binary is absent.

It serves one SavedModel over TF Serving's REST predict API and gRPC PredictionService, decoding requests
the way TF Serving documents it: row ("instances") and columnar ("inputs") JSON, {"b64": ...} for string
tensors, base64 for outputs whose names end in `_bytes`, a single output returned without its name. It
runs the SavedModel's signatures exactly as loaded by `tf.saved_model.load`.
"""

import base64
import json
import threading
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import tensorflow as tf


def _decode_json_value(value):
    if isinstance(value, dict) and set(value) == {"b64"}:
        return base64.b64decode(value["b64"])
    if isinstance(value, list):
        return [_decode_json_value(item) for item in value]
    return value


def _to_tensor(values, spec):
    if spec.dtype == tf.string:
        return tf.constant(values, dtype=tf.string)
    return tf.constant(np.asarray(values), dtype=spec.dtype)


def _encode_output(name, array):
    if name.endswith("_bytes"):
        return [{"b64": base64.b64encode(item).decode("ascii")} for item in array]
    return array.tolist()


def run_rest_predict(loaded, body):
    """What TF Serving does with a REST predict body: returns the response body (a dict)."""
    signature = loaded.signatures[body.get("signature_name", "serving_default")]
    specs = signature.structured_input_signature[1]
    if "instances" in body:
        rows = body["instances"]
        columns = {name: [_decode_json_value(row[name]) for row in rows] for name in specs}
        row_format = True
    else:
        columns = {name: _decode_json_value(value) for name, value in body["inputs"].items()}
        row_format = False
    outputs = signature(**{name: _to_tensor(columns[name], spec) for name, spec in specs.items()})
    arrays = {name: tensor.numpy() for name, tensor in outputs.items()}
    if row_format:
        size = len(next(iter(arrays.values())))
        encoded = {name: _encode_output(name, array) for name, array in arrays.items()}
        if len(encoded) == 1:
            return {"predictions": next(iter(encoded.values()))}
        return {"predictions": [{name: encoded[name][i] for name in encoded} for i in range(size)]}
    return {"outputs": {name: _encode_output(name, array) for name, array in arrays.items()}}


class FakeServing:
    """Serves `export_path` as model `model_name` on 127.0.0.1 (REST and gRPC); use as a context manager."""

    def __init__(self, export_path, model_name):
        self.loaded = tf.saved_model.load(export_path)
        self.model_name = model_name
        self.rest_url = None
        self.grpc_target = None

    def __enter__(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                expected = f"/v1/models/{server.model_name}"
                if not self.path.startswith(expected) or not self.path.endswith(":predict"):
                    return self._reply(404, {"error": f"no model at {self.path}"})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                try:
                    return self._reply(200, run_rest_predict(server.loaded, body))
                except tf.errors.InvalidArgumentError as error:
                    return self._reply(400, {"error": error.message})

            def _reply(self, code, payload):
                data = json.dumps(payload).encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        self.rest_url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._start_grpc()
        return self

    def _start_grpc(self):
        try:
            import grpc
            from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
        except ImportError:
            return  # the `serving` extra is not installed: REST only
        loaded = self.loaded

        class Servicer(prediction_service_pb2_grpc.PredictionServiceServicer):
            def Predict(self, request, context):  # noqa: N802 (gRPC's naming)
                signature = loaded.signatures[request.model_spec.signature_name or "serving_default"]
                inputs = {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}
                try:
                    outputs = signature(**{name: tf.constant(value) for name, value in inputs.items()})
                except tf.errors.InvalidArgumentError as error:
                    context.abort(grpc.StatusCode.INVALID_ARGUMENT, error.message)
                response = predict_pb2.PredictResponse()
                for name, tensor in outputs.items():
                    response.outputs[name].CopyFrom(tf.make_tensor_proto(tensor.numpy()))
                return response

        self._grpc = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(Servicer(), self._grpc)
        port = self._grpc.add_insecure_port("127.0.0.1:0")
        self._grpc.start()
        self.grpc_target = f"127.0.0.1:{port}"

    def __exit__(self, *exc_info):
        self._http.shutdown()
        self._http.server_close()
        if getattr(self, "_grpc", None) is not None:
            self._grpc.stop(grace=None)
