"""Failure-risk scoring: edge-style features, ONNX models with their cards, alerts."""

from twins.risk.features import Features, FeatureSpec
from twins.risk.model import RiskModel, RiskModelError, Scorer, load_model
from twins.risk.scoring import RiskEpoch, RiskScoring
from twins.risk.settings import RiskSettings

__all__ = [
    "FeatureSpec",
    "Features",
    "RiskEpoch",
    "RiskModel",
    "RiskModelError",
    "RiskScoring",
    "RiskSettings",
    "Scorer",
    "load_model",
]
