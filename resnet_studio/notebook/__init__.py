"""ResNet Studio in a notebook (Jupyter, VS Code, marimo): the desktop app's numbers, diagram
and trainer, shown in the cell through the rich display protocol. No GUI toolkit is imported.

    import resnet_studio as rs
    rs.show("resnet50")                 # figures, stage table, to-scale diagram
    rs.compare("resnet18", "resnet50")  # aligned by stage, with ratio columns
    run = rs.train("resnet20", dataset="digits", epochs=3)  # live curves; returns at once
    rs.runs()                           # the runs table, as in the window
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from ..core import ArchSpec
from .runs_table import RunsTable
from .views import Compared, Shown, resolve

__all__ = ["Compared", "RunsTable", "Shown", "compare", "runs", "show", "train"]


def show(arch: Any) -> Shown:
    """One network: a preset's name, an ArchSpec or a model made by ``build_model``."""
    return Shown(*resolve(arch))


def compare(*archs: Any) -> Compared:
    """Several networks side by side, aligned by stage; each against the first."""
    if len(archs) < 2:
        raise ValueError(
            "compare() takes two networks or more, e.g. compare('resnet18', 'resnet50')."
        )
    return Compared([resolve(a) for a in archs])


def train(arch: Any, root: str | Path | None = None, **options: Any) -> Any:
    """Train ``arch`` (a preset's name or an ArchSpec) in the background, drawing its curves in
    the cell; returns the run at once. ``options`` are the training settings of ``resnet-studio
    train`` (dataset, epochs, batch_size, lr, seed, …) and spec fields (num_classes, widths, …).
    The run folder goes under ``root`` (default: the window's runs folder)."""
    from ..core.presets import preset_of
    from ..train.config import TrainConfig
    from ..train.records import RunRecorder, new_run_dir
    from ..train.trainer import Trainer
    from .live import NotebookRun, live_display

    spec_fields = {f.name for f in fields(ArchSpec)}
    config_fields = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(options) - spec_fields - config_fields)
    if unknown:
        raise TypeError(
            f"train() has no option {', '.join(repr(u) for u in unknown)}; it takes the training "
            "settings of `resnet-studio train` and the fields of an ArchSpec."
        )
    _, analysis = resolve(arch)
    spec_changes = {k: v for k, v in options.items() if k in spec_fields}
    spec = analysis.spec.replace(**spec_changes) if spec_changes else analysis.spec
    label, _ = resolve(spec)
    config = TrainConfig(**{k: v for k, v in options.items() if k in config_fields})
    run_dir = new_run_dir(
        Path(root) if root else None, f"{preset_of(spec) or 'custom'}-{config.dataset}"
    )
    trainer = Trainer(spec, config, [RunRecorder(run_dir)], run_dir=str(run_dir))
    run = NotebookRun(trainer, run_dir, f"{label} · {config.dataset}")
    trainer.callbacks.append(run)
    return run.start(live_display())


def runs(root: str | Path | None = None) -> RunsTable:
    """The runs the window lists (newest first), from ``root`` or the window's runs folder."""
    return RunsTable.load(Path(root) if root else None)
