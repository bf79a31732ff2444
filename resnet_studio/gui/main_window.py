"""The main window: spec panel, explorer and compare tabs, menus, live build, settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QStyle,
    QTabWidget,
)

from .. import __version__
from ..atomic import atomic_write_text
from ..core import Analysis, ArchSpec, SpecError, analyze
from ..core.export import comparison_csv, comparison_markdown, python_code
from ..core.model_export import FORMATS as MODEL_FORMATS
from ..core.model_export import with_suffix
from . import exports, theme, wheel_guard, workers
from .compare_view import CURRENT, CompareView
from .explorer import ExplorerView
from .inspect_view import InspectView
from .notices import Notices
from .plot_export import SLIDE, ask_and_export
from .spec_panel import SpecPanel
from .train_view import TrainView

if TYPE_CHECKING:
    from torch import nn  # the GUI thread never imports torch (see _build)

BUILD_DELAY_MS = 400  # build the real module once the controls have been still this long
MAX_RECENT = 8
DEFAULT_SIZE = (1400, 900)  # the first launch's size where the screen has room
FRAME_MARGIN = (16, 40)  # room for a window manager's frame and title bar


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, runs_dir: Path | None = None) -> None:
        super().__init__()
        wheel_guard.install()  # before the fields are made: the wheel scrolls past them
        self.settings = settings or QSettings("ResNet Studio", "ResNet Studio")
        self.setWindowTitle("ResNet Studio")
        self.analysis: Analysis | None = None
        self.spec: ArchSpec | None = None
        self.model: nn.Module | None = None  # the built module of self.spec, once built
        self._build_generation = 0
        self._rebuild = False
        self._busy = 0

        self.panel = SpecPanel()
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        # never narrower than the panel's own minimum, so it scrolls down rather than clips
        bar = scroll.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        scroll.setMinimumWidth(self.panel.minimumSizeHint().width() + bar + 2 * scroll.frameWidth())
        self.spec_scroll = scroll
        self.explorer = ExplorerView()
        self.compare = CompareView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.explorer, "Explorer")
        self.tabs.addTab(self.compare, "Compare")
        self.train = TrainView(runs_dir)
        self.tabs.addTab(self.train, "Train")
        self.train.message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.inspect = InspectView(self.train.manager)
        self.tabs.addTab(self.inspect, "Inspect")
        self.inspect.message.connect(lambda text: self.statusBar().showMessage(text, 15000))
        self.inspect.problem.connect(self.tell_problem)
        self.train.inspectRequested.connect(self.inspect_run)
        self.notices = Notices()  # errors that matter, kept until read
        self.train.problem.connect(self.tell_problem)
        self.train.panel.adaptRequested.connect(self.adapt_spec)
        self.train.specRequested.connect(self.panel.set_spec)
        self.train.modelExportRequested.connect(
            lambda checkpoint, fmt: self.export_model(fmt, checkpoint=checkpoint)
        )
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.notices)

        self.build_timer = QTimer(self)
        self.build_timer.setSingleShot(True)
        self.build_timer.setInterval(BUILD_DELAY_MS)
        self.build_timer.timeout.connect(self._start_build)
        self._make_menus()
        self.panel.changed.connect(self.on_spec_changed)
        self.compare.exportRequested.connect(self._export_compare)
        self.explorer.profile.profiled.connect(lambda p: self.compare.refresh())
        self._restore_settings()
        self.on_spec_changed()
        if not self.compare.entries:
            self.compare.set_entries(["resnet18", "resnet50"])
        theme.apply(self)  # the plots light or dark, as the desktop is, and as it switches
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    # --- menus ---------------------------------------------------------------------------------
    def _action(
        self, menu: Any, text: str, slot: Any, shortcut: Any = None, tip: str = ""
    ) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.setStatusTip(tip or text)
        a.setToolTip(tip or text)
        a.triggered.connect(slot)
        menu.addAction(a)
        return a

    def _make_menus(self) -> None:
        m = self.menuBar().addMenu("&File")
        self._action(
            m,
            "&Open spec…",
            self.open_spec,
            QKeySequence.StandardKey.Open,
            "Open an architecture spec (JSON)",
        )
        self.recent_menu = m.addMenu("Open &recent")
        self._action(
            m,
            "&Save spec as…",
            self.save_spec,
            QKeySequence.StandardKey.Save,
            "Save the architecture spec as JSON",
        )
        m.addSeparator()
        e = m.addMenu("&Export")
        self._action(e, "Analysis as CSV…", lambda: self.export_analysis(".csv"), "Ctrl+E")
        self._action(e, "Analysis as JSON…", lambda: self.export_analysis(".json"))
        self._action(e, "Analysis as Markdown…", lambda: self.export_analysis(".md"))
        self._action(
            e,
            "Diagram as SVG or PNG…",
            lambda: self.explorer.diagram.export_interactive(),
            tip="The Explorer's diagram as shown, folds included; SVG keeps the text as text",
        )
        self._action(
            e,
            "Comparison diagram as SVG or PNG…",
            lambda: self.compare.diagram.export_interactive(),
            tip="The compared networks side by side on one scale, aligned by stage",
        )
        self._action(
            e,
            "Explorer charts as figures…",
            lambda: self.export_charts(self.explorer.plots),
            tip="Parameters, MACs and the shape profile: PNG or SVG at a size and DPI you choose",
        )
        self._action(
            e,
            "Comparison charts as figures…",
            lambda: self.export_charts(self.compare.plots, size=SLIDE),
            tip="The compared networks' charts, slide-sized (1920×1080) unless you choose",
        )
        self._action(
            e,
            "Training curves as a figure…",
            lambda: self.train.export_dialog(),
            tip="Loss and accuracy side by side, with their legends, without the controls",
        )
        self._action(
            e,
            "torchinfo summary…",
            self.export_torchinfo,
            tip="torchinfo's summary of the built model, as text",
        )
        e.addSeparator()
        # the menu item decides the format; a typed suffix that differs gets the right one added
        for fmt, text, tip in (
            ("onnx", "Model as ONNX…", "One self-contained ONNX file; opens in Netron"),
            ("pt2", "Model as torch.export (.pt2)…", "torch.export's program; torch.export.load"),
            ("torchscript", "Model as TorchScript…", "A traced TorchScript module (deprecated)"),
            ("state_dict", "Model state_dict…", "The weights only, for load_state_dict"),
            ("python", "Model as Python code…", "Python that builds this architecture"),
        ):
            self._action(e, text, lambda _=False, f=fmt: self.export_model(f), tip=tip)
        m.addSeparator()
        self._action(m, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        ed = self.menuBar().addMenu("&Edit")
        self._action(
            ed,
            "&Copy selected rows",
            self.explorer.copy_selection,
            tip="Copy the selected layer rows as tab-separated text",
        )
        self._action(
            ed,
            "Copy &Python code",
            self.copy_python,
            "Ctrl+Shift+C",
            "Copy Python that builds this architecture with resnet_studio",
        )
        self._action(
            ed,
            "&Find layer",
            self.find_layer,
            QKeySequence.StandardKey.Find,
            "Show the Explorer and filter its layers by name or type",
        )
        v = self.menuBar().addMenu("&View")
        self._action(v, "&Explorer", lambda: self.tabs.setCurrentIndex(0), "Ctrl+1")
        self._action(v, "&Compare", lambda: self.tabs.setCurrentIndex(1), "Ctrl+2")
        self._action(v, "&Train", lambda: self.tabs.setCurrentIndex(2), "Ctrl+3")
        self._action(v, "&Inspect", lambda: self.tabs.setCurrentWidget(self.inspect), "Ctrl+4")
        self._action(v, "Expand all layers", self.explorer.tree.expandAll)
        self._action(v, "Collapse all layers", self.explorer.tree.collapseAll)
        h = self.menuBar().addMenu("&Help")
        self._action(h, "&About ResNet Studio", self.about)

    def _scheme_changed(self, *_: Any) -> None:
        theme.apply(self)
        self.compare.refresh()  # its table's shaded cells

    def inspect_run(self, run_dir: str) -> None:
        """The Inspect tab, looking into the run in ``run_dir``."""
        self.tabs.setCurrentWidget(self.inspect)
        self.inspect.open_run(run_dir)

    def find_layer(self) -> None:
        """The Explorer's layer filter, shown and focused with its text selected."""
        self.tabs.setCurrentWidget(self.explorer)
        self.explorer.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.explorer.filter.selectAll()

    # --- the spec ---------------------------------------------------------------------------
    def on_spec_changed(self) -> None:
        spec = self.panel.current()
        batch, dtype = self.panel.batch.value(), self.panel.dtype.currentText()
        if isinstance(spec, SpecError):
            self.panel.mark_invalid(spec)
            self.statusBar().showMessage(str(spec))
            self.explorer.set_stale(True)
            self.build_timer.stop()
            self._build_generation += 1
            self.train.set_spec(None, "")
            self.explorer.build_status.setText("not built: the spec is invalid")
            self.explorer.build_status.setStyleSheet("color: palette(mid);")
            self.model = None
            self._rebuild = True  # a fix that returns to the last valid spec builds it again
            return
        self.panel.mark_invalid(None)
        self.statusBar().clearMessage()
        changed = spec != self.spec or self._rebuild
        self._rebuild = False
        self.spec = spec
        self.analysis = analyze(spec, batch, dtype)
        title = self.panel.label(spec)
        self.explorer.show_analysis(self.analysis, title)
        self.compare.set_current(spec, title, batch)
        self.train.set_spec(spec, title)
        if changed:
            self.model = None
            self._build_generation += 1
            self.explorer.build_status.setText("building the model…")
            self.explorer.build_status.setStyleSheet("color: palette(mid);")
            self.build_timer.start()

    def _start_build(self) -> None:
        generation, spec, analysis = self._build_generation, self.spec, self.analysis
        assert spec is not None and analysis is not None  # the timer starts for a valid spec

        def built(model: nn.Module) -> None:
            if generation != self._build_generation:
                return  # a newer change superseded this build
            self.model = model
            n = sum(p.numel() for p in model.parameters())
            expected = analysis.totals.params  # the build's spec's: batch and dtype aside
            if n == expected:
                self.explorer.build_status.setText(f"✔ built: {n:,} parameters, as analysed")
                self.explorer.build_status.setStyleSheet("color: #3c9a47; font-weight: 600;")
            else:
                self.explorer.build_status.setText(
                    f"✘ built model has {n:,} parameters but the analysis says {expected:,}: a bug"
                )
                self.explorer.build_status.setStyleSheet("color: #c62828; font-weight: 600;")

        def failed(e: Exception) -> None:
            if generation == self._build_generation:
                self.explorer.build_status.setText(f"✘ could not build: {e}")
                self.explorer.build_status.setStyleSheet("color: #c62828;")

        workers.start(lambda: _build(spec), built, failed)

    # --- files --------------------------------------------------------------------------------
    def _ask_save(self, title: str, suffix: str, filters: str) -> str | None:
        last = self.settings.value("last_dir", str(Path.home()))
        path, _ = QFileDialog.getSaveFileName(
            self, title, str(Path(str(last)) / f"{self._stem()}{suffix}"), filters
        )
        if not path:
            return None
        if not Path(path).suffix:
            path += suffix
        self.settings.setValue("last_dir", str(Path(path).parent))
        return path

    def _stem(self) -> str:
        return self.panel.label(self.spec).split(" ")[0] if self.spec else "spec"

    def _report(self, fn: Any, done: str) -> None:
        """Run ``fn`` now; say ``done`` or the error in the status bar."""
        try:
            fn()
        except (OSError, SpecError, ValueError) as e:
            self.tell_problem(f"Could not save: {e}")
            return
        self.statusBar().showMessage(done, 5000)

    def save_spec(self, path: str | None = None) -> None:
        if self.spec is None:
            return
        path = path or self._ask_save("Save spec", ".json", "Spec (*.json)")
        if path:
            self._report(lambda: exports.save_spec(self.spec, path), f"Saved {path}")
            self._add_recent(path)

    def open_spec(self, path: str | None = None) -> bool:
        if not path:
            last = self.settings.value("last_dir", str(Path.home()))
            path, _ = QFileDialog.getOpenFileName(self, "Open spec", str(last), "Spec (*.json)")
            if not path:
                return False
        try:
            spec, kind = exports.read_spec(Path(path).read_text(encoding="utf-8"))
        except OSError as e:
            self.statusBar().showMessage(f"Could not open {path}: {e.strerror}.")
            return False
        except SpecError as e:
            self.statusBar().showMessage(f"{Path(path).name}: {e}")
            return False
        self.panel.set_spec(spec)
        self._add_recent(path)
        self.statusBar().showMessage(
            f"Opened the spec of {kind}, {path}" if kind else f"Opened {path}", 5000
        )
        return True

    def _add_recent(self, path: str) -> None:
        recent = [p for p in self._recent() if p != path]
        self.settings.setValue("recent", json.dumps([path, *recent][:MAX_RECENT]))
        self._fill_recent()

    def _recent(self) -> list[str]:
        try:
            return list(json.loads(str(self.settings.value("recent", "[]"))))
        except (TypeError, ValueError):
            return []

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for p in self._recent():
            self.recent_menu.addAction(p, self._opener(p))
        self.recent_menu.setEnabled(bool(self._recent()))

    def _opener(self, path: str) -> Callable[[], bool]:
        """A slot that takes no arguments (``triggered`` passes ``checked``), opening ``path``."""
        return lambda: self.open_spec(path)

    def export_analysis(self, suffix: str, path: str | None = None) -> None:
        if self.analysis is None:
            return
        names = {".csv": "CSV (*.csv)", ".json": "JSON (*.json)", ".md": "Markdown (*.md)"}
        path = path or self._ask_save("Export analysis", suffix, names[suffix])
        if path:
            a = self.analysis
            title = self.panel.label(a.spec)
            self._report(lambda: exports.export_analysis(a, path, title), f"Exported {path}")

    def _in_background(self, what: str, fn: Any) -> None:
        """A long export off the GUI thread, with the busy indicator."""
        self._busy += 1
        self.progress.show()
        self.statusBar().showMessage(f"{what}…")

        def finish(message: str, failed: bool = False) -> None:
            self._busy -= 1
            self.progress.setVisible(self._busy > 0)
            if failed:
                self.tell_problem(message)
            else:
                self.statusBar().showMessage(message, 8000)

        workers.start(
            fn,
            lambda msg: finish(msg),
            lambda e: finish(f"{what} failed: {str(e).splitlines()[0]}", failed=True),
        )

    def tell_problem(self, sentence: str) -> None:
        """A sentence that must not vanish: in the status bar a while, and in the notices
        until read."""
        self.statusBar().showMessage(sentence, 60000)
        self.notices.add(sentence)

    def _need_model(self) -> bool:
        if self.model is None:
            self.statusBar().showMessage(
                "The model is still being built; try again in a moment.", 5000
            )
            return False
        return True

    def export_torchinfo(self, path: str | None = None) -> None:
        if not self._need_model():
            return
        path = path or self._ask_save("Export torchinfo summary", ".txt", "Text (*.txt)")
        if not path:
            return
        model, spec, batch = self.model, self.spec, self.panel.batch.value()
        assert model is not None and spec is not None  # a model is built from the spec

        def work() -> str:
            atomic_write_text(path, exports.torchinfo_text(model, spec, batch))
            return f"Exported {path}"

        self._in_background("Writing the torchinfo summary", work)

    def export_model(
        self, fmt: str, path: str | None = None, checkpoint: str | None = None
    ) -> None:
        """The built model (or, with ``checkpoint``, a run's trained one) as ``fmt``, written
        off the GUI thread; ``path`` skips the file dialog."""
        form = MODEL_FORMATS[fmt]
        if checkpoint is None and form.needs_model and not self._need_model():
            return
        if checkpoint is None and self.spec is None:
            return
        what = f"{Path(checkpoint).parent.name} ({Path(checkpoint).stem})" if checkpoint else ""
        title = f"Export {what or 'model'} as {form.title}"
        path = path or self._ask_save(title, form.suffix, f"{form.title} (*{form.suffix})")
        if not path:
            return
        path = str(with_suffix(path, fmt))
        model, spec, base = self.model, self.spec, self.panel.base_preset

        def work() -> str:
            written = exports.export_model(
                fmt, path, model=model, spec=spec, checkpoint=checkpoint, base_preset=base
            )
            return f"Exported {written}"

        self._in_background(f"Exporting {form.title}", work)

    def copy_python(self) -> None:
        if self.spec is not None:
            QGuiApplication.clipboard().setText(python_code(self.spec, self.panel.base_preset))
            self.statusBar().showMessage("Copied the Python code", 4000)

    def _export_compare(self, what: str, path: str | None = None) -> None:
        c = self.compare.comparison
        if c is None:
            return
        if what == "table":
            path = path or self._ask_save(
                "Export comparison", ".csv", "CSV (*.csv);;Markdown (*.md)"
            )
            if path:
                text = comparison_markdown(c) if path.endswith(".md") else comparison_csv(c)
                self._report(lambda: atomic_write_text(path, text), f"Exported {path}")
            return
        self.export_charts(self.compare.plots, path, SLIDE)

    def export_charts(self, plots: Any, path: str | None = None, size: Any = None) -> None:
        """A view's three charts as figures (size, DPI and format asked, slide-sized for the
        comparison), each with its legend; ``path`` skips the questions."""
        last = Path(str(self.settings.value("last_dir", str(Path.home()))))

        def write(path: str, w: int | None = None, h: int | None = None, dpi: float = 96) -> None:
            p = Path(path)
            self._report(
                lambda: plots.export_all(path, w, h, dpi), f"Exported {p.stem}-*{p.suffix}"
            )
            self.settings.setValue("last_dir", str(p.parent))

        if path:
            write(path, *(size or (None, None)))
        else:
            ask_and_export(
                self,
                "Export the charts (three figures)",
                (plots.widgets[2].width(), plots.widgets[2].height()),
                last / f"{self._stem()}-charts.png",
                write,
                size,
            )

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About ResNet Studio",
            f"<h3>ResNet Studio {__version__}</h3><p>Explore ResNet "
            "architectures and watch them train.</p><p>Shapes, parameters and "
            "MACs come from arithmetic over one description of the network; "
            "they equal torchvision, a real forward pass and torchinfo.</p>",
        )

    # --- settings and closing ---------------------------------------------------------------------
    def _restore_settings(self) -> None:
        s = self.settings
        if not (s.value("geometry") and self.restoreGeometry(s.value("geometry"))):
            self.fit_screen()
        if s.value("splitter"):
            self.splitter.restoreState(s.value("splitter"))
        else:
            panel = self.spec_scroll.minimumWidth() + 16
            self.splitter.setSizes([panel, max(1, self.width() - panel)])
        for key, splitter in self._splitters().items():
            if s.value(key):
                splitter.restoreState(s.value(key))
        spec = s.value("spec")
        if spec:
            try:
                self.panel.base_preset = str(s.value("base_preset", "resnet18"))
                self.panel.set_spec(ArchSpec.from_json(str(spec)))
            except SpecError:
                pass  # an old or hand-edited setting: start from the default
        # A setting read from the file is text; one set in this session keeps its type.
        self.panel.batch.setValue(int(str(s.value("batch", 1))))
        self.panel.dtype.setCurrentText(str(s.value("dtype", "float32")))
        self.tabs.setCurrentIndex(int(str(s.value("tab", 0))))
        try:
            entries = json.loads(str(s.value("compare", "[]")))
            self.compare.set_entries(
                [e for e in entries if e == CURRENT or e in ArchSpec.presets()]
            )
        except (TypeError, ValueError):
            pass
        try:
            saved = json.loads(str(s.value("train", "{}")))
            if isinstance(saved, dict):
                self.train.panel.restore(saved)
            if s.value("train_columns_chosen") in (True, "true"):
                self.train.choose_columns(set(json.loads(str(s.value("train_columns", "[]")))))
        except (TypeError, ValueError):
            pass  # an old or hand-edited setting: the defaults
        self._fill_recent()

    def _splitters(self) -> dict[str, QSplitter]:
        """The splitters inside the tabs, by their settings key: each comes back where the
        user left it."""
        return {
            "explorer_splitter": self.explorer.splitter,
            "compare_splitter": self.compare.splitter,
            "compare_lower_splitter": self.compare.lower_pane,
            "train_splitter": self.train.splitter,
            "train_right_splitter": self.train.right_splitter,
        }

    def fit_screen(self) -> None:
        """The first launch: 1400×900 where the screen has room, else the screen's available
        area (without task bars) less a margin for the window frame, centred on it."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        width = min(DEFAULT_SIZE[0], area.width() - FRAME_MARGIN[0])
        height = min(DEFAULT_SIZE[1], area.height() - FRAME_MARGIN[1])
        self.resize(max(width, self.minimumSizeHint().width()), height)
        self.move(area.center() - self.rect().center())

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("geometry", self.saveGeometry())
        s.setValue("splitter", self.splitter.saveState())
        for key, splitter in self._splitters().items():
            s.setValue(key, splitter.saveState())
        if self.spec is not None:
            s.setValue("spec", self.spec.to_json(indent=None))
            s.setValue("base_preset", self.panel.base_preset)
        s.setValue("batch", self.panel.batch.value())
        s.setValue("dtype", self.panel.dtype.currentText())
        s.setValue("tab", self.tabs.currentIndex())
        s.setValue("compare", json.dumps(self.compare.entries))
        s.setValue("train", json.dumps(self.train.panel.settings()))
        s.setValue("train_columns", json.dumps(sorted(self.train.chosen_columns or [])))
        s.setValue("train_columns_chosen", self.train.chosen_columns is not None)
        s.sync()

    def adapt_spec(self, overrides: dict[str, Any]) -> None:
        """Give the spec the dataset's channels, classes and a small input size."""
        if self.spec is not None and overrides:
            self.panel.set_spec(self.spec.replace(**overrides))
            self.statusBar().showMessage(
                "Adapted the spec to the dataset: "
                + ", ".join(f"{k} {v}" for k, v in overrides.items()),
                8000,
            )

    def confirm_close(self, active: int) -> bool:
        """Ask before closing with runs in progress (tests replace this)."""
        answer = QMessageBox.question(
            self,
            "Runs in progress",
            f"{active} run{'s are' if active > 1 else ' is'} training. Stop and quit? Each "
            "saves a checkpoint and can be resumed later.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, event: Any) -> None:
        if self.train.active and not self.confirm_close(self.train.active):
            event.ignore()
            return
        self.statusBar().showMessage("Stopping the runs and saving checkpoints…")
        self.train.stop_all()
        self.save_settings()
        self.build_timer.stop()
        self.explorer.profile.cancel()  # a profile or range test under way ends early
        self.train.panel.cancel_lr_finder()
        self.inspect.cancel()
        workers.wait_all()
        super().closeEvent(event)


def _build(spec: ArchSpec) -> Any:
    """The model, built off the GUI thread; the first build loads torch there, so the window
    is painted and answering while torch loads."""
    from ..core.builder import build_model

    return build_model(spec)
