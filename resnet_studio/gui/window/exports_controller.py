"""The window's files: open and save a spec, the recent files, and every export (analysis,
comparison, charts, torchinfo, model files), asking for a path where none is given.

Slow exports run off the GUI thread with the status bar's busy indicator; a failure is one
sentence in the window's notices. The files themselves are written by :mod:`.exports`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMenu

from resnet_studio.atomic import atomic_write_text
from resnet_studio.core import SpecError
from resnet_studio.core.export import comparison_csv, comparison_markdown, python_code
from resnet_studio.core.model_export import FORMATS as MODEL_FORMATS
from resnet_studio.core.model_export import with_suffix
from resnet_studio.gui import workers
from resnet_studio.gui.plots.plot_export import SLIDE, ask_and_export
from resnet_studio.gui.slots import Call
from resnet_studio.gui.window import exports, window_settings
from resnet_studio.gui.window.window_settings import last_dir, remember_dir

if TYPE_CHECKING:
    from resnet_studio.gui.window.main_window import MainWindow


class ExportsController(QObject):
    """Owned by the window (its Qt child), which it reaches through its parent."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.busy = 0  # exports under way
        self.recent_menu: QMenu | None = None  # the window's File › Open recent

    @property
    def w(self) -> MainWindow:
        return cast("MainWindow", self.parent())

    # --- asking -------------------------------------------------------------------------------
    def _ask_save(
        self, title: str, suffix: str, filters: str, stem: str | None = None
    ) -> str | None:
        folder = last_dir(self.w.settings)
        path, _ = QFileDialog.getSaveFileName(
            self.w, title, str(folder / f"{stem or self._stem()}{suffix}"), filters
        )
        if not path:
            return None
        if not Path(path).suffix:
            path += suffix
        remember_dir(self.w.settings, path)
        return path

    def _stem(self) -> str:
        spec = self.w.spec
        return exports.export_stem([self.w.panel.label(spec)]) if spec else "spec"

    def _report(self, fn: Callable[[], object], done: str) -> bool:
        """Run ``fn`` now; say ``done`` or the error in the status bar; whether it worked."""
        try:
            fn()
        except (OSError, SpecError, ValueError) as e:
            self.w.tell_problem(f"Could not save: {e}")
            return False
        self.w.statusBar().showMessage(done, 5000)
        return True

    def _need_model(self) -> bool:
        if self.w.model is None:
            self.w.statusBar().showMessage(
                "The model is still being built; try again in a moment.", 5000
            )
            return False
        return True

    # --- specs and recent files ---------------------------------------------------------------
    def save_spec(self, path: str | None = None) -> None:
        spec = self.w.spec
        if spec is None:
            return
        path = path or self._ask_save("Save spec", ".json", "Spec (*.json)")
        if path:
            target = path
            if self._report(lambda: exports.save_spec(spec, target), f"Saved {path}"):
                self._add_recent(path)  # only a file that is there

    def open_spec(self, path: str | None = None) -> bool:
        w = self.w
        if not path:
            folder = last_dir(w.settings)
            path, _ = QFileDialog.getOpenFileName(w, "Open spec", str(folder), "Spec (*.json)")
            if not path:
                return False
        try:
            spec, kind = exports.read_spec(Path(path).read_text(encoding="utf-8"))
        except OSError as e:
            w.statusBar().showMessage(f"Could not open {path}: {e.strerror}.")
            return False
        except SpecError as e:
            w.statusBar().showMessage(f"{Path(path).name}: {e}")
            return False
        w.panel.set_spec(spec)
        self._add_recent(path)
        w.statusBar().showMessage(
            f"Opened the spec of {kind}, {path}" if kind else f"Opened {path}", 5000
        )
        return True

    def recent(self) -> list[str]:
        return window_settings.recent(self.w.settings)

    def _add_recent(self, path: str) -> None:
        window_settings.add_recent(self.w.settings, path)
        self.fill_recent()

    def fill_recent(self) -> None:
        menu = self.recent_menu
        if menu is None:
            return
        menu.clear()
        for p in self.recent():
            menu.addAction(p).triggered.connect(Call(self.open_spec, p))
        menu.setEnabled(bool(self.recent()))

    # --- exports ------------------------------------------------------------------------------
    def export_analysis(self, suffix: str, path: str | None = None) -> None:
        a = self.w.analysis
        if a is None:
            return
        names = {".csv": "CSV (*.csv)", ".json": "JSON (*.json)", ".md": "Markdown (*.md)"}
        path = path or self._ask_save("Export analysis", suffix, names[suffix])
        if path:
            title, target = self.w.panel.label(a.spec), path
            self._report(lambda: exports.export_analysis(a, target, title), f"Exported {path}")

    def _in_background(self, what: str, fn: Callable[[], str]) -> None:
        """A long export off the GUI thread, with the busy indicator."""
        self.busy += 1
        self.w.progress.show()
        self.w.statusBar().showMessage(f"{what}…")

        def finish(message: str, failed: bool = False) -> None:
            self.busy -= 1
            self.w.progress.setVisible(self.busy > 0)
            if failed:
                self.w.tell_problem(message)
            else:
                self.w.statusBar().showMessage(message, 8000)

        workers.start(
            fn,
            lambda msg: finish(msg),
            lambda e: finish(f"{what} failed: {str(e).splitlines()[0]}", failed=True),
            receiver=self,
        )

    def export_torchinfo(self, path: str | None = None) -> None:
        if not self._need_model():
            return
        path = path or self._ask_save("Export torchinfo summary", ".txt", "Text (*.txt)")
        if not path:
            return
        model, spec, batch, target = self.w.model, self.w.spec, self.w.panel.batch.value(), path
        assert model is not None and spec is not None  # a model is built from the spec

        def work() -> str:
            atomic_write_text(target, exports.torchinfo_text(model, spec, batch))
            return f"Exported {target}"

        self._in_background("Writing the torchinfo summary", work)

    def export_model(
        self, fmt: str, path: str | None = None, checkpoint: str | None = None
    ) -> None:
        """The built model (or, with ``checkpoint``, a run's trained one) as ``fmt``, written
        off the GUI thread; ``path`` skips the file dialog."""
        form = MODEL_FORMATS[fmt]
        if checkpoint is None and form.needs_model and not self._need_model():
            return
        if checkpoint is None and self.w.spec is None:
            return
        what = f"{Path(checkpoint).parent.name} ({Path(checkpoint).stem})" if checkpoint else ""
        title = f"Export {what or 'model'} as {form.title}"
        path = path or self._ask_save(title, form.suffix, f"{form.title} (*{form.suffix})")
        if not path:
            return
        target = str(with_suffix(path, fmt))
        model, spec, base = self.w.model, self.w.spec, self.w.panel.base_preset

        def work() -> str:
            written = exports.export_model(
                fmt, target, model=model, spec=spec, checkpoint=checkpoint, base_preset=base
            )
            return f"Exported {written}"

        self._in_background(f"Exporting {form.title}", work)

    def export_run_model(self, checkpoint: str, fmt: str) -> None:
        """A run's trained model (the runs table's Export model…)."""
        self.export_model(fmt, checkpoint=checkpoint)

    def copy_python(self) -> None:
        if self.w.spec is not None:
            code = python_code(self.w.spec, self.w.panel.base_preset)
            QGuiApplication.clipboard().setText(code)
            self.w.statusBar().showMessage("Copied the Python code", 4000)

    def export_compare(self, what: str, path: str | None = None) -> None:
        """The compare tab's table (CSV or Markdown) or its charts."""
        self.w.compare.catch_up()
        c = self.w.compare.comparison
        if c is None:
            return
        if what == "table":
            path = path or self._ask_save(
                "Export comparison",
                ".csv",
                "CSV (*.csv);;Markdown (*.md)",
                self.w.compare.export_stem(),
            )
            if path:
                rows = self.w.compare.rows  # exactly the rows shown, the measured ones included
                write = comparison_markdown if path.endswith(".md") else comparison_csv
                text = write(c.labels, rows)
                target = path
                self._report(lambda: atomic_write_text(target, text), f"Exported {path}")
            return
        self.export_charts(self.w.compare.plots, path, SLIDE)

    def export_charts(self, plots: Any, path: str | None = None, size: Any = None) -> None:
        """A view's three charts as figures (size, DPI and format asked, slide-sized for the
        comparison), each with its legend; ``path`` skips the questions."""
        if plots is self.w.compare.plots:
            self.w.compare.catch_up()

        def write(path: str, w: int | None = None, h: int | None = None, dpi: float = 96) -> None:
            p = Path(path)
            self._report(
                lambda: plots.export_all(path, w, h, dpi), f"Exported {p.stem}-*{p.suffix}"
            )
            remember_dir(self.w.settings, p)

        if path:
            write(path, *(size or (None, None)))
        else:
            stem = self.w.compare.export_stem() if plots is self.w.compare.plots else self._stem()
            ask_and_export(
                self.w,
                "Export the charts (three figures)",
                (plots.widgets[2].width(), plots.widgets[2].height()),
                last_dir(self.w.settings) / f"{stem}-charts.png",
                write,
                size,
            )
