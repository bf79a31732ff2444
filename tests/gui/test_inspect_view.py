"""The Inspect tab on a trained digits run: opened from the Train tab, an image's prediction,
Grad-CAM and feature maps, the confusion matrix, its galleries and exports; the run's files
stay as they were."""

import hashlib

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.inspect.tiny import copy_run, trained_run


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    return trained_run(tmp_path_factory.mktemp("inspect-gui-runs"))


@pytest.fixture
def window(make_window, tmp_path, digits_run):
    copy_run(digits_run.parent, tmp_path / "runs")
    return make_window()


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _open(window, qtbot):
    """The run opened from its row in the Train tab, measured and its first image shown."""
    train = window.train
    run = train.runs[0]
    train.select(run)
    assert train.inspect_button.isEnabled()
    qtbot.mouseClick(train.inspect_button, Qt.MouseButton.LeftButton)
    v = window.inspect
    assert window.tabs.currentWidget() is v
    qtbot.waitUntil(lambda: v.evaluation is not None and v.image.result is not None, timeout=60000)
    qtbot.waitUntil(lambda: not v._images.busy and not v._galleries.busy, timeout=30000)
    return v, run


def _shown(v, qtbot, text):
    qtbot.waitUntil(
        lambda: v.image.result is not None and text in v.image.result.caption, timeout=30000
    )
    qtbot.waitUntil(lambda: not v._images.busy, timeout=30000)
    return v.image.result


def test_an_image_is_predicted_mapped_and_its_feature_maps_shown(window, qtbot):
    v, run = _open(window, qtbot)
    before = _hashes(run.dir)
    assert v.loaded.checkpoint == "best"
    assert v.evaluation.accuracy == v.loaded.recorded_accuracy
    assert "as the run recorded" in v.status.text()
    r = v.image.result
    assert r.caption.startswith("Validation image 0: a ")
    assert abs(sum(p for _, p in r.top) - 1) < 1e-9 and len(r.top) == 10
    assert r.cam.shape == (8, 8) and r.cam.max() == 1
    assert "layer3, the last stage" in r.note and "at layer3" in r.cam_caption
    assert not v.image.cam_view.pixmap().isNull()
    # the feature maps of layer1: all 16 channels, strongest first; one clicked shows large
    assert v.image.grid.count() == 16
    means = [float(v.image.grid.item(k).text().split("\n")[1]) for k in range(16)]
    assert means == sorted(means, reverse=True)
    v.image.grid.setCurrentRow(2)
    assert "channel" in v.image.channel_caption.text()
    assert not v.image.channel_view.pixmap().isNull()
    # another stage's feature maps and another layer's Grad-CAM, for another class
    im = v.image
    im.feature_layer.setCurrentIndex(im.feature_layer.findData("layer2"))
    im.cam_layer.setCurrentIndex(im.cam_layer.findData("layer2.0"))
    im.cam_class.setCurrentIndex(im.cam_class.findData(7))
    im.optionsChanged.emit()
    qtbot.waitUntil(lambda: "at layer2.0" in (v.image.result.cam_caption or ""), timeout=30000)
    assert v.image.result.cam_caption == "Grad-CAM of 7 at layer2.0"
    assert v.image.grid.count() == 32
    # the next validation image, and a shipped sample
    qtbot.mouseClick(im.next_button, Qt.MouseButton.LeftButton)
    label = v.val.classes[int(v.val.labels[1])]
    shown = _shown(v, qtbot, "Validation image 1")
    assert shown.caption.startswith(f"Validation image 1: a {label}")
    assert im.samples.isEnabled() and im.samples.count() == 10
    im.samples.activated.emit(3)
    assert _shown(v, qtbot, "digit-3.png").picture.shape == (8, 8)
    assert _hashes(run.dir) == before  # looking changed nothing


def test_the_matrix_opens_galleries_that_open_images_and_exports(window, qtbot, tmp_path):
    v, run = _open(window, qtbot)
    before = _hashes(run.dir)
    ev = v.evaluation
    m = v.mistakes
    v.pages.setCurrentWidget(m)
    qtbot.waitUntil(lambda: m.matrix.isVisible())
    # the highest losses come first
    assert [t.index for t in m.gallery.tiles] == ev.top_losses(len(m.gallery.tiles)).tolist()
    # a click on the most confused cell: its images, worst loss first
    true, predicted, _ = ev.most_confused(1)[0]
    t, p = ev.classes.index(true), ev.classes.index(predicted)
    qtbot.mouseClick(m.matrix, Qt.MouseButton.LeftButton, pos=m.matrix.cell_centre(t, p))
    want = ev.cell(t, p).tolist()
    qtbot.waitUntil(lambda: [x.index for x in m.gallery.tiles] == want, timeout=30000)
    assert all(tile.wrong for tile in m.gallery.tiles)
    assert f"predicted as {predicted}" in m.gallery_title.text()
    # a click on an image opens it in the inspector
    item = m.gallery.item(0)
    m.gallery.itemClicked.emit(item)
    assert v.pages.currentIndex() == 0  # the Image page
    assert _shown(v, qtbot, f"Validation image {want[0]}:").caption.startswith(
        f"Validation image {want[0]}: a {true}"
    )
    # per-class table and row-normalised matrix
    assert m.table.rowCount() == 10
    assert m.table.item(t, 2).text() == f"{100 * ev.per_class()[t].accuracy:.1f}%"
    m.mode.setCurrentIndex(1)
    assert m.matrix.normalised
    # exports: the matrix as CSV and PNG, the gallery as PNG
    v.export_matrix(str(tmp_path / "matrix.csv"))
    assert (tmp_path / "matrix.csv").read_text() == ev.csv(normalised=True)
    v.export_matrix(str(tmp_path / "matrix.png"))
    v.export_gallery(str(tmp_path / "gallery.png"))
    for name in ("matrix.png", "gallery.png"):
        image = QImage(str(tmp_path / name))
        assert not image.isNull() and image.width() > 100, name
    assert not list(tmp_path.glob(".*.tmp"))  # atomic: no temporary file left
    m.mode.setCurrentIndex(0)
    v.export_matrix(str(tmp_path / "counts.csv"))
    rows = (tmp_path / "counts.csv").read_text().splitlines()[1:]
    assert np.array_equal([[int(c) for c in r.split(",")[1:]] for r in rows], ev.confusion())
    assert _hashes(run.dir) == before


def test_a_file_that_is_no_image_is_a_message(window, qtbot, tmp_path):
    v, _ = _open(window, qtbot)
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    said = []
    v.message.connect(said.append)
    v.open_file(str(bad))
    qtbot.waitUntil(lambda: bool(said), timeout=30000)
    assert "cannot be read as an image" in said[0]


def test_the_tab_reads_the_newest_run_on_its_first_look(window, qtbot):
    """After a restart, opening the tab itself (not a run's row) shows the newest run measured;
    it used to list the run with no weights chosen and 'Choose a run that has saved weights.'"""
    v = window.inspect
    qtbot.waitUntil(lambda: v.run_box.count() > 0, timeout=30000)
    assert v.loaded is None  # nothing read while the tab is not looked at
    window.tabs.setCurrentWidget(v)
    qtbot.waitUntil(lambda: v.evaluation is not None, timeout=60000)
    qtbot.waitUntil(lambda: not v._images.busy and not v._galleries.busy, timeout=30000)
    assert v.checkpoint_box.count() > 0
    assert str(v.loaded.dir) == v.run_box.currentData()


def test_the_chosen_feature_map_and_the_grad_cam_controls_stay_put(window, qtbot, tmp_path):
    """Another Grad-CAM layer keeps the feature map the user chose (it was cleared); another
    image, with a longer caption, moves no control and cuts no caption."""
    v, _ = _open(window, qtbot)
    im = v.image
    im.grid.setCurrentRow(2)
    chosen = im.channel
    assert f"channel {chosen}:" in im.channel_caption.text()
    controls = [im.cam_layer.mapTo(window, im.cam_layer.rect().topLeft())]
    im.cam_layer.setCurrentIndex(im.cam_layer.findData("layer2.0"))
    im.optionsChanged.emit()
    qtbot.waitUntil(lambda: "at layer2.0" in (im.result.cam_caption or ""), timeout=30000)
    qtbot.waitUntil(lambda: not v._images.busy, timeout=30000)
    assert im.channel == chosen
    assert f"channel {chosen}:" in im.channel_caption.text()
    assert im.grid.currentItem().data(Qt.ItemDataRole.UserRole) == chosen
    assert not im.channel_view.pixmap().isNull()
    # a file with a long name: a long caption under the input
    long = tmp_path / ("a-digit-photographed-on-a-rainy-afternoon-" * 2 + ".png")
    image = QImage(8, 8, QImage.Format.Format_Grayscale8)
    image.fill(128)
    assert image.save(str(long))
    v.open_file(str(long))
    _shown(v, qtbot, long.name)
    QApplication.processEvents()
    controls.append(im.cam_layer.mapTo(window, im.cam_layer.rect().topLeft()))
    assert controls[1] == controls[0]
    for caption in (im.input_caption, im.channel_caption, im.cam_caption):
        fm = caption.fontMetrics()
        needed = fm.boundingRect(caption.contentsRect(), Qt.TextFlag.TextWordWrap, caption.text())
        assert needed.height() <= caption.contentsRect().height(), caption.text()
