"""The Qt-free SVG of a diagram (notebooks) draws what the layout holds, in the window's colours,
as a well-formed document, without importing Qt."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

from resnet_studio.core import analyze
from resnet_studio.core.diagram import diagram
from resnet_studio.core.diagram_style import SHORTCUT_STYLES, TENSOR_COLOURS, tensor_kind
from resnet_studio.core.diagram_svg import diagram_svg_text
from resnet_studio.core.presets import preset_spec

SVG = "{http://www.w3.org/2000/svg}"


def _layout(*names: str):
    return diagram([(n, analyze(preset_spec(n))) for n in names])


def test_every_label_box_and_arc_of_the_layout_is_drawn() -> None:
    d = _layout("resnet18", "resnet50")
    root = ET.fromstring(diagram_svg_text(d, "resnet18 vs resnet50"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    labels = [x.text for x in d.headers + d.notes]
    for row in d.rows:
        labels += [x.text for x in row.labels] + [e.label.text for e in row.edges if e.label]
    for text in labels:
        assert text in texts, text
    assert float(root.get("width")) == round(d.width, 2)
    rects = {(float(r.get("x")), float(r.get("y"))) for r in root.iter(f"{SVG}rect")}
    for row in d.rows:
        for t in row.tensors:
            assert (round(t.box.x, 2), round(t.box.y, 2)) in rects, t.name
    arcs = [p for p in root.iter(f"{SVG}path") if p.get("fill") == "none" and "Q" in p.get("d")]
    assert len(arcs) == sum(len(row.blocks) for row in d.rows)


def test_colours_follow_the_kind_as_in_the_window() -> None:
    d = _layout("resnet50")
    svg = diagram_svg_text(d)
    kinds = {tensor_kind(t.kind, t.text) for t in d.rows[0].tensors}
    assert {"conv1", "conv3", "Linear"} <= kinds
    for k in kinds:
        assert TENSOR_COLOURS[k][0] in svg
    assert SHORTCUT_STYLES["conv_bn"][0] in svg  # resnet50's first blocks project


def test_no_qt_is_imported() -> None:
    code = (
        "import sys\n"
        "from resnet_studio.core import analyze\n"
        "from resnet_studio.core.diagram import diagram\n"
        "from resnet_studio.core.diagram_svg import diagram_svg_text\n"
        "from resnet_studio.core.presets import preset_spec\n"
        "diagram_svg_text(diagram([('r', analyze(preset_spec('resnet18')))]))\n"
        "print([m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'torch'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
