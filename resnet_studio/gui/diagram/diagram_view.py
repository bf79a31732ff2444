"""The diagram view: one network (the Explorer) or several (Compare), drawn from the core's
layout by one QGraphicsItem that paints only what is exposed, so a relayout costs a few
milliseconds even for the 1202-layer ResNet.

Mouse: the wheel zooms at the pointer (Shift+wheel scrolls sideways), a drag pans, hovering
explains, a click selects (``nodeClicked`` with the module or stage, ``rowClicked`` with the
network) and a click on ×N unfolds. Keys: + and - zoom, F fits, 1 is 100%, arrows scroll.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import QPainter, QTransform
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QInputDialog,
    QMainWindow,
    QPushButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from resnet_studio.core.analysis import Analysis
from resnet_studio.core.diagram import diagram
from resnet_studio.core.diagram_items import Diagram, Fold, Hit, hit, matching
from resnet_studio.gui.diagram.diagram_export import DiagramTooLarge, write_diagram
from resnet_studio.gui.diagram.diagram_paint import paint_diagram
from resnet_studio.gui.diagram.diagram_tips import tooltip
from resnet_studio.gui.widgets.flow import ElidedLabel
from resnet_studio.gui.window import window_settings
from resnet_studio.gui.window.exports import export_stem

MIN_ZOOM, MAX_ZOOM = 0.03, 8.0


class _Canvas(QGraphicsItem):
    """The whole diagram as one item: painting what is exposed beats thousands of items."""

    def __init__(self, owner: DiagramView) -> None:
        super().__init__()
        self.owner = owner
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)

    def boundingRect(self) -> QRectF:
        d = self.owner.diagram
        return QRectF(0, 0, d.width, d.height) if d else QRectF()

    def paint(self, painter: QPainter, option: Any, widget: Any = None) -> None:
        o = self.owner
        if o.diagram is not None:
            detail = option.levelOfDetailFromTransform(painter.worldTransform())
            if o.stale:  # the spec being edited is invalid: this is the last valid one
                painter.setOpacity(0.4)
            paint_diagram(
                painter,
                o.diagram,
                option.exposedRect,
                o.selected_items,
                o.hover,
                o.selected_row,
                detail,
            )


class _Graphics(QGraphicsView):
    def __init__(self, owner: DiagramView) -> None:
        super().__init__()
        self.owner = owner
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setMouseTracking(True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(Qt.GlobalColor.white)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._press: QPoint | None = None
        self._last: QPoint | None = None
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):  # a user's scroll
            bar.actionTriggered.connect(lambda _: setattr(self.owner, "fit_mode", None))

    def resizeEvent(self, e: Any) -> None:
        super().resizeEvent(e)
        self.owner.resized()

    def viewportEvent(self, e: Any) -> bool:
        # Qt asks for a tooltip once the mouse rests; the scene would answer with its items'
        # (none: one canvas draws everything) and so hide the diagram's own a second later
        if e.type() == QEvent.Type.ToolTip:
            self.owner.show_tip(self.mapToScene(e.pos()), e.globalPos())
            return True
        return super().viewportEvent(e)

    def wheelEvent(self, e: Any) -> None:
        self.owner.fit_mode = None
        delta = e.angleDelta()
        if e.modifiers() & Qt.KeyboardModifier.ShiftModifier or delta.x():
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - (delta.x() or delta.y()))
            return
        if delta.y():
            self.owner.zoom_by(1.15 ** (delta.y() / 120))

    def keyPressEvent(self, e: Any) -> None:
        key, o = e.key(), self.owner
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            o.zoom_by(1.25)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            o.zoom_by(0.8)
        elif key in (Qt.Key.Key_F, Qt.Key.Key_0):
            o.fit()
        elif key == Qt.Key.Key_1:
            o.set_zoom(1.0)
        else:
            super().keyPressEvent(e)

    def mousePressEvent(self, e: Any) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            self._press = self._last = e.position().toPoint()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        super().mousePressEvent(e)

    def mouseMoveEvent(self, e: Any) -> None:
        pos = e.position().toPoint()
        if self._last is not None:  # dragging pans
            self.owner.fit_mode = None
            d = pos - self._last
            self._last = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - d.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - d.y())
            return
        self.owner.hover_at(self.mapToScene(pos), e.globalPosition().toPoint())

    def mouseReleaseEvent(self, e: Any) -> None:
        press, pos = self._press, e.position().toPoint()
        self._press = self._last = None
        self.unsetCursor()
        if press is not None and (pos - press).manhattanLength() < 5:
            self.owner.click_at(self.mapToScene(pos))
        super().mouseReleaseEvent(e)

    def leaveEvent(self, e: Any) -> None:
        self.owner.set_hover(None)
        super().leaveEvent(e)


class DiagramView(QWidget):
    """A diagram with its toolbar. ``show_networks`` follows the spec live; ``highlight``
    marks what the layer tree selects."""

    nodeClicked = Signal(str)  # a module's or a stage's name
    rowClicked = Signal(int)  # which network (the row of a comparison)

    def __init__(self, parent: Any = None, first_look: str = "readable") -> None:
        super().__init__(parent)
        # how the view fits the pane as it resizes, until the user zooms or pans (then None):
        # "readable" (as tall as the pane, up to natural size; wide ones scroll) or "whole"
        self.fit_mode: str | None = first_look
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Fit the whole diagram in the view (F)")
        self.actual = QPushButton("100%")
        self.actual.setToolTip("Draw at its natural size (1)")
        self.zoom_out = QPushButton("−")
        self.zoom_out.setToolTip("Zoom out (-, or the mouse wheel)")
        self.zoom_in = QPushButton("+")
        self.zoom_in.setToolTip("Zoom in (+, or the mouse wheel)")
        self.linear = QCheckBox("Linear scale")
        self.linear.setToolTip(
            "Boxes proportional to spatial size and channels; off: a log scale, where every "
            "halving of the size and doubling of the channels is the same step"
        )
        self.unfold = QCheckBox("Unfold all")
        self.unfold.setToolTip("Draw every block; off: identical blocks are drawn once, ×N")
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the diagram as SVG (vector, text stays text) or PNG")
        for w in (self.fit_button, self.actual, self.zoom_out, self.zoom_in):
            w.setMaximumWidth(56)
            bar.addWidget(w)
        bar.addSpacing(8)
        bar.addWidget(self.linear)
        bar.addWidget(self.unfold)
        hint = ElidedLabel(
            "wheel: zoom · drag: pan · ×N: unfold",
            tip="Mouse wheel: zoom · drag: pan · click a box: select its row in the tree · "
            "click ×N: unfold its blocks · keys: + and − zoom, F fits, 1 is 100%",
        )
        hint.setStyleSheet("color: palette(mid);")
        bar.addWidget(hint, 1)
        self.hint = hint
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.diagram: Diagram | None = None
        self.scene = QGraphicsScene(self)
        self.canvas = _Canvas(self)
        self.scene.addItem(self.canvas)
        self.graphics = _Graphics(self)
        self.graphics.setScene(self.scene)
        layout.addWidget(self.graphics, 1)

        self.labelled: list[tuple[str, Analysis]] = []
        self.expanded: set[tuple[int, str]] = set()
        self.selected_names: list[str] = []
        self.selected_items: list[Any] = []
        self.selected_row: int | None = None
        self.hover: Any = None
        self.stale = False
        self._dirty = False
        self.fit_button.clicked.connect(lambda: self.fit())
        self.actual.clicked.connect(lambda: self.set_zoom(1.0))
        self.zoom_in.clicked.connect(lambda: self.zoom_by(1.25))
        self.zoom_out.clicked.connect(lambda: self.zoom_by(0.8))
        self.linear.toggled.connect(lambda _: self.refresh())
        self.unfold.toggled.connect(self._unfold_all)
        self.export_button.clicked.connect(lambda: self.export_interactive())

    # --- what is drawn ----------------------------------------------------------------------
    def show_networks(self, labelled: list[tuple[str, Analysis]]) -> None:
        """Draw these networks (one for the Explorer); drawn now if visible, else when shown."""
        self.labelled = list(labelled)
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, e: Any) -> None:
        super().showEvent(e)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        self._dirty = False
        if not self.labelled:
            self.canvas.prepareGeometryChange()
            self.diagram = None
            return
        self.canvas.prepareGeometryChange()
        self.diagram = diagram(
            self.labelled,
            linear=self.linear.isChecked(),
            expanded=self.expanded,
            expand_all=self.unfold.isChecked(),
        )
        self.scene.setSceneRect(QRectF(0, 0, self.diagram.width, self.diagram.height))
        self.hover = None
        self._match()
        self.canvas.update()
        self.resized()
        # The view shows or hides its scroll bars for the new size on a queued call, which
        # would come after the paint that the scene forces at once: the diagram would be
        # painted, then painted again at the viewport's new size. Decided now, it is painted
        # once.
        QCoreApplication.sendPostedEvents(self.graphics, QEvent.Type.MetaCall)

    def ensure_drawn(self) -> Diagram | None:
        if self._dirty or (self.diagram is None and self.labelled):
            self.refresh()
        return self.diagram

    def highlight(self, names: list[str], row: int = 0, reveal: bool = True) -> None:
        """Mark the items drawing these modules or stages (a tree selection) in ``row`` and
        scroll the first into view."""
        self.selected_names, self.selected_row = list(names), row
        self._match()
        self.canvas.update()
        if reveal and self.selected_items:
            b = self.selected_items[0].box
            self.graphics.ensureVisible(QRectF(b.x, b.y, b.w, b.h), 40, 20)

    def set_stale(self, stale: bool) -> None:
        """Grey the diagram while the spec is invalid (it shows the last valid one)."""
        if stale != self.stale:
            self.stale = stale
            self.canvas.update()

    def select_row(self, row: int | None) -> None:
        self.selected_row = row
        self.canvas.update()

    def _match(self) -> None:
        d, row = self.diagram, self.selected_row or 0
        if d is None or row >= len(d.rows):
            self.selected_items = []
            return
        self.selected_items = matching(d.rows[row], self.selected_names)

    def toggle_fold(self, row: int, key: str) -> None:
        self.expanded ^= {(row, key)}
        if self.unfold.isChecked():
            self.unfold.blockSignals(True)  # one run folds back: the others stay unfolded
            self.unfold.setChecked(False)
            self.unfold.blockSignals(False)
            assert self.diagram is not None  # a fold to toggle is on a diagram
            self.expanded = {
                (f.row, f.key) for r in self.diagram.rows for f in r.folds if not f.folded
            } ^ {(row, key)}
        self.refresh()

    def _unfold_all(self, on: bool) -> None:
        if not on:
            self.expanded = set()
        self.refresh()

    # --- zoom and pan -----------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.graphics.transform().m11()

    def resized(self) -> None:
        if self.fit_mode and self.diagram is not None and self.graphics.viewport().height() > 50:
            self.fit(self.fit_mode)

    def set_zoom(self, z: float) -> None:
        """Zoom to ``z`` (1 = natural size); the view stops following the pane's size."""
        self.fit_mode = None
        self._zoom(z)

    def _zoom(self, z: float) -> None:
        z = min(MAX_ZOOM, max(MIN_ZOOM, z))
        self.graphics.setTransform(QTransform.fromScale(z, z))

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom * factor)

    def fit(self, mode: str = "whole") -> None:
        """Fit the diagram in view, and keep fitting it as the pane resizes: all of it
        ("whole"), or ("readable") as tall as the pane up to natural size, the rest a scroll
        away."""
        d = self.ensure_drawn()
        if d is None:
            return
        # The zoom is reckoned for the pane without scroll bars, and for the horizontal bar that
        # it makes: reckoned for the viewport's own size, a bar that appears shrinks the
        # viewport, which refits smaller, which hides the bar, and so on for ever (the window
        # hung with the pane at some heights).
        port = self.graphics.maximumViewportSize()
        w, h = port.width() - 4, port.height() - 4
        z = min(w / d.width, h / d.height)
        if mode == "readable":
            tall = h / d.height  # fill the height
            if d.width * tall > w:  # wider than the pane: the horizontal bar takes its height
                bar = self.graphics.horizontalScrollBar().sizeHint().height()
                tall = max((h - bar) / d.height, w / d.width)
            z = min(1.0, max(z, tall))
        self.fit_mode = mode
        self._zoom(z)
        self.graphics.horizontalScrollBar().setValue(self.graphics.horizontalScrollBar().minimum())
        self.graphics.verticalScrollBar().setValue(self.graphics.verticalScrollBar().minimum())

    # --- the mouse --------------------------------------------------------------------------
    def _hit(self, pos: Any) -> Hit | None:
        return hit(self.diagram, pos.x(), pos.y()) if self.diagram else None

    def set_hover(self, item: Any) -> None:
        if item is not self.hover:
            self.hover = item
            self.canvas.update()

    def hover_at(self, pos: Any, global_pos: QPoint) -> None:
        h = self._hit(pos)
        item = h.item if h else None
        if item is self.hover:
            return
        self.set_hover(item)
        clickable = h is not None and (item is not None or len(self.labelled) > 1)
        self.graphics.viewport().setCursor(
            Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
        )
        self.show_tip(pos, global_pos, h)

    def show_tip(self, pos: Any, global_pos: QPoint, h: Hit | None = None) -> None:
        """Explain the item at scene point ``pos`` in a tooltip (or hide it, off the items);
        as the pointer reaches the item, and again while it rests there."""
        h = h or self._hit(pos)
        if h is None:
            QToolTip.hideText()
            return
        assert self.diagram is not None  # a hit is on a diagram
        row = self.diagram.rows[h.row]
        names: tuple[str, ...] = ()
        block = next((b for b in row.blocks if b.box.contains(pos.x(), pos.y(), 4)), None)
        if block is not None:
            names = block.names
        label = f"<b>{row.label}</b><br>" if len(self.diagram.rows) > 1 else ""
        QToolTip.showText(global_pos, label + tooltip(h, row.analysis, names), self.graphics)

    def click_at(self, pos: Any) -> None:
        h = self._hit(pos)
        if h is None:
            return
        if isinstance(h.item, Fold):
            self.toggle_fold(h.row, h.item.key)
            return
        assert self.diagram is not None  # a hit is on a diagram
        if len(self.diagram.rows) > 1:
            self.select_row(h.row)
            self.rowClicked.emit(h.row)
        if h.name:
            self.highlight([h.name], h.row, reveal=False)
            self.nodeClicked.emit(h.name)

    # --- export -----------------------------------------------------------------------------
    def export(self, path: str, scale: float = 2.0) -> None:
        """What is shown (folds as they are) as SVG or PNG at ``scale``, written atomically."""
        d = self.ensure_drawn()
        if d is None:
            raise ValueError("there is no diagram to save yet")
        title = " vs ".join(label for label, _ in self.labelled)
        write_diagram(d, path, scale, title)

    def export_name(self) -> Path:
        """Where the export is offered: named after the networks shown, in the folder the user
        last saved to (or the home folder)."""
        settings = self._settings()
        folder = window_settings.last_dir(settings) if settings else Path.home()
        return folder / f"{export_stem([label for label, _ in self.labelled], 'diagram')}.svg"

    def export_interactive(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export diagram", str(self.export_name()), "SVG (*.svg);;PNG (*.png)"
        )
        if not path:
            return
        if not Path(path).suffix:
            path += ".png" if "PNG" in chosen else ".svg"
        scale = 2.0
        if path.lower().endswith(".png"):
            scale, ok = QInputDialog.getDouble(
                self,
                "PNG scale",
                "Pixels per point (1 = as on screen, 3 for print):",
                2.0,
                0.25,
                8.0,
                2,
            )
            if not ok:
                return
        settings = self._settings()
        if settings:
            window_settings.remember_dir(settings, path)
        try:
            self.export(path, scale)
        except (OSError, ValueError, DiagramTooLarge) as e:
            text = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            self._say(f"Could not save {Path(path).name}: {text.rstrip('.')}.")
            return
        self._say(f"Exported {path}")

    def _settings(self) -> QSettings | None:
        """The window's settings, where it has them (a diagram alone has none)."""
        settings = getattr(self.window(), "settings", None)
        return settings if isinstance(settings, QSettings) else None

    def _say(self, text: str) -> None:
        win = self.window()
        if isinstance(win, QMainWindow):
            win.statusBar().showMessage(text, 8000)
