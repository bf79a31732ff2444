"""ResNet Studio: explore ResNet architectures and watch them train.

The public API::

    from resnet_studio import ArchSpec, analyze, build_model
    spec = ArchSpec.from_preset("resnet50", input_size=(160, 128))
    report = analyze(spec, batch_size=32)
    model = build_model(spec)
"""

from .core import Analysis, ArchSpec, SpecError, analyze, build_model

__all__ = ["Analysis", "ArchSpec", "SpecError", "analyze", "build_model"]
__version__ = "0.1.0"
