"""ResNet Studio: explore ResNet architectures and watch them train.

The public API::

    from resnet_studio import ArchSpec, analyze, build_model
    spec = ArchSpec.from_preset("resnet50", input_size=(160, 128))
    report = analyze(spec, batch_size=32)
    model = build_model(spec)

In a notebook (see :mod:`.notebook`)::

    import resnet_studio as rs
    rs.show("resnet50"); rs.compare("resnet18", "resnet50")
    run = rs.train("resnet20", dataset="digits", epochs=3); rs.runs()

Importing the package imports no torch; ``build_model`` and ``train`` do, on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core import Analysis, ArchSpec, SpecError, analyze

if TYPE_CHECKING:
    from .core.builder import build_model
    from .notebook import compare, runs, show

__all__ = ["Analysis", "ArchSpec", "SpecError", "analyze", "build_model", "compare", "runs", "show"]
_NOTEBOOK = ("show", "compare", "runs")
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "build_model":
        from .core.builder import build_model

        return build_model
    if name in _NOTEBOOK:
        from . import notebook

        return getattr(notebook, name)
    if name == "train":  # the package, callable as the notebook's train() (train/__init__.py)
        import importlib

        return importlib.import_module(".train", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
