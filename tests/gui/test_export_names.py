"""Files are offered under names that say what is in them, in the folder last saved to."""

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from resnet_studio.core.presets import spec_label


def _offered(monkeypatch, answer: str = "") -> list[Path]:
    """The paths the save dialogs offer; each answers ``answer`` (cancel when empty)."""
    offered: list[Path] = []

    def dialog(parent, title, start, filters):
        offered.append(Path(start))
        return answer, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    return offered


def test_the_comparison_is_offered_under_the_names_it_compares(make_window, monkeypatch):
    w = make_window()
    w.compare.set_entries(["resnet18", "resnet50"])
    offered = _offered(monkeypatch)
    w.exports.export_compare("table")
    assert offered[-1].name == "resnet18-vs-resnet50.csv"


def test_the_diagram_is_named_after_the_spec_in_the_last_folder_saved_to(
    make_window, monkeypatch, tmp_path
):
    w = make_window()
    w.panel.preset.setCurrentText("resnet34")
    saved = tmp_path / "figures" / "resnet34.csv"
    saved.parent.mkdir()
    _offered(monkeypatch, str(saved))
    w.exports.export_analysis(".csv")  # the user saves something in figures/
    assert saved.exists()
    offered = _offered(monkeypatch)
    w.explorer.diagram.export_interactive()
    assert offered[-1] == saved.parent / "resnet34-diagram.svg"
    w.compare.set_entries(["resnet18", "resnet50"])
    w.compare.diagram.export_interactive()
    assert offered[-1] == saved.parent / "resnet18-vs-resnet50-diagram.svg"


def test_an_edited_spec_is_not_offered_under_its_presets_name(make_window, monkeypatch):
    w = make_window()
    w.panel.preset.setCurrentText("resnet18")
    w.panel.num_classes.setValue(10)
    label = spec_label(w.spec, "resnet18")
    assert label == "resnet18 (edited)"
    offered = _offered(monkeypatch)
    w.exports.export_analysis(".csv")
    assert offered[-1].name == "resnet18-edited.csv"  # not resnet18.csv, which it is not
