"""Every serving family, end to end, as TF Serving and its tools see the export (issue 8).

One small model per family (from zoo_cases), exported once for the module:

- in a process that never imports ganzoo, every signature (typed and `*_bytes`) answers valid inputs
  with the documented output names, dtypes and shapes, bytes outputs are PNGs of the model's size, and
  each equals the in-process model;
- `saved_model_cli show --all` lists exactly the documented signatures, inputs and outputs, and
  `saved_model_cli run` computes the typed signature from `.npy` inputs;
- each bad input is an InvalidArgument naming the input (those the per-model tests do not cover);
- a REST body with a `{"b64": ...}` image and a float `domains` vector in the same instance, decoded
  as TF Serving decodes it, gives PNGs of the right size.
"""

import base64
import concurrent.futures
import json
import os
import re

import numpy as np
import pytest
import tensorflow as tf

import harness
import zoo_cases
from fake_tf_serving import run_rest_predict
from ganzoo import export, serving

# family -> the zoo case that stands for it
FAMILIES = {
    "unconditional": "dcgan",
    "class_conditional": "cgan",
    "image_to_image": "pix2pix",
    "multi_domain": "stargan",
    "two_directions": "cyclegan",
}
BATCH = 2
# signature -> the typed signature whose output its PNGs must decode to
TWIN = {"serving_bytes": "serving_default", "a_to_b_bytes": "a_to_b", "b_to_a_bytes": "b_to_a"}


def documented_signatures(family, model):
    """The serving contract (shared/DESIGN.md): {signature: (inputs, outputs)}, each {name: (dtype,
    shape)} with -1 for the batch."""
    png = ("string", [-1])
    if family in ("unconditional", "class_conditional"):
        noise = {"z": ("float32", [-1, model.latent_dim])}
        if family == "class_conditional":
            noise["labels"] = ("int32", [-1])
        images = ("uint8", [-1, *model.generator.output_shape[1:]])
        return {"serving_default": (noise, {"images": images}),
                "serving_bytes": (noise, {"images_bytes": png})}
    images = ("uint8", [-1, *model.image_shape])
    domains = {"domains": ("float32", [-1, model.n_domains])} if family == "multi_domain" else {}
    typed = ({"images": images, **domains}, {"images": images})
    encoded = ({"image_bytes": png, **domains}, {"images_bytes": png})
    if family == "two_directions":
        return {"serving_default": typed, "a_to_b": typed, "b_to_a": typed,
                "a_to_b_bytes": encoded, "b_to_a_bytes": encoded}
    return {"serving_default": typed, "serving_bytes": encoded}


def valid_inputs(family, model, rng):
    """{input name: a batch of BATCH valid values}, images as uint8 (encoded ones are derived from them)."""
    if family in ("unconditional", "class_conditional"):
        inputs = {"z": rng.normal(size=(BATCH, model.latent_dim)).astype(np.float32)}
        if family == "class_conditional":
            inputs["labels"] = np.array([0, model.n_classes - 1], np.int32)  # both ends of the range
        return inputs
    inputs = {"images": rng.integers(0, 256, (BATCH, *model.image_shape)).astype(np.uint8)}
    if family == "multi_domain":
        inputs["domains"] = np.eye(model.n_domains, dtype=np.float32)[[0, model.n_domains - 1]]
    return inputs


def in_process(family, model, signature, inputs):
    """What the exported `signature` must return, computed by the model in this process (uint8)."""
    if family == "unconditional":
        return export.to_uint8(model.generator(inputs["z"], training=False)).numpy()
    if family == "class_conditional":
        return export.to_uint8(model.generator([inputs["z"], inputs["labels"]], training=False)).numpy()
    images = inputs["images"].astype(np.float32) / 127.5 - 1.0
    if family == "multi_domain":
        return export.to_uint8(model.translate(images, inputs["domains"])).numpy()
    if family == "two_directions":
        direction = "b_to_a" if signature == "b_to_a" else "a_to_b"  # serving_default is a_to_b
        return export.to_uint8(model.translate(images, direction)).numpy()
    return export.to_uint8(model.translate(images)).numpy()


def _png(image):
    return tf.io.encode_png(image).numpy()


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """{family: {"model", "path", "signatures", "inputs", "files", "expected"}}, all exported under
    one saved_models/ folder."""
    root = tmp_path_factory.mktemp("families")
    rng = np.random.default_rng(0)
    result = {}
    for family, case in FAMILIES.items():
        model = zoo_cases.CASES[case].make_model()
        assert model.serving_family == family
        signatures = documented_signatures(family, model)
        inputs = valid_inputs(family, model, rng)
        files = {}
        for name, array in inputs.items():
            files[name] = str(root / f"{family}.{name}.npy")
            np.save(files[name], array)
        if "images" in inputs:
            files["image_bytes"] = []
            for i, image in enumerate(inputs["images"]):
                files["image_bytes"].append(str(root / f"{family}.{i}.png"))
                with open(files["image_bytes"][-1], "wb") as stream:
                    stream.write(_png(image))
        result[family] = {
            "model": model,
            "path": export.save(model, str(root / "saved_models" / case)),
            "signatures": signatures,
            "inputs": inputs,
            "files": files,
            "expected": {
                name: in_process(family, model, name, inputs) for name in signatures if name not in TWIN
            },
        }
    return result


@pytest.fixture(scope="module")
def subprocesses(exports, tmp_path_factory):
    """Runs the two interpreters the module needs side by side: each spends most of its time starting
    TensorFlow and loading SavedModels."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        fresh = pool.submit(_call_every_signature, exports, tmp_path_factory.mktemp("fresh_process"))
        cli = pool.submit(_run_saved_model_cli, exports, tmp_path_factory.mktemp("saved_model_cli"))
        return {"fresh_process": fresh.result(), "saved_model_cli": cli.result()}


# -- 1. every signature, in a process that never imports ganzoo ---------------------------------------

_CALL_EVERY_SIGNATURE = """
import os
import numpy as np, tensorflow as tf
plan, out = json.loads(PLAN), OUT
report = {}
for family, entry in plan.items():
    loaded = tf.saved_model.load(entry["path"])
    report[family] = {"signatures": sorted(loaded.signatures), "calls": {}}
    for name, function in loaded.signatures.items():
        specs = function.structured_input_signature[1]
        feeds = {}
        for key, spec in specs.items():
            if key.endswith("_bytes"):
                feeds[key] = tf.constant([open(f, "rb").read() for f in entry["files"][key]])
            else:
                feeds[key] = tf.constant(np.load(entry["files"][key]))
        outputs = {}
        for key, tensor in function(**feeds).items():
            array = tensor.numpy()
            outputs[key] = {"dtype": tensor.dtype.name, "shape": list(array.shape)}
            if key.endswith("_bytes"):
                outputs[key]["png"] = all(item.startswith(b"\\x89PNG\\r\\n\\x1a\\n") for item in array)
                array = np.stack([tf.io.decode_png(item).numpy() for item in array])
            np.save(os.path.join(out, f"{family}.{name}.{key}.npy"), array)
        report[family]["calls"][name] = {
            "inputs": {key: [spec.dtype.name, spec.shape.as_list()] for key, spec in specs.items()},
            "outputs": outputs,
        }
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def fresh_process(subprocesses):
    """All families' signatures called in ONE interpreter that never imports ganzoo (one TensorFlow
    start-up instead of five): its report, and the folder of the outputs as .npy files."""
    return subprocesses["fresh_process"]


def _as_listed(shape):  # [-1, 8] -> [None, 8], as a loaded TensorSpec lists it
    return [None if size == -1 else size for size in shape]


@pytest.mark.parametrize("family", FAMILIES)
def test_every_signature_answers_in_a_process_without_ganzoo(family, exports, fresh_process):
    report, out = fresh_process
    entry, report = exports[family], report[family]
    assert report["signatures"] == sorted(entry["signatures"])
    for name, (inputs, outputs) in entry["signatures"].items():
        call = report["calls"][name]
        assert call["inputs"] == {key: [dtype, _as_listed(shape)] for key, (dtype, shape) in inputs.items()}
        assert sorted(call["outputs"]) == sorted(outputs), name
        for key, (dtype, shape) in outputs.items():
            got = call["outputs"][key]
            assert (got["dtype"], got["shape"]) == (dtype, [BATCH, *shape[1:]]), (name, key)
            array = np.load(out / f"{family}.{name}.{key}.npy")
            if key.endswith("_bytes"):
                assert got["png"], (name, "is not a PNG")
                image_shape = entry["signatures"][TWIN[name]][1]["images"][1][1:]
                assert array.shape == (BATCH, *image_shape), (name, "PNGs of the wrong size")
                # PNG is lossless: the bytes signature decodes to its typed twin's images.
                harness.assert_same_images(array, np.load(out / f"{family}.{TWIN[name]}.images.npy"), name)
            else:
                harness.assert_same_images(array, entry["expected"][name], name)


# -- 2. saved_model_cli -------------------------------------------------------------------------------

# The `saved_model_cli` command is `tensorflow.python.tools.saved_model_cli:main`. Each of its commands
# costs a TensorFlow start-up (~10 s here), so the driver runs that entry point once per command line in
# one interpreter, resetting the flags between commands. tests/test_serving_assets.py runs the console
# script itself for the unconditional family.
_SAVED_MODEL_CLI = """
import contextlib, io
from absl import flags
from tensorflow.python.tools import saved_model_cli
validators = {name: list(flags.FLAGS[name].validators) for name in flags.FLAGS}
results = []
for argv in json.loads(COMMANDS):
    flags.FLAGS.unparse_flags()  # every command starts as in a new process: default values, and
    for name, saved in validators.items():  # no validators left by the last command's required flags
        flags.FLAGS[name].validators = list(saved)
    sys.argv = ["saved_model_cli", *argv]
    stdout = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(stdout):
        try:
            saved_model_cli.main()
        except SystemExit as exit:
            code = exit.code or 0
    results.append({"argv": argv, "code": code, "stdout": stdout.getvalue()})
print(json.dumps(results))
"""
RUN_FAMILIES = ("class_conditional", "multi_domain", "two_directions")  # the others: test_serving_assets
_DTYPES = {"float32": "DT_FLOAT", "int32": "DT_INT32", "uint8": "DT_UINT8", "string": "DT_STRING"}


@pytest.fixture(scope="module")
def saved_model_cli(subprocesses):
    """{family: stdout of `show --all`}, {family: outdir of `run --signature_def serving_default`}."""
    return subprocesses["saved_model_cli"]


def _call_every_signature(exports, out):
    plan = {family: {"path": entry["path"], "files": entry["files"]} for family, entry in exports.items()}
    script = f"PLAN = {json.dumps(plan)!r}\nOUT = {str(out)!r}\n" + _CALL_EVERY_SIGNATURE
    return harness.load_in_fresh_process(str(out), script), out


def _run_saved_model_cli(exports, out):
    commands, outdirs = [], {}
    for family, entry in exports.items():
        commands.append(["show", "--all", "--dir", entry["path"]])
    for family in RUN_FAMILIES:
        entry = exports[family]
        inputs = entry["signatures"]["serving_default"][0]
        outdirs[family] = str(out / family)
        commands.append([
            "run", "--dir", entry["path"], "--tag_set", "serve", "--signature_def", "serving_default",
            "--inputs", ";".join(f"{key}={entry['files'][key]}" for key in inputs),
            "--outdir", outdirs[family],
        ])
    script = f"COMMANDS = {json.dumps(commands)!r}\n" + _SAVED_MODEL_CLI
    results = harness.load_in_fresh_process(str(out), script)
    assert [result["code"] for result in results] == [0] * len(commands), results
    shown = {family: result["stdout"] for family, result in zip(exports, results)}
    return shown, outdirs


def parse_show_all(text):
    """{signature: {"inputs": {key: (dtype, shape)}, "outputs": {...}, "method": ...}} from the
    SignatureDef part of `saved_model_cli show --all`."""
    signature_defs = text.split("The MetaGraph with tag set")[0]  # the ops and concrete functions follow
    parsed = {}
    for block in signature_defs.split("signature_def['")[1:]:
        name = block[: block.index("']")]
        entry = {"inputs": {}, "outputs": {}, "method": re.search(r"Method name is: (.*)", block).group(1)}
        for kind, key, dtype, shape in re.findall(
            r"(inputs|outputs)\['([^']+)'\] tensor_info:\n\s+dtype: (\w+)\n\s+shape: (.*)\n", block
        ):
            entry[kind][key] = (dtype, shape)
        parsed[name] = entry
    return parsed


def _as_shown(dtype, shape):  # ("float32", [-1, 8]) -> ("DT_FLOAT", "(-1, 8)")
    return _DTYPES[dtype], "(" + ", ".join(str(size) for size in shape) + ")"


@pytest.mark.parametrize("family", FAMILIES)
def test_saved_model_cli_show_all_lists_the_documented_signatures(family, exports, saved_model_cli):
    shown = parse_show_all(saved_model_cli[0][family])
    shown.pop("__saved_model_init_op", None)  # restores the variables; not a serving signature
    expected = {
        name: {
            "inputs": {key: _as_shown(*spec) for key, spec in inputs.items()},
            "outputs": {key: _as_shown(*spec) for key, spec in outputs.items()},
            "method": "tensorflow/serving/predict",  # what TF Serving's Predict API calls
        }
        for name, (inputs, outputs) in exports[family]["signatures"].items()
    }
    assert shown == expected


@pytest.mark.parametrize("family", RUN_FAMILIES)
def test_saved_model_cli_run_computes_the_default_signature(family, exports, saved_model_cli):
    images = np.load(os.path.join(saved_model_cli[1][family], "images.npy"))
    harness.assert_same_images(images, exports[family]["expected"]["serving_default"])


# -- 3. bad inputs: an InvalidArgument naming the input ------------------------------------------------
# Covered elsewhere: wrong image sizes and bad encoded images for image-to-image (test_export.py,
# models/test_pix2pix.py), labels out of range on serving_default and a z/labels batch mismatch
# (models/test_cgan.py), non-finite z (test_export.py).


def _images(model, shape=None, batch=1):
    return tf.zeros((batch, *(shape or model.image_shape)), tf.uint8)


def _pngs(*images):
    return tf.constant([_png(np.asarray(image, np.uint8)) for image in images])


def _domains(model, batch=1, length=None):
    return tf.zeros((batch, length or model.n_domains), tf.float32)


def _z(model, batch=1, size=None):
    return tf.zeros((batch, size or model.latent_dim), tf.float32)


def _bad(family, signature, what, make_inputs, message):
    return pytest.param(family, signature, make_inputs, message, id=f"{family}-{signature}-{what}")


# The sizes in the messages are zoo_cases': latent_dim 8, 3 classes, 3 domains, 16 px (32 for pix2pix).
_Z_SIZE = r"input `z` must be float32 \[batch, 8\]"
_LABELS = r"input `labels` must be class indices in \[0, 3\)"
_DOMAINS_LENGTH = r"input `domains` must be float32 \[batch, 3\]: one value per domain"
_BATCHES = r"inputs `images` and `domains` must have the same batch size"
_IMAGE_SIZE = r"input `images` must be \[batch, 16, 16, 3\]"
_PNG_SIZE = r"input `image_bytes` must decode to 16x16 images"
BAD_INPUTS = [
    _bad("unconditional", "serving_default", "z-too-long", lambda m: {"z": _z(m, size=9)}, _Z_SIZE),
    _bad("unconditional", "serving_bytes", "z-too-short", lambda m: {"z": _z(m, size=7)}, _Z_SIZE),
    _bad("unconditional", "serving_default", "z-rank-1", lambda m: {"z": tf.zeros((8,))},
         r"tensor z \[8\] is not compatible with expected shape \[\?,\?\]"),
    _bad("class_conditional", "serving_bytes", "label-negative",
         lambda m: {"z": _z(m, 2), "labels": tf.constant([0, -1])}, _LABELS),
    _bad("class_conditional", "serving_bytes", "label-n_classes",
         lambda m: {"z": _z(m, 2), "labels": tf.constant([0, 3])}, _LABELS),
    _bad("class_conditional", "serving_default", "z-too-long",
         lambda m: {"z": _z(m, size=9), "labels": tf.constant([0])}, _Z_SIZE),
    _bad("class_conditional", "serving_default", "labels-rank-2",
         lambda m: {"z": _z(m), "labels": tf.constant([[0]])},
         r"tensor labels \[1,1\] is not compatible with expected shape \[\?\]"),
    _bad("image_to_image", "serving_default", "images-rank-3", lambda m: {"images": _images(m)[0]},
         r"tensor images \[32,32,3\] is not compatible with expected shape \[\?,\?,\?,\?\]"),
    _bad("image_to_image", "serving_bytes", "bytes-rank-2",
         lambda m: {"image_bytes": _pngs(np.zeros(m.image_shape))[None]},
         r"tensor image_bytes \[1,1\] is not compatible with expected shape \[\?\]"),
    _bad("multi_domain", "serving_default", "domains-too-long",
         lambda m: {"images": _images(m), "domains": _domains(m, length=4)}, _DOMAINS_LENGTH),
    _bad("multi_domain", "serving_default", "domains-too-short",
         lambda m: {"images": _images(m), "domains": _domains(m, length=2)}, _DOMAINS_LENGTH),
    _bad("multi_domain", "serving_bytes", "domains-too-long",
         lambda m: {"image_bytes": _pngs(np.zeros(m.image_shape)), "domains": _domains(m, length=4)},
         _DOMAINS_LENGTH),
    _bad("multi_domain", "serving_default", "fewer-domains-than-images",
         lambda m: {"images": _images(m, batch=2), "domains": _domains(m, batch=1)}, _BATCHES),
    _bad("multi_domain", "serving_default", "more-domains-than-images",
         lambda m: {"images": _images(m, batch=2), "domains": _domains(m, batch=3)}, _BATCHES),
    _bad("multi_domain", "serving_bytes", "fewer-domains-than-images",
         lambda m: {"image_bytes": _pngs(*np.zeros((2, *m.image_shape))), "domains": _domains(m, batch=1)},
         _BATCHES),
    _bad("multi_domain", "serving_default", "domains-rank-1",
         lambda m: {"images": _images(m, batch=3), "domains": tf.zeros((3,))},
         r"tensor domains \[3\] is not compatible with expected shape \[\?,\?\]"),
    _bad("multi_domain", "serving_default", "domains-nan",
         lambda m: {"images": _images(m), "domains": tf.constant([[0.0, np.nan, 1.0]])},
         r"input `domains` must be finite"),
    _bad("multi_domain", "serving_default", "images-1-channel",
         lambda m: {"images": _images(m, (16, 16, 1)), "domains": _domains(m)}, _IMAGE_SIZE),
    _bad("multi_domain", "serving_bytes", "png-16x8",
         lambda m: {"image_bytes": _pngs(np.zeros((16, 8, 3))), "domains": _domains(m)}, _PNG_SIZE),
]
for _signature in ("a_to_b", "b_to_a", "serving_default"):
    BAD_INPUTS += [
        _bad("two_directions", _signature, "images-{}x{}x{}".format(*shape),
             lambda m, shape=shape: {"images": _images(m, shape)}, _IMAGE_SIZE)
        for shape in [(15, 16, 3), (16, 32, 3), (16, 16, 1), (16, 16, 4)]
    ]
    BAD_INPUTS.append(
        _bad("two_directions", _signature, "images-rank-3", lambda m: {"images": _images(m)[0]},
             r"tensor images \[16,16,3\] is not compatible with expected shape \[\?,\?,\?,\?\]")
    )
BAD_INPUTS += [  # an empty batch, named, where the reflection padding used to fail naming nothing
    _bad("two_directions", "a_to_b", "empty-batch",
         lambda m: {"images": tf.zeros((0, *m.image_shape), tf.uint8)},
         "input `images` holds no image: the batch is empty"),
    _bad("two_directions", "b_to_a_bytes", "empty-batch", lambda m: {"image_bytes": tf.zeros((0,), tf.string)},
         "input `image_bytes` holds no image: the batch is empty"),
    _bad("image_to_image", "serving_default", "empty-batch",
         lambda m: {"images": tf.zeros((0, *m.image_shape), tf.uint8)},
         "input `images` holds no image: the batch is empty"),
]
for _signature in ("a_to_b_bytes", "b_to_a_bytes"):
    BAD_INPUTS += [
        _bad("two_directions", _signature, "empty", lambda m: {"image_bytes": tf.constant([b""])},
             "input `image_bytes` holds an empty string"),
        _bad("two_directions", _signature, "text", lambda m: {"image_bytes": tf.constant([b"a text file"])},
             "input `image_bytes` is not a PNG, JPEG, GIF or BMP image"),
        _bad("two_directions", _signature, "png-8x16",
             lambda m: {"image_bytes": _pngs(np.zeros((8, 16, 3)))}, _PNG_SIZE),
        _bad("two_directions", _signature, "second-png-16x17",
             lambda m: {"image_bytes": _pngs(np.zeros(m.image_shape), np.zeros((16, 17, 3)))}, _PNG_SIZE),
        _bad("two_directions", _signature, "bytes-rank-0",
             lambda m: {"image_bytes": _pngs(np.zeros(m.image_shape))[0]},
             r"tensor image_bytes \[\] is not compatible with expected shape \[\?\]"),
    ]


@pytest.fixture(scope="module")
def loaded(exports):
    """family -> the SavedModel loaded in this process (TF Serving feeds a signature the same way)."""
    cache = {}

    def load(family):
        if family not in cache:
            cache[family] = tf.saved_model.load(exports[family]["path"])
        return cache[family]

    return load


@pytest.mark.parametrize("family, signature, make_inputs, message", BAD_INPUTS)
def test_a_bad_input_is_an_invalid_argument_naming_it(family, signature, make_inputs, message, exports,
                                                      loaded):
    function = loaded(family).signatures[signature]
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        function(**make_inputs(exports[family]["model"]))


# -- 4. REST: an encoded image and a float vector in one instance --------------------------------------
# tests/test_serving.py does the bytes-only round trip (image-to-image); a multi-domain instance mixes a
# {"b64": ...} input with a plain JSON list.


def test_rest_body_with_an_encoded_image_and_domains_round_trips_as_tf_serving_decodes_it(exports, loaded):
    entry = exports["multi_domain"]
    images, domains = entry["inputs"]["images"], entry["inputs"]["domains"]
    body = {
        "signature_name": "serving_bytes",
        "instances": [
            {"image_bytes": {"b64": base64.b64encode(_png(image)).decode("ascii")},
             "domains": vector.tolist()}
            for image, vector in zip(images, domains)
        ],
    }
    sent = {"image_bytes": [_png(image) for image in images], "domains": domains}
    assert serving.encode_rest_request(sent, "serving_bytes") == body  # ganzoo's client sends this body
    response = json.loads(json.dumps(run_rest_predict(loaded("multi_domain"), json.loads(json.dumps(body)))))
    rows = response["predictions"]  # a lone output: one {"b64": ...} per instance, its name dropped
    assert len(rows) == BATCH and all(set(row) == {"b64"} for row in rows)
    decoded = np.stack([tf.io.decode_png(base64.b64decode(row["b64"])).numpy() for row in rows])
    assert decoded.shape == (BATCH, *entry["model"].image_shape)
    harness.assert_same_images(decoded, entry["expected"]["serving_default"])


# -- 5. what TF Serving reads beside each version ------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_warmup_records_call_every_signature_with_inputs_it_accepts(family, exports, loaded):
    """TF Serving refuses to load a version whose warm-up request fails."""
    prediction_log_pb2 = pytest.importorskip(
        "tensorflow_serving.apis.prediction_log_pb2", reason="the `serving` extra is not installed"
    )
    path = exports[family]["path"]
    replayed = []
    for record in tf.data.TFRecordDataset(os.path.join(path, "assets.extra", "tf_serving_warmup_requests")):
        request = prediction_log_pb2.PredictionLog.FromString(record.numpy()).predict_log.request
        inputs = {name: tf.constant(tf.make_ndarray(proto)) for name, proto in request.inputs.items()}
        loaded(family).signatures[request.model_spec.signature_name](**inputs)
        replayed.append(request.model_spec.signature_name)
    assert sorted(replayed) == sorted(exports[family]["signatures"])


def test_models_config_lists_every_family_once(exports):
    base = os.path.dirname(os.path.dirname(exports["unconditional"]["path"]))
    with open(os.path.join(base, "models.config")) as stream:
        entries = re.findall(r'name: "([^"]+)"\s*base_path: "([^"]+)"\s*model_platform: "tensorflow"',
                             stream.read())
    assert sorted(entries) == sorted((case, os.path.join(base, case)) for case in FAMILIES.values())


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
