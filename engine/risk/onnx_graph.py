"""A scikit-learn HistGradientBoostingClassifier (binary) as an ONNX graph, built with `onnx`.

skl2onnx cannot convert this estimator (skl2onnx 1.20 rejects the TreeEnsembleClassifier node it
builds, whatever the ai.onnx.ml opset), so the graph is written here from the fitted trees:
one `ai.onnx.ml.TreeEnsembleRegressor` summing every tree's leaf values onto the baseline (the
log-odds), a `Sigmoid`, and the two-column probability tensor [1 − p, p] named `probabilities`.

Split rule of the trees: x ≤ threshold goes left, NaN goes where the tree learned
(`missing_go_to_left`). The inputs are float32 and the thresholds float64; each threshold is
stored as the largest float32 not above it, so x ≤ t holds in the graph exactly when it holds in
scikit-learn for every float32 x.
"""

from __future__ import annotations

from typing import Any

import numpy as np

INPUT = "features"
OUTPUT = "probabilities"


def _float32_floor(t: np.ndarray) -> np.ndarray:
    t32 = t.astype(np.float32)
    above = t32.astype(np.float64) > t
    t32[above] = np.nextafter(t32[above], np.float32(-np.inf))
    return t32


def _tree_attributes(model: Any) -> dict[str, list[Any]]:
    a: dict[str, list[Any]] = {k: [] for k in (
        "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
        "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true",
        "target_treeids", "target_nodeids", "target_ids", "target_weights",
    )}  # fmt: skip
    for t, (predictor,) in enumerate(model._predictors):
        nodes = predictor.nodes
        if nodes["is_categorical"].any():
            raise ValueError("categorical splits are not supported")
        leaf = nodes["is_leaf"].astype(bool)
        k = len(nodes)
        a["nodes_treeids"] += [t] * k
        a["nodes_nodeids"] += list(range(k))
        a["nodes_featureids"] += np.where(leaf, 0, nodes["feature_idx"]).astype(int).tolist()
        a["nodes_values"] += _float32_floor(np.where(leaf, 0.0, nodes["num_threshold"])).tolist()
        a["nodes_modes"] += ["LEAF" if x else "BRANCH_LEQ" for x in leaf]
        a["nodes_truenodeids"] += np.where(leaf, 0, nodes["left"]).astype(int).tolist()
        a["nodes_falsenodeids"] += np.where(leaf, 0, nodes["right"]).astype(int).tolist()
        a["nodes_missing_value_tracks_true"] += nodes["missing_go_to_left"].astype(int).tolist()
        leaves = np.flatnonzero(leaf)
        a["target_treeids"] += [t] * len(leaves)
        a["target_nodeids"] += leaves.tolist()
        a["target_ids"] += [0] * len(leaves)
        a["target_weights"] += nodes["value"][leaves].astype(np.float64).tolist()
    return a


def hgb_to_onnx(model: Any, n_features: int, offset: float = 0.0) -> bytes:
    """The fitted binary classifier as a serialised ONNX model (input `features`, float32);
    `offset` is added to the log-odds (undoes a thinning of the negatives when fitting)."""
    from onnx import TensorProto, helper

    if len(model.classes_) != 2:
        raise ValueError("only binary classifiers are supported")
    base = float(np.ravel(model._baseline_prediction)[0]) + offset
    attributes: dict[str, Any] = {
        "n_targets": 1, "aggregate_function": "SUM", "post_transform": "NONE",
        "base_values": [base], **_tree_attributes(model),
    }  # fmt: skip
    trees = helper.make_node(
        "TreeEnsembleRegressor", [INPUT], ["margin"], domain="ai.onnx.ml", **attributes
    )
    one = helper.make_tensor("one", TensorProto.FLOAT, [1, 1], [1.0])
    nodes = [
        trees,
        helper.make_node("Sigmoid", ["margin"], ["p"]),
        helper.make_node("Sub", ["one", "p"], ["q"]),
        helper.make_node("Concat", ["q", "p"], [OUTPUT], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "aurum_risk",
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [None, n_features])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, [None, 2])],
        initializer=[one],
    )  # fmt: skip
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)]
    onx = helper.make_model(graph, opset_imports=opsets, producer_name="aurum-risk")
    onx.ir_version = 8
    return bytes(onx.SerializeToString())
