"""The window's settings: every QSettings key in one table (the last folder and the recent files
included), and how the window saves and restores them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QSplitter

from resnet_studio.core import ArchSpec, SpecError

if TYPE_CHECKING:
    from resnet_studio.gui.window.main_window import MainWindow

# The settings stay where they were when the application name was "ResNet Studio".
ORGANIZATION = APPLICATION = "ResNet Studio"
MAX_RECENT = 8


class Key:
    """The QSettings keys, one place for all of them."""

    GEOMETRY = "geometry"
    SPLITTER = "splitter"  # the spec panel against the tabs
    SPEC = "spec"
    BASE_PRESET = "base_preset"
    BATCH = "batch"
    DTYPE = "dtype"
    TAB = "tab"
    COMPARE = "compare"
    TRAIN = "train"
    TRAIN_COLUMNS = "train_columns"
    TRAIN_COLUMNS_CHOSEN = "train_columns_chosen"
    RECENT = "recent"
    LAST_DIR = "last_dir"  # the folder of the last file opened or saved
    SWEEP_STORAGES = "sweep_storages"  # storage URLs the Sweeps tab follows (JSON list)
    # the splitters inside the tabs
    EXPLORER_SPLITTER = "explorer_splitter"
    COMPARE_SPLITTER = "compare_splitter"
    COMPARE_LOWER_SPLITTER = "compare_lower_splitter"
    TRAIN_SPLITTER = "train_splitter"
    TRAIN_RIGHT_SPLITTER = "train_right_splitter"


def app_settings() -> QSettings:
    """The user's own settings (tests pass the window a file of their own instead)."""
    return QSettings(ORGANIZATION, APPLICATION)


def last_dir(settings: QSettings) -> Path:
    """The folder of the last file opened or saved, else the home folder."""
    return Path(str(settings.value(Key.LAST_DIR, str(Path.home()))))


def remember_dir(settings: QSettings, path: str | Path) -> None:
    settings.setValue(Key.LAST_DIR, str(Path(path).parent))


def recent(settings: QSettings) -> list[str]:
    """The files opened or saved lately, newest first."""
    try:
        return [str(p) for p in json.loads(str(settings.value(Key.RECENT, "[]")))]
    except (TypeError, ValueError):
        return []


def add_recent(settings: QSettings, path: str) -> None:
    kept = [p for p in recent(settings) if p != path]
    settings.setValue(Key.RECENT, json.dumps([path, *kept][:MAX_RECENT]))


def splitters(w: MainWindow) -> dict[str, QSplitter]:
    """The splitters inside the tabs, by their key: each comes back where the user left it."""
    return {
        Key.EXPLORER_SPLITTER: w.explorer.splitter,
        Key.COMPARE_SPLITTER: w.compare.splitter,
        Key.COMPARE_LOWER_SPLITTER: w.compare.lower_pane,
        Key.TRAIN_SPLITTER: w.train.splitter,
        Key.TRAIN_RIGHT_SPLITTER: w.train.right_splitter,
    }


def restore(w: MainWindow) -> None:
    """The window as the user left it: geometry, splitters, spec, tab, compared networks and
    train settings. A setting that is old or hand-edited gives the default."""
    s = w.settings
    geometry = s.value(Key.GEOMETRY)
    if not (geometry and w.restoreGeometry(geometry)):
        w.fit_screen()
    if s.value(Key.SPLITTER):
        w.splitter.restoreState(s.value(Key.SPLITTER))
    else:
        panel = w.spec_scroll.minimumWidth() + 16
        w.splitter.setSizes([panel, max(1, w.width() - panel)])
    for key, splitter in splitters(w).items():
        if s.value(key):
            splitter.restoreState(s.value(key))
    spec = s.value(Key.SPEC)
    if spec:
        try:
            base = str(s.value(Key.BASE_PRESET, "resnet18"))
            w.panel.set_spec(ArchSpec.from_json(str(spec)), base)
        except SpecError:
            pass  # an old or hand-edited setting: start from the default
    # A setting read from the file is text; one set in this session keeps its type.
    w.panel.batch.setValue(int(str(s.value(Key.BATCH, 1))))
    w.panel.dtype.setCurrentText(str(s.value(Key.DTYPE, "float32")))
    w.tabs.setCurrentIndex(int(str(s.value(Key.TAB, 0))))
    try:
        entries = json.loads(str(s.value(Key.COMPARE, "[]")))
        w.compare.set_entries(entries)  # it drops names that are no longer presets
    except (TypeError, ValueError):
        pass
    try:
        saved = json.loads(str(s.value(Key.TRAIN, "{}")))
        if isinstance(saved, dict):
            w.train.panel.restore(saved)
        if s.value(Key.TRAIN_COLUMNS_CHOSEN) in (True, "true"):
            w.train.choose_columns(set(json.loads(str(s.value(Key.TRAIN_COLUMNS, "[]")))))
    except (TypeError, ValueError):
        pass  # an old or hand-edited setting: the defaults


def save(w: MainWindow) -> None:
    s = w.settings
    s.setValue(Key.GEOMETRY, w.saveGeometry())
    s.setValue(Key.SPLITTER, w.splitter.saveState())
    for key, splitter in splitters(w).items():
        s.setValue(key, splitter.saveState())
    if w.spec is not None:
        s.setValue(Key.SPEC, w.spec.to_json(indent=None))
        s.setValue(Key.BASE_PRESET, w.panel.base_preset)
    s.setValue(Key.BATCH, w.panel.batch.value())
    s.setValue(Key.DTYPE, w.panel.dtype.currentText())
    s.setValue(Key.TAB, w.tabs.currentIndex())
    s.setValue(Key.COMPARE, json.dumps(w.compare.entries))
    s.setValue(Key.TRAIN, json.dumps(w.train.panel.settings()))
    s.setValue(Key.TRAIN_COLUMNS, json.dumps(sorted(w.train.chosen_columns or [])))
    s.setValue(Key.TRAIN_COLUMNS_CHOSEN, w.train.chosen_columns is not None)
    s.sync()
