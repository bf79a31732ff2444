"""The explorer, driven through its controls: every number equals the core's analysis."""

import json

import pytest
from PySide6.QtCore import QModelIndex, Qt

from resnet_studio import ArchSpec, analyze
from resnet_studio.core.format import human, shape_text
from resnet_studio.gui.explorer.tree_model import COLUMNS


def top_rows(window):
    model = window.explorer.model
    return {
        model.index(r, 0).data(): [model.index(r, c).data() for c in range(len(COLUMNS))]
        for r in range(model.rowCount())
    }


def assert_shows(window, spec, batch=1):
    a = analyze(spec, batch_size=batch, dtype=window.panel.dtype.currentText())
    rows = top_rows(window)
    assert list(rows) == [s.name for s in a.stages]
    for s in a.stages:
        row = rows[s.name]
        assert row[2] == shape_text(a.shape(s.out_shape))
        assert row[3] == (human(s.params) if s.params else "–")
        assert row[4] == (human(s.macs * batch) if s.macs else "–")
    strip = window.explorer.summary
    assert strip.params.value.text() == human(a.totals.params)
    assert f"{a.totals.params:,}" in strip.params.toolTip()
    assert strip.macs.value.text() == human(a.totals.macs)
    assert strip.network_depth.value.text() == str(spec.depth)
    assert strip.output.value.text() == shape_text(a.shape(a.root.out_shape))


@pytest.mark.parametrize(
    "name", ["resnet18", "resnet50", "resnet152", "resnet56", "resnext50_32x4d"]
)
def test_presets_show_the_analysis(make_window, name):
    w = make_window()
    w.panel.preset.setCurrentText(name)
    assert w.spec == ArchSpec.from_preset(name)
    assert_shows(w, w.spec)
    assert w.explorer.title.text() == name


def test_editing_controls_updates_the_tree_at_once(make_window, qtbot):
    w = make_window()
    w.panel.preset.setCurrentText("resnet50")
    w.panel.stages[2][1].setValue(10)  # layer3: 10 blocks
    w.panel.input_height.setValue(160)
    w.panel.input_width.setValue(128)
    w.panel.batch.setValue(4)
    spec = ArchSpec.from_preset("resnet50", layers=(3, 4, 10, 3), input_size=(160, 128))
    assert w.spec == spec
    assert_shows(w, spec, batch=4)
    assert w.explorer.title.text() == "resnet50 (edited)"
    assert "resnet50 (edited)" in w.panel.preset_note.text()
    # the repeated blocks of layer3 collapse into one row that expands on demand
    model = w.explorer.model
    layer3 = model.index(3, 0)
    labels = [model.index(r, 0, layer3).data() for r in range(model.rowCount(layer3))]
    assert labels == ["layer3.0", "layer3.1–9 ×9"]
    run = model.index(1, 0, layer3)
    assert model.rowCount(run) == 9
    a = analyze(spec, batch_size=4)
    block = next(r for r in a.rows if r.name == "layer3.1")
    assert model.index(1, 3, layer3).data() == human(block.params * 9)


def test_adding_a_stage_and_the_basic_block(make_window):
    w = make_window()
    w.panel.add_stage.click()
    assert w.spec.layers == (2, 2, 2, 2, 2) and w.spec.widths[-1] == 1024
    w.panel.block.setCurrentText("bottleneck")
    w.panel.stem.setCurrentText("cifar")
    w.panel.shortcut.setCurrentText("pad")
    assert_shows(w, ArchSpec(block="bottleneck", layers=(2,) * 5, stem="cifar", shortcut="pad"))
    w.panel.remove_stage.click()
    assert len(w.spec.layers) == 4


def test_invalid_input_marks_the_control_and_keeps_the_old_tree(make_window, qtbot):
    w = make_window()
    w.panel.preset.setCurrentText("resnext50_32x4d")
    good = w.spec
    w.panel.block.setCurrentText("basic")  # ResNeXt's 32 groups cannot be a basic block
    assert w.panel.groups.property("invalid") is True
    assert "basic block" in w.panel.message.text()
    assert "basic block" in w.statusBar().currentMessage()
    assert w.explorer.stale_banner.isVisibleTo(w)
    assert w.spec == good and w.explorer.model.analysis.spec == good
    assert_shows(w, good)
    w.panel.groups.setValue(1)
    w.panel.width_per_group.setValue(64)
    assert w.panel.groups.property("invalid") is False
    assert not w.explorer.stale_banner.isVisibleTo(w)
    assert w.panel.message.text() == ""


def test_the_model_is_built_live_and_checked(make_window, qtbot):
    w = make_window()
    w.panel.preset.setCurrentText("resnet20")
    qtbot.waitUntil(lambda: w.model is not None, timeout=20000)
    n = sum(p.numel() for p in w.model.parameters())
    assert n == analyze(w.spec).totals.params
    assert (
        "✔ built" in w.explorer.build_status.text() and f"{n:,}" in w.explorer.build_status.text()
    )


def test_a_newer_change_supersedes_a_build(make_window, qtbot):
    w = make_window()
    w.panel.preset.setCurrentText("resnet152")
    w.panel.preset.setCurrentText("resnet20")
    qtbot.waitUntil(lambda: w.model is not None, timeout=30000)
    assert (
        sum(p.numel() for p in w.model.parameters())
        == analyze(ArchSpec.from_preset("resnet20")).totals.params
    )


def test_filter_and_copy(make_window):
    w = make_window()
    w.explorer.filter.setText("downsample")
    shown = w.explorer.tree.model()
    assert shown is w.explorer.proxy
    found = []

    def walk(parent):
        for r in range(shown.rowCount(parent)):
            idx = shown.index(r, 0, parent)
            found.append(idx.data())
            walk(idx)

    walk(QModelIndex())
    matches = [f for f in found if "downsample" in f]
    assert "layer2.0.downsample.0" in matches
    # every row shown matches, or leads to a match (a stage or block above it)
    assert all(any(m.startswith(f.split("–")[0]) for m in matches) for f in found)
    assert "layer1" not in found and "stem" not in found  # no downsample there in resnet18
    w.explorer.filter.clear()
    tree = w.explorer.tree
    assert tree.model() is w.explorer.model
    tree.selectionModel().select(
        tree.model().index(3, 0),
        tree.selectionModel().SelectionFlag.Rows
        | tree.selectionModel().SelectionFlag.ClearAndSelect,
    )
    text = w.explorer.selected_text()
    assert text.splitlines()[0].split("\t") == list(COLUMNS)
    assert text.splitlines()[1].startswith("layer3\tSequential\t[1, 256, 14, 14]")
    assert w.explorer.plots.selected == "layer3"  # the pictures highlight the stage


def test_tooltips_give_kernel_stride_padding_groups(make_window):
    w = make_window()
    w.panel.preset.setCurrentText("resnext50_32x4d")
    model = w.explorer.model
    layer2 = model.index(2, 0)
    block = model.index(0, 0, layer2)  # layer2.0
    conv2 = next(
        model.index(r, 0, block)
        for r in range(model.rowCount(block))
        if model.index(r, 0, block).data() == "layer2.0.conv2"
    )
    tip = conv2.data(Qt.ItemDataRole.ToolTipRole)
    assert "kernel 3×3, stride 2, padding 1" in tip and "groups 32" in tip
    assert "[1, 256, 56, 56]" in tip and "[1, 256, 28, 28]" in tip


def test_python_code_builds_the_same_spec(make_window):
    from resnet_studio.core.export import python_code

    w = make_window()
    w.panel.preset.setCurrentText("resnet50")
    w.panel.num_classes.setValue(10)
    w.panel.add_stage.click()
    namespace = {}
    exec(
        python_code(w.spec, w.panel.base_preset).replace("model = build_model(spec)", ""), namespace
    )
    assert namespace["spec"] == w.spec


def test_settings_are_restored(make_window):
    first = make_window("shared.ini")
    first.panel.preset.setCurrentText("wide_resnet50_2")
    first.panel.num_classes.setValue(37)
    first.panel.batch.setValue(16)
    first.tabs.setCurrentIndex(1)
    first.compare.set_entries(["resnet34", "current"])
    first.resize(1433, 811)
    size, spec = first.size(), first.spec
    first.close()
    second = make_window("shared.ini")
    assert second.spec == spec and second.panel.batch.value() == 16
    assert second.tabs.currentIndex() == 1 and second.compare.entries == ["resnet34", "current"]
    assert second.size() == size and size.width() == 1433
    assert second.explorer.title.text() == "wide_resnet50_2 (edited)"


def test_unreadable_settings_fall_back_to_defaults(make_window, tmp_path):
    (tmp_path / "bad.ini").write_text("[General]\nspec=not json\ncompare=[[[\n")
    w = make_window("bad.ini")
    assert w.spec == ArchSpec.from_preset("resnet18")
    assert json.loads(w.spec.to_json())["block"] == "basic"


def test_f_fits_the_diagram_from_the_explorer_and_escape_clears_the_filter(make_window, qtbot):
    """F went into the layer filter (the tree showed only head/fc); Escape left the filter."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    w = make_window()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    w.tabs.setCurrentWidget(w.explorer)
    ex = w.explorer
    assert ex.filter.focusPolicy() == Qt.FocusPolicy.ClickFocus  # opening the tab: not there
    ex.tree.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ex.tree, timeout=2000)
    ex.diagram.zoom_by(1.5)
    assert ex.diagram.fit_mode is None
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F)
    assert ex.diagram.fit_mode == "whole" and ex.filter.text() == ""
    ex.filter.setFocus()  # typing into the filter: F is a letter there
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ex.filter, timeout=2000)
    ex.diagram.zoom_by(1.5)
    qtbot.keyClicks(ex.filter, "fc")
    assert ex.filter.text() == "fc" and ex.diagram.fit_mode is None
    qtbot.keyClick(ex.filter, Qt.Key.Key_Escape)
    assert ex.filter.text() == ""
    qtbot.keyClick(ex.filter, Qt.Key.Key_Escape)  # an empty filter hands the keys back
    assert QApplication.focusWidget() is ex.tree


def test_the_tree_makes_a_blocks_modules_when_it_is_expanded():
    """resnet1202's 600 blocks are 5 distinct ones: the tree reads the modules of those only,
    and of another block when that block is expanded."""
    from resnet_studio.core.analysis import clear_caches
    from resnet_studio.core.describe import describe
    from resnet_studio.gui.explorer.tree_model import build_items

    spec = ArchSpec.from_preset("resnet20", layers=(200, 200, 200))

    def unmade() -> int:
        stages = [c for c in describe(spec).children if c.name.startswith("layer")]
        return sum(b.make is not None for s in stages for b in s.children)

    clear_caches()
    root = build_items(analyze(spec))
    layer2 = next(it for it in root.children if it.label == "layer2")
    run = layer2.children[1]
    assert (run.label, run.repeat) == ("layer2.1–199 ×199", 199)
    blocks = run.children  # the run expanded: its 199 blocks
    assert [b.label for b in blocks[:2]] == ["layer2.1", "layer2.2"]
    assert unmade() == 600 - 5
    assert [c.label for c in blocks[5].children][:2] == ["layer2.6.conv1", "layer2.6.bn1"]
    assert unmade() == 600 - 6


def _shown(tree) -> list[tuple[int, str, bool]]:
    """The rows a tree shows: depth, name, expanded."""
    model, out = tree.model(), []

    def walk(parent, depth):
        for r in range(model.rowCount(parent)):
            idx = model.index(r, 0, parent)
            out.append((depth, idx.data(), tree.isExpanded(idx)))
            if tree.isExpanded(idx):
                walk(idx, depth + 1)

    walk(QModelIndex(), 0)
    return out


def test_an_edit_under_a_filter_shows_what_the_filter_shows_on_the_new_spec(make_window):
    """On a deep net, an edit with a filter typed froze the window for 20 s (each changed row
    filtered the tree again) and left the matches folded."""
    deep = ArchSpec.from_preset("resnet110", layers=(200, 200, 200))
    w = make_window()
    w.panel.set_spec(deep)
    w.explorer.filter.setText("LAYER2.57")  # any case
    before = _shown(w.explorer.tree)
    assert [name for _, name, _ in before] == [
        "layer2", "layer2.1–199 ×199", "layer2.57", "layer2.57.conv1", "layer2.57.bn1",
        "layer2.57.relu", "layer2.57.conv2", "layer2.57.bn2",
    ]  # fmt: skip
    w.panel.stages[1][1].setValue(150)
    fresh = make_window("fresh.ini")
    fresh.panel.set_spec(deep.replace(layers=(200, 150, 200)))
    fresh.explorer.filter.setText("layer2.57")
    assert _shown(w.explorer.tree) == _shown(fresh.explorer.tree)
    assert [name for _, name, _ in _shown(w.explorer.tree)][1] == "layer2.1–149 ×149"
    header = w.explorer.tree.header()  # the name column still takes the room (it lost it)
    assert header.sectionResizeMode(0) == header.ResizeMode.Stretch
    w.explorer.filter.setText("batchnorm2d")  # by type
    names = [name for _, name, _ in _shown(w.explorer.tree)]
    assert "stem" in names and "bn1" in names and "layer2.0.bn1" in names
