"""A kind's risk model: an ONNX classifier and its model card, checked once, scored in batches.

`load_model` reads `<kind>.onnx` and its card `<kind>.json` (features and their order, horizon,
alert level, data seeds, metrics, versions) and checks that they belong together and to the
kind: the card's features are exactly the kind's `FeatureSpec.names`, the graph takes one float
tensor of shape (batch, len(features)) and gives a (batch, 2) probability tensor. Anything else
raises `RiskModelError` naming the file and the mismatch. `Scorer` wraps an onnxruntime session
with one intra-op thread (many shard actors share the cores) and returns P(failure within H).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum.twins.risk.features import FeatureSpec

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
CARD_FORMAT = "aurum-risk-card/1"


class RiskModelError(ValueError):
    """A model file that cannot serve a kind: missing, corrupt, or built for other inputs."""

    def __init__(self, file: Path | str, problem: str) -> None:
        self.file = str(file)
        self.problem = problem
        super().__init__(f"{file}: {problem}")


def default_path(kind: str) -> Path:
    return MODELS_DIR / f"{kind}.onnx"


def card_path(onnx_path: Path) -> Path:
    return onnx_path.with_suffix(".json")


@dataclass(frozen=True)
class RiskModel:
    """A checked model as plain data (it travels to the shard actors with the plan)."""

    kind: str
    path: str
    onnx: bytes = field(repr=False)
    card: dict[str, Any] = field(repr=False)

    @property
    def features(self) -> list[str]:
        return list(self.card["features"])

    @property
    def alert_level(self) -> float:
        return float(self.card["alert_level"])

    @property
    def horizon_h(self) -> float:
        return float(self.card["horizon_h"])


def load_model(spec: FeatureSpec, path: Path | None = None) -> RiskModel:
    """Read and check the model of a kind (default `twins/models/<kind>.onnx`)."""
    path = Path(path) if path is not None else default_path(spec.kind)
    if not path.is_file():
        raise RiskModelError(path, f"no risk model file for kind {spec.kind!r}")
    card = _read_card(card_path(path))
    _check_card(card_path(path), card, spec)
    onnx = path.read_bytes()
    _check_graph(path, onnx, len(spec.names))
    return RiskModel(spec.kind, str(path), onnx, card)


def _read_card(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise RiskModelError(path, "the model card (JSON beside the .onnx file) is missing")
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RiskModelError(path, f"the model card is not valid JSON: {e}") from None
    if not isinstance(card, dict):
        raise RiskModelError(path, "the model card is not a JSON object")
    return card


def _check_card(path: Path, card: dict[str, Any], spec: FeatureSpec) -> None:
    missing = [k for k in ("kind", "features", "horizon_h", "alert_level") if k not in card]
    if missing:
        raise RiskModelError(path, f"the model card lacks {', '.join(missing)}")
    if card["kind"] != spec.kind:
        raise RiskModelError(path, f"the card is for kind {card['kind']!r}, not {spec.kind!r}")
    problem = feature_mismatch(list(card["features"]), spec.names)
    if problem:
        retrain = f"retrain with `aurum risk train --kind {spec.kind}`"
        raise RiskModelError(
            path, f"the model's features do not match kind {spec.kind!r}: {problem}; {retrain}"
        )
    level = card["alert_level"]
    if not isinstance(level, int | float) or not 0.0 < level < 1.0:
        raise RiskModelError(path, f"alert_level must be in (0, 1), got {level!r}")


def feature_mismatch(got: list[str], expected: list[str]) -> str:
    """'' if the lists are equal, else what differs (missing, extra, first misplaced)."""
    if got == expected:
        return ""
    missing = [f for f in expected if f not in got]
    extra = [f for f in got if f not in expected]
    parts = []
    if missing:
        parts.append(f"missing {_few(missing)}")
    if extra:
        parts.append(f"unexpected {_few(extra)}")
    if not parts:
        i = next(i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b)
        parts.append(f"feature {i} is {got[i]!r} where {expected[i]!r} is expected (order)")
    return "; ".join(parts) + f" ({len(got)} features, {len(expected)} expected)"


def _few(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def session(onnx: bytes) -> Any:
    """An onnxruntime session on one thread (shards already run one per core)."""
    import onnxruntime as ort  # type: ignore[import-untyped]

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.log_severity_level = 3
    return ort.InferenceSession(onnx, opts, providers=["CPUExecutionProvider"])


def _check_graph(path: Path, onnx: bytes, n_features: int) -> None:
    try:
        sess = session(onnx)
    except Exception as e:  # onnxruntime raises its own classes for unreadable graphs
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RiskModelError(path, f"not a readable ONNX model: {first[:200]}") from None
    inputs = sess.get_inputs()
    if len(inputs) != 1 or inputs[0].type != "tensor(float)":
        got = ", ".join(f"{i.name}: {i.type}" for i in inputs)
        raise RiskModelError(path, f"expects one float tensor input, the graph has {got}")
    width = inputs[0].shape[-1] if len(inputs[0].shape) == 2 else None
    if width != n_features:
        raise RiskModelError(
            path,
            f"the graph's input has shape {inputs[0].shape}, the card lists {n_features} features",
        )
    probe = sess.run(None, {inputs[0].name: np.zeros((2, n_features), np.float32)})
    if _probabilities(probe) is None:
        raise RiskModelError(path, "the graph gives no (batch, 2) probability output")


def _probabilities(outputs: list[Any]) -> NDArray[np.float32] | None:
    for out in outputs:
        a = np.asarray(out) if isinstance(out, np.ndarray) else None
        if a is not None and a.ndim == 2 and a.shape[1] == 2 and a.dtype.kind == "f":
            return a
    return None


class Scorer:
    """P(failure within the horizon) for rows of features, one onnxruntime call a batch."""

    def __init__(self, model: RiskModel) -> None:
        self.model = model
        self.sha256 = hashlib.sha256(model.onnx).hexdigest()
        self._session: Any = None

    def score(self, x: NDArray[np.float32]) -> NDArray[np.float32]:
        if not len(x):
            return np.empty(0, np.float32)
        if self._session is None:
            self._session = session(self.model.onnx)
            self._input = self._session.get_inputs()[0].name
        probs = _probabilities(self._session.run(None, {self._input: x}))
        assert probs is not None  # checked when the model was loaded
        return np.asarray(probs[:, 1], dtype=np.float32)
