"""ResNet Studio: explore ResNet architectures and watch them train.

The public API::

    from resnet_studio import ArchSpec, analyze, build_model
    spec = ArchSpec.from_preset("resnet50", input_size=(160, 128))
    report = analyze(spec, batch_size=32)
    model = build_model(spec)

Importing the package imports no torch; ``build_model`` does, on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core import Analysis, ArchSpec, SpecError, analyze

if TYPE_CHECKING:
    from .core.builder import build_model

__all__ = ["Analysis", "ArchSpec", "SpecError", "analyze", "build_model"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "build_model":
        from .core.builder import build_model

        return build_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
