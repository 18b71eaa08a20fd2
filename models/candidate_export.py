"""Exports the evaluation's calibrated candidate (evaluate.Candidate) as the
artifacts serving loads: fraud.onnx, fraud.metadata.json, parity.json.

The ONNX graph is the boosted trees' raw score (skl2onnx `raw_scores`)
followed by the Platt calibration, computed in the graph itself:
p = clip(sigmoid(a * score + b), CLIP, 1 - CLIP), output [N, 2] as
[1 - p, p] under the name serving expects ("probabilities").
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import sklearn
import skl2onnx
from onnx import TensorProto, helper
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType

PARITY_TOLERANCE = 1e-5
FEATURE_SET_VERSION = "vigil-features-v3"


def calibrated_onnx(candidate, n_features: int, clip: float) -> bytes:
    model = candidate.model
    onx = to_onnx(
        model,
        initial_types=[("float_input", FloatTensorType([None, n_features]))],
        options={id(model): {"zipmap": False, "raw_scores": True}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    g = onx.graph
    raw = next(o.name for o in g.output if o.name == "probabilities")
    for node in g.node:
        node.output[:] = ["raw_scores" if o == raw else o for o in node.output]
    a = float(candidate.platt.coef_[0][0])
    b = float(candidate.platt.intercept_[0])
    const = lambda name, value, dtype=TensorProto.FLOAT, dims=(): helper.make_tensor(name, dtype, list(dims), [value] if not dims else value)  # noqa: E731
    g.initializer.extend([
        const("platt_index", 1, TensorProto.INT64),
        const("platt_a", a),
        const("platt_b", b),
        const("platt_lo", clip),
        const("platt_hi", 1 - clip),
        const("platt_one", 1.0),
    ])
    g.node.extend([
        helper.make_node("Gather", ["raw_scores", "platt_index"], ["platt_score"], axis=1),
        helper.make_node("Mul", ["platt_score", "platt_a"], ["platt_scaled"]),
        helper.make_node("Add", ["platt_scaled", "platt_b"], ["platt_logit"]),
        helper.make_node("Sigmoid", ["platt_logit"], ["platt_p"]),
        helper.make_node("Clip", ["platt_p", "platt_lo", "platt_hi"], ["platt_clipped"]),
        helper.make_node("Unsqueeze", ["platt_clipped", "platt_axes"], ["platt_col"]),
        helper.make_node("Sub", ["platt_one", "platt_col"], ["platt_neg"]),
        helper.make_node("Concat", ["platt_neg", "platt_col"], ["probabilities"], axis=1),
    ])
    g.initializer.append(helper.make_tensor("platt_axes", TensorProto.INT64, [1], [1]))
    del g.output[:]
    g.output.append(helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2]))
    onnx.checker.check_model(onx)
    return onx.SerializeToString()


def write_artifacts(out: Path, candidate, clip: float, fit_X: np.ndarray, fit_y: np.ndarray, test, names: list[str], extra: dict) -> dict:
    """Writes the three artifacts after checking ONNX against scikit-learn on `test`; returns the metadata."""
    onnx_bytes = calibrated_onnx(candidate, len(names), clip)
    version = "fraud-hgbcal-" + hashlib.sha256(onnx_bytes).hexdigest()[:12]
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    p_onnx = session.run(["probabilities"], {"float_input": test.X})[0][:, 1]
    p_sk = candidate.predict(test.X)
    diff = float(np.abs(p_onnx - p_sk).max())
    if diff > PARITY_TOLERANCE:
        raise SystemExit(f"ONNX differs from scikit-learn by {diff} (> {PARITY_TOLERANCE}); not writing artifacts")
    out.mkdir(parents=True, exist_ok=True)
    (out / "fraud.onnx").write_bytes(onnx_bytes)
    metadata = {
        "version": version,
        "feature_set_version": FEATURE_SET_VERSION,
        "feature_names": names,
        "threshold": candidate.threshold,
        "input_name": "float_input",
        "output_name": "probabilities",
        "baseline": [float(v) for v in np.median(fit_X[fit_y == 0], axis=0)],
        "model_type": "HistGradientBoostingClassifier + Platt calibration (in the ONNX graph)",
        "hyperparameters": {k: v for k, v in candidate.model.get_params().items() if k in ("max_iter", "learning_rate", "max_leaf_nodes", "min_samples_leaf", "l2_regularization", "monotonic_cst")},
        "calibration": {"method": "platt", "a": float(candidate.platt.coef_[0][0]), "b": float(candidate.platt.intercept_[0]), "clip": clip},
        "libraries": {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__, "onnxruntime": ort.__version__, "numpy": np.__version__},
        "onnx_max_abs_diff_vs_sklearn_on_test": diff,
        **extra,
    }
    (out / "fraud.metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    picks: list[int] = []
    for s in sorted(set(test.scenarios)):
        picks.extend(np.flatnonzero(test.scenarios == s)[: (24 if s == "normal" else 6)].tolist())
    picks.extend(np.argsort(np.abs(p_sk - candidate.threshold))[:10].tolist())
    parity = {
        "model_version": version,
        "feature_names": names,
        "tolerance": PARITY_TOLERANCE,
        "rows": [
            {"transaction_id": test.ids[i], "scenario": str(test.scenarios[i]), "features": [float(v) for v in test.X[i]], "score": float(p_sk[i])}
            for i in sorted(set(picks))
        ],
    }
    (out / "parity.json").write_text(json.dumps(parity, indent=1) + "\n")
    return metadata
