"""The Qt-free core: spec, presets, the one description of the network, analysis and builder."""

from .analysis import Analysis, LayerRow, StageSummary, Totals, analyze
from .builder import build_model
from .describe import Node, describe
from .errors import SpecError
from .spec import ArchSpec

__all__ = [
    "Analysis",
    "ArchSpec",
    "LayerRow",
    "Node",
    "SpecError",
    "StageSummary",
    "Totals",
    "analyze",
    "build_model",
    "describe",
]
