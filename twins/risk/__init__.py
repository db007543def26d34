"""Failure-risk scoring: edge-style features, ONNX models with their cards, alerts."""

from aurum.twins.risk.features import Features, FeatureSpec
from aurum.twins.risk.model import RiskModel, RiskModelError, Scorer, load_model
from aurum.twins.risk.scoring import RiskEpoch, RiskScoring
from aurum.twins.risk.settings import RiskSettings

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
