"""The diagram in the window: a click selects the tree's row and a tree selection highlights the
diagram; ×N unfolds; it follows the spec live; the comparison lines stages up; the exports
(window and command line) are real SVG text and PNG."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QImage

from resnet_studio import ArchSpec, analyze
from resnet_studio.core.diagram_items import Fold, hit, matching, shape_text

SVG = "{http://www.w3.org/2000/svg}"


def click(qtbot, view, x, y):
    """Click the diagram at scene point (x, y), after scrolling it into view."""
    view.graphics.ensureVisible(x - 2, y - 2, 4, 4, 20, 20)
    pos = view.graphics.mapFromScene(QPointF(x, y))
    qtbot.mouseClick(view.graphics.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def centre(box):
    return box.cx, box.y + box.h / 2


def svg_texts(data: bytes) -> set[str]:
    root = ET.fromstring(data)
    return {(t.text or "").strip() for t in root.iter(f"{SVG}text")}


def test_a_click_in_the_diagram_selects_the_tree_row_and_back(make_window, qtbot):
    w = make_window()
    w.panel.preset.setCurrentText("resnet50")
    view, tree = w.explorer.diagram, w.explorer.tree
    assert w.explorer.pictures.currentWidget() is view
    row = view.diagram.rows[0]
    conv = next(t for t in row.tensors if t.name == "layer2.0.conv2")
    click(qtbot, view, *centre(conv.box))
    assert tree.currentIndex().data() == "layer2.0.conv2"
    assert tree.selectionModel().isSelected(tree.currentIndex())
    assert view.selected_items == [conv]
    # a layer of a folded block: its row in the tree, under the collapsed run
    folded = next(t for t in row.tensors if t.name == "layer3.1.conv3")
    click(qtbot, view, *centre(folded.box))
    assert tree.currentIndex().data() == "layer3.1.conv3"
    assert tree.currentIndex().parent().parent().data() == "layer3.1–5 ×5"
    # the stage's caption selects the stage
    caption = next(x for x in row.labels if x.name == "layer4")
    click(qtbot, view, *centre(caption.box))
    assert tree.currentIndex().data() == "layer4"

    # and back: a tree selection highlights what draws it
    model = w.explorer.model
    flags = tree.selectionModel().SelectionFlag
    layer3 = model.index(3, 0)
    tree.selectionModel().select(layer3, flags.ClearAndSelect | flags.Rows)
    expected = matching(view.diagram.rows[0], ["layer3"])
    assert view.selected_items == expected and {i.section for i in expected} == {"layer3"}
    tree.expand(layer3)
    run = model.index(1, 0, layer3)  # "layer3.1–5 ×5": every block of it is drawn once
    tree.selectionModel().select(run, flags.ClearAndSelect | flags.Rows)
    drawn = next(b for b in view.diagram.rows[0].blocks if b.name == "layer3.1")
    assert set(map(id, view.selected_items)) >= set(map(id, [*drawn.tensors, drawn.join]))


def test_a_click_on_the_badge_unfolds_and_the_bracket_folds(make_window, qtbot):
    w = make_window()
    w.panel.preset.setCurrentText("resnet152")
    view = w.explorer.diagram
    before = len(view.diagram.rows[0].blocks)
    badge = next(f for f in view.diagram.rows[0].folds if f.key == "layer3.1")
    click(qtbot, view, *centre(badge.box))
    blocks = [b for b in view.diagram.rows[0].blocks if b.section == "layer3"]
    assert len(view.diagram.rows[0].blocks) == before + badge.count - 1
    assert [b.name for b in blocks] == [f"layer3.{i}" for i in range(36)]
    bracket = next(f for f in view.diagram.rows[0].folds if not f.folded)
    click(qtbot, view, *centre(bracket.box))
    assert len(view.diagram.rows[0].blocks) == before
    view.unfold.setChecked(True)
    assert len(view.diagram.rows[0].blocks) == sum(w.spec.layers)


def test_the_diagram_follows_the_spec_live(make_window):
    w = make_window()
    w.panel.preset.setCurrentText("resnet50")
    w.panel.stages[2][1].setValue(10)  # layer3: 10 blocks
    row = w.explorer.diagram.diagram.rows[0]
    assert row.analysis.spec == w.spec
    fold = next(f for f in row.folds if f.section == "layer3")
    assert fold.count == 9
    w.panel.stem.setCurrentText("cifar")
    w.panel.input_height.setValue(32)
    w.panel.input_width.setValue(32)
    row = w.explorer.diagram.diagram.rows[0]
    assert [t.kind for t in row.tensors if t.section == "stem"] == ["input", "Conv2d"]
    assert row.edges[-1].shape == analyze(w.spec).root.out_shape


def test_zoom_fit_and_keys(make_window, qtbot):
    w = make_window()
    view = w.explorer.diagram
    view.fit()
    d, port = view.diagram, view.graphics.viewport().size()
    assert view.zoom * d.width <= port.width() and view.zoom * d.height <= port.height()
    z = view.zoom
    qtbot.keyClick(view.graphics, Qt.Key.Key_Plus)
    assert view.zoom == pytest.approx(z * 1.25) and view.fit_mode is None
    qtbot.keyClick(view.graphics, Qt.Key.Key_1)
    assert view.zoom == pytest.approx(1.0)
    qtbot.keyClick(view.graphics, Qt.Key.Key_F)
    assert view.zoom == pytest.approx(z)


def test_hover_explains_with_the_analysis_numbers(make_window):
    from resnet_studio.gui.diagram.diagram_tips import tooltip

    w = make_window()
    w.panel.preset.setCurrentText("resnext50_32x4d")
    a = analyze(w.spec)
    row = w.explorer.diagram.diagram.rows[0]
    conv = next(t for t in row.tensors if t.name == "layer2.0.conv2")
    h = hit(w.explorer.diagram.diagram, *centre(conv.box))
    text = tooltip(h, a)
    params = sum(a.by_name[n].params for n in conv.parts)
    assert f"{params:,}" in text and "groups 32" in text and "stride 2" in text
    assert "[1, 256, 56, 56] → [1, 256, 28, 28]" in text
    arc = next(b.shortcut for b in row.blocks if b.name == "layer2.0")
    assert "1×1 conv + BN" in tooltip(hit(w.explorer.diagram.diagram, *centre(arc.op)), a)


def test_the_comparison_aligns_stages_and_names_an_edited_preset(make_window, qtbot):
    w = make_window()
    w.tabs.setCurrentIndex(1)
    w.panel.preset.setCurrentText("resnet50")
    w.panel.num_classes.setValue(10)
    cv = w.compare
    cv.set_entries(["resnet18", "resnet50", "current"])
    d = cv.diagram.ensure_drawn()
    assert [r.label for r in d.rows] == ["resnet18", "resnet50", "resnet50 (edited)"]
    for c in d.columns:  # each stage starts at the same x in every row
        starts = {min(t.box.x for t in r.tensors if t.section == c.name) for r in d.rows}
        assert len(starts) == 1
    # the table turned: a row per measure, a column per network and one against the first
    a18, a50 = (analyze(ArchSpec.from_preset(n)) for n in ("resnet18", "resnet50"))
    assert cv.cell("layer3", "output shape", "resnet50").text() == shape_text(
        a50.stages[3].out_shape
    )
    assert cv.cell("layer3", "channels", "resnet50", against_first=True).text() == "×4.00"
    assert cv.cell("layer3", "blocks", "resnet50", against_first=True).text() == "+4"
    assert cv.cell("total", "depth", "resnet50").text() == "50"
    header = cv.table.horizontalHeader()  # columns as wide as their text: none is cut
    assert all(header.sectionSize(k) >= header.sectionSizeHint(k) for k in range(header.count()))
    if header.length() > cv.table.viewport().width() + 1:  # a narrow pane scrolls sideways
        qtbot.waitUntil(lambda: cv.table.horizontalScrollBar().maximum() > 0, timeout=3000)
    # Remove works on the selected network: its column, or its row of the diagram
    resnet50_row = d.rows[1]
    click(qtbot, cv.diagram, resnet50_row.box.x + 20, resnet50_row.box.y + 10)
    assert cv.selected_network() == 1 and cv.remove.isEnabled()
    cv.remove.click()
    assert cv.entries == ["resnet18", "current"]
    cv.table.selectColumn(cv.columns.index(0))
    cv.remove.click()
    assert cv.entries == ["current"] and cv.comparison.labels == ("resnet50 (edited)",)


def test_diagram_exports_svg_text_and_png(make_window, tmp_path):
    w = make_window()
    w.panel.preset.setCurrentText("resnet50")
    view = w.explorer.diagram
    view.export(str(tmp_path / "d.svg"))
    texts = svg_texts((tmp_path / "d.svg").read_bytes())  # parses, and its text is text
    a = analyze(w.spec)
    for s in a.stages:
        assert shape_text(s.out_shape) in texts, s.name
    assert {"3×3, 128, /2", "×5"} <= texts
    view.export(str(tmp_path / "d.png"), scale=1.5)
    image = QImage(str(tmp_path / "d.png"))
    assert image.width() == round(view.diagram.width * 1.5)
    with pytest.raises(ValueError, match="svg or .png"):
        view.export(str(tmp_path / "d.pdf"))
    # the comparison, from the window's Export menu's function
    w.compare.set_entries(["resnet18", "resnet50"])
    w.compare.diagram.export(str(tmp_path / "c.svg"))
    texts = svg_texts((tmp_path / "c.svg").read_bytes())
    assert {"resnet18", "resnet50", "1024×14×14", "256×14×14"} <= texts


def test_the_diagram_folds_are_what_the_export_shows(make_window, tmp_path):
    w = make_window()
    w.panel.preset.setCurrentText("resnet34")
    view = w.explorer.diagram
    fold = next(f for f in view.diagram.rows[0].folds if isinstance(f, Fold) and f.folded)
    view.toggle_fold(fold.row, fold.key)
    view.export(str(tmp_path / "d.svg"))
    texts = svg_texts((tmp_path / "d.svg").read_bytes())
    folded = [f for f in view.diagram.rows[0].folds if f.folded]
    assert {f"×{f.count}" for f in folded} | {"×N"} == {t for t in texts if t.startswith("×")}
    assert fold.key not in {f.key for f in folded}
    assert any(t.startswith(f"{fold.key}–") and "click to fold" in t for t in texts)


def run_cli(*args, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['resnet-studio', *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('resnet_studio.cli', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    code = e.code\n"
        "print('TORCH', 'torch' in sys.modules, file=sys.stderr)\n"
        "sys.exit(code)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )


def test_the_diagram_command(tmp_path):
    r = run_cli(
        "diagram",
        "--preset",
        "resnet18",
        "--compare",
        "resnet50",
        "--out",
        "c.svg",
        tmp_path=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "TORCH False" in r.stderr  # drawing is arithmetic and Qt: no torch
    texts = svg_texts((tmp_path / "c.svg").read_bytes())
    for name in ("resnet18", "resnet50"):
        a = analyze(ArchSpec.from_preset(name))
        assert name in texts
        assert {shape_text(s.out_shape) for s in a.stages} <= texts
    r = run_cli(
        "diagram",
        "--preset",
        "resnet20",
        "--layers",
        "200,200,200",
        "--expand",
        "--scale",
        "0.2",
        "--out",
        "big.png",
        tmp_path=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert QImage(str(tmp_path / "big.png")).width() > 10000
    for args in (
        ["--out", "x.pdf"],
        ["--compare", "resnet5", "--out", "x.svg"],
        ["--out", "missing/x.svg"],
        ["--expand", "--layers", "200,200,200", "--out", "x.png"],
    ):
        r = run_cli("diagram", *args, tmp_path=tmp_path)
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert len(lines) == 2 and lines[0].startswith("resnet-studio: error:"), r.stderr


def test_the_export_menu_asks_for_a_file_and_a_scale(make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    w = make_window()
    asked = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "fig"), "PNG (*.png)")
    )
    monkeypatch.setattr(
        QInputDialog, "getDouble", lambda *a, **k: asked.append(a[2:4]) or (3.0, True)
    )
    action = next(a for a in w.findChildren(QAction) if a.text() == "Diagram as SVG or PNG…")
    action.trigger()
    image = QImage(str(tmp_path / "fig.png"))  # the suffix the chosen filter names
    assert asked and image.width() == round(w.explorer.diagram.diagram.width * 3)
    assert "Exported" in w.statusBar().currentMessage()
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "no" / "x.svg"), "")
    )
    action.trigger()
    message = w.statusBar().currentMessage()
    assert message.startswith("Could not save x.svg:") and message.endswith(".")


def test_the_readable_fit_leaves_room_for_the_scroll_bar_it_makes(qtbot):
    """Fitted to the height, a wide diagram gets a horizontal scroll bar; the fit must leave room
    for it, or the bar shrinks the view, which refits smaller, hiding the bar, which refits
    larger... (the window hung with the diagram's pane at some heights)."""
    from resnet_studio.gui.diagram.diagram_view import DiagramView

    view = DiagramView()
    qtbot.addWidget(view)
    view.show_networks([("resnet50", analyze(ArchSpec.from_preset("resnet50")))])
    view.show()
    d = view.ensure_drawn()
    bar = view.graphics.horizontalScrollBar().sizeHint().height()
    for height in range(90, 400, 5):
        view.graphics.resize(700, height)
        view.fit("readable")
        port = view.graphics.maximumViewportSize()
        wide = d.width * view.zoom > port.width() - 4 + 0.5
        drawn_height = d.height * view.zoom + (bar if wide else 0)
        assert drawn_height <= port.height() - 4 + 0.5, height


def test_a_diagram_tooltip_stays_while_the_mouse_rests(make_window, qtbot):
    """Qt asks the view for a tooltip once the mouse rests (a ToolTip help event); the answer
    must be the diagram's own, not the empty one of its scene that hid it a second later."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    w = make_window()
    view = w.explorer.diagram
    row = view.diagram.rows[0]
    conv = next(t for t in row.tensors if t.name == "layer1.0.conv1")
    view.graphics.ensureVisible(conv.box.x, conv.box.y, conv.box.w, conv.box.h, 20, 20)
    at = view.graphics.mapFromScene(QPointF(*centre(conv.box)))
    port = view.graphics.viewport()
    qtbot.mouseMove(port, at)
    qtbot.waitUntil(QToolTip.isVisible)
    shown = QToolTip.text()
    assert "layer1.0.conv1" in shown
    rest = QHelpEvent(QEvent.Type.ToolTip, at, port.mapToGlobal(at))
    QApplication.sendEvent(port, rest)
    with pytest.raises(qtbot.TimeoutError):  # an empty answer hid it within 0.3 s
        qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=1000)
    assert QToolTip.text() == shown
    QToolTip.hideText()
    QApplication.sendEvent(port, QHelpEvent(QEvent.Type.ToolTip, at, port.mapToGlobal(at)))
    assert QToolTip.isVisible() and QToolTip.text() == shown  # resting brings it back
    QToolTip.hideText()


@pytest.mark.parametrize("names", [("resnet18",), ("seresnext50_32x4d",), ("resnet18", "resnet50")])
def test_the_painter_draws_what_it_drew_an_arrow_at_a_time(qapp, monkeypatch, names):
    """The main path's arrows are painted in two calls per row, and a box's text placement is
    remembered: pixel for pixel what painting each arrow alone and placing each text anew
    drew."""
    from PySide6.QtGui import QPainter

    from resnet_studio.core.diagram import diagram
    from resnet_studio.gui.diagram import diagram_paint as dp

    d = diagram([(n, analyze(ArchSpec.from_preset(n))) for n in names])

    def render() -> QImage:
        img = QImage(int(d.width), int(d.height), QImage.Format.Format_ARGB32)
        p = QPainter(img)
        dp.paint_diagram(p, d)
        p.end()
        return img

    dp._PLACED.clear()
    batched, remembered = render(), render()  # the second places the texts from memory

    def one_at_a_time(p, edges):  # noqa: ANN001, ANN202 (the painter before)
        for e in edges:
            p.setPen(dp._pen(dp.GREY, 1.1))
            p.drawLine(QPointF(e.x0, e.y), QPointF(e.x1 - 3, e.y))
            dp._arrow(p, QPointF(e.x1, e.y), 0)

    monkeypatch.setattr(dp, "_edges", one_at_a_time)
    dp._PLACED.clear()
    alone = render()
    assert batched == alone
    assert remembered == alone
