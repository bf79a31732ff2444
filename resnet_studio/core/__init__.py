"""The Qt-free core: spec, presets, the one description of the network, analysis and builder.

Everything but the builder is arithmetic and imports no torch; ``build_model`` is loaded on
first use, so that ``resnet-studio summary`` starts without torch's two seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .analysis import Analysis, LayerRow, StageSummary, Totals, analyze
from .describe import Node, describe
from .errors import SpecError
from .spec import ArchSpec

if TYPE_CHECKING:
    from .builder import build_model

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


def __getattr__(name: str) -> Any:
    if name == "build_model":
        from .builder import build_model

        return build_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
