"""The main window: spec panel, explorer and compare tabs, menus, live build, settings."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
)

from resnet_studio import __version__
from resnet_studio.core import Analysis, ArchSpec
from resnet_studio.core.document import SpecDocument
from resnet_studio.gui import theme, workers
from resnet_studio.gui.compare.compare_view import CompareView
from resnet_studio.gui.explorer.explorer_view import ExplorerView
from resnet_studio.gui.explorer.spec_panel import SpecPanel
from resnet_studio.gui.inspect.inspect_view import InspectView
from resnet_studio.gui.slots import Call, Pass
from resnet_studio.gui.sweeps.sweeps_view import SweepsView
from resnet_studio.gui.train.train_view import TrainView
from resnet_studio.gui.widgets import wheel_guard
from resnet_studio.gui.widgets.scrolled import scrolled
from resnet_studio.gui.widgets.steady_tabs import SteadyTabs
from resnet_studio.gui.window import actions, window_settings
from resnet_studio.gui.window.exports_controller import ExportsController
from resnet_studio.gui.window.notices import Notices

if TYPE_CHECKING:
    from torch import nn  # the GUI thread never imports torch (see _build)

BUILD_DELAY_MS = 400  # build the real module once the controls have been still this long
SAVE_DELAY_MS = 1000  # settings are written once edits have been still this long
DEFAULT_SIZE = (1400, 900)  # the first launch's size where the screen has room
FRAME_MARGIN = (16, 40)  # room for a window manager's frame and title bar


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, runs_dir: Path | None = None) -> None:
        super().__init__()
        wheel_guard.install()  # before the fields are made: the wheel scrolls past them
        self.settings = settings or window_settings.app_settings()
        self.setWindowTitle("ResNet Studio")
        self.model: nn.Module | None = None  # the built module of self.spec, once built
        # the newest spec's build wins; it never waits behind a profile or an evaluation
        self._builds = workers.Latest(self, workers.QUICK)
        self._built_spec: ArchSpec | None = None  # the spec of the build started last

        # the one copy of the spec; the panel edits it, the views follow it
        self.doc = SpecDocument()
        self.panel = SpecPanel(self.doc)
        self.spec_scroll = scroll = scrolled(self.panel)
        self.explorer = ExplorerView()
        self.compare = CompareView()
        self.tabs = SteadyTabs()
        self.tabs.addTab(self.explorer, "Explorer")
        self.tabs.addTab(self.compare, "Compare")
        self.train = TrainView(runs_dir)
        self.tabs.addTab(self.train, "Train")
        self.train.message.connect(self.say)
        self.inspect = InspectView(self.train.manager)
        self.tabs.addTab(self.inspect, "Inspect")
        self.inspect.message.connect(self.say)
        self.inspect.problem.connect(self.tell_problem)
        self.train.inspectRequested.connect(self.inspect_run)
        self.sweeps = SweepsView(self.settings, self.train.manager.root)
        self.tabs.addTab(self.sweeps, "Sweeps")
        self.sweeps.runRequested.connect(self.show_run)
        self.sweeps.message.connect(self.say)
        self.notices = Notices()  # errors that matter, kept until read
        self.train.problem.connect(self.tell_problem)
        self.train.panel.adaptRequested.connect(self.adapt_spec)
        self.train.specRequested.connect(self.panel.set_spec)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)
        for split in self.findChildren(QSplitter):  # a drag stops at a pane's minimum
            split.setChildrenCollapsible(False)
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
        self.exports = ExportsController(self)  # open, save and export, asking for paths
        self.train.modelExportRequested.connect(Pass(self.exports.export_run_model))
        self.compare.exportRequested.connect(Pass(self.exports.export_compare))
        self.menus = actions.install(self)
        self.exports.recent_menu = self.menus["Open &recent"]
        for view in (self.explorer, self.compare, self.train):
            view.bind(self.doc)
        self.doc.changed.connect(self._spec_changed)
        self.doc.invalid.connect(self._spec_invalid)
        self.explorer.profile.profiled.connect(Call(self.compare.refresh))
        window_settings.restore(self)
        self.exports.fill_recent()
        # written as they change, not only on quit: a terminated app (SIGTERM) keeps them too
        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(SAVE_DELAY_MS)
        self.save_timer.timeout.connect(self.save_settings)
        self.doc.changed.connect(self._settings_changed)
        self.train.panel.doc.changed.connect(self._settings_changed)
        self.tabs.currentChanged.connect(self._settings_changed)
        self._spec_changed(self.doc)
        if not self.compare.entries:
            self.compare.set_entries(["resnet18", "resnet50"])
        theme.apply(self)  # the plots light or dark, as the desktop is, and as it switches
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    def _scheme_changed(self, *_: Any) -> None:
        theme.apply(self)
        self.compare.refresh()  # its table's shaded cells

    def inspect_run(self, run_dir: str) -> None:
        """The Inspect tab, looking into the run in ``run_dir``."""
        self.tabs.setCurrentWidget(self.inspect)
        self.inspect.open_run(run_dir)

    def show_run(self, run_dir: str) -> None:
        """The Train tab with the run in ``run_dir`` selected (a sweep's trial)."""
        manager, name = self.train.manager, Path(run_dir).name
        if manager.find(name) is None and Path(run_dir).parent == manager.root:
            manager.load(steps=False)  # a worker process wrote it after the tab read the runs
        if manager.find(name) is None:
            self.statusBar().showMessage(
                f"The run {run_dir} is not in this window's runs folder ({manager.root}): "
                "its worker used another --root, or another machine.",
                15000,
            )
            return
        self.tabs.setCurrentWidget(self.train)
        self.train.select_id(name)

    def find_layer(self) -> None:
        """The Explorer's layer filter, shown and focused with its text selected."""
        self.tabs.setCurrentWidget(self.explorer)
        self.explorer.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.explorer.filter.selectAll()

    # --- the spec ---------------------------------------------------------------------------
    @property
    def spec(self) -> ArchSpec:
        """The last valid spec (the document's)."""
        return self.doc.spec

    @property
    def analysis(self) -> Analysis:
        return self.doc.analysis

    def _spec_invalid(self, doc: SpecDocument) -> None:
        """The views show the last valid spec, greyed; nothing builds until it is fixed."""
        self.statusBar().showMessage(" ".join(str(e) for e in self.panel.errors()))
        self.build_timer.stop()
        self._builds.cancel()  # its result would be a stale model
        self._built_spec = None  # a fix that returns to the last valid spec builds it again
        self.explorer.show_build_status("not built: the spec is invalid", "busy")
        workers.let_go(self, "model")

    def _spec_changed(self, doc: SpecDocument) -> None:
        self.statusBar().clearMessage()
        if doc.spec != self._built_spec:
            self._built_spec = doc.spec
            workers.let_go(self, "model")
            self._builds.cancel()  # a newer change supersedes a build under way
            self.explorer.show_build_status("building the model…", "busy")
            self.build_timer.start()

    def _start_build(self) -> None:
        spec, analysis = self.spec, self.analysis
        assert spec is not None and analysis is not None  # the timer starts for a valid spec
        self._builds.submit(partial(_build, spec), partial(self._built, analysis), self._not_built)

    def _built(self, analysis: Analysis, model: nn.Module) -> None:
        self.model = model
        n = sum(p.numel() for p in model.parameters())
        expected = analysis.totals.params  # the build's spec's: batch and dtype aside
        if n == expected:
            self.explorer.show_build_status(f"✔ built: {n:,} parameters, as analysed", "ok")
        else:
            self.explorer.show_build_status(
                f"✘ built model has {n:,} parameters but the analysis says {expected:,}: a bug",
                "wrong",
            )

    def _not_built(self, e: Exception) -> None:
        self.explorer.show_build_status(f"✘ could not build: {e}", "failed")

    def say(self, sentence: str) -> None:
        """A passing sentence in the status bar."""
        self.statusBar().showMessage(sentence, 15000)

    def tell_problem(self, sentence: str) -> None:
        """A sentence that must not vanish: in the status bar a while, and in the notices
        until read."""
        self.statusBar().showMessage(sentence, 60000)
        self.notices.add(sentence)

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
        window_settings.save(self)

    def _settings_changed(self, *_: Any) -> None:
        self.save_timer.start()  # once the edits pause

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
        self.save_timer.stop()
        self.save_settings()
        self.build_timer.stop()
        self._builds.cancel()  # a build that ends after the window is gone is ignored
        self.explorer.profile.cancel()  # a profile or range test under way ends early
        self.train.panel.cancel_lr_finder()
        self.inspect.cancel()
        self.sweeps.shut_down()
        workers.wait_all()
        super().closeEvent(event)


def _build(spec: ArchSpec) -> Any:
    """The model, built off the GUI thread; the first build loads torch there, so the window
    is painted and answering while torch loads."""
    from resnet_studio.core.builder import build_model

    return build_model(spec)
