"""``rs.show``, ``rs.compare``, ``rs.train`` and ``rs.runs`` as Python objects: the same numbers
as the CLI's, plain text for terminals, and a sentence for what they cannot take."""

from __future__ import annotations

import pytest

import resnet_studio as rs
from resnet_studio.core import ArchSpec, SpecError, analyze
from resnet_studio.core.compare import compare, measure_rows
from resnet_studio.core.format import summary_table
from resnet_studio.core.presets import preset_spec


def test_show_takes_a_name_a_spec_or_a_built_model_and_prints_the_clis_table() -> None:
    spec = ArchSpec.from_preset("resnet18", num_classes=10, input_size=64)
    by_spec = rs.show(spec)
    assert repr(by_spec) == summary_table(analyze(spec), depth="stages", title=by_spec.label)
    assert repr(rs.show("resnet50")).startswith("resnet50\n")
    model = rs.build_model(spec)
    assert rs.show(model).analysis.totals.params == sum(p.numel() for p in model.parameters())
    bundle = rs.show("resnet18")._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/svg+xml"}
    assert bundle["image/svg+xml"] in bundle["text/html"]  # the same picture, inline


def test_compare_table_is_the_compare_views_rows() -> None:
    c = rs.compare("resnet18", "resnet50")
    expected = measure_rows(
        compare([(n, analyze(preset_spec(n))) for n in ("resnet18", "resnet50")])
    )
    assert c.rows() == [[r.stage, r.measure, *r.texts, *r.against_first] for r in expected]
    text = repr(c).splitlines()
    assert text[0].split() == [
        "stage",
        "measure",
        "resnet18",
        "resnet50",
        "resnet50",
        "vs",
        "resnet18",
    ]
    assert len(text) == len(expected) + 1
    html = c._repr_html_()
    assert html.count('class="d"') >= sum(r.differs for r in expected)


def test_what_they_cannot_take_is_a_sentence() -> None:
    with pytest.raises(SpecError, match="no preset named 'resnet5O'; did you mean .*'resnet50'"):
        rs.show("resnet5O")
    with pytest.raises(TypeError, match="preset's name, an ArchSpec or a model"):
        rs.show(42)
    with pytest.raises(ValueError, match="two networks or more"):
        rs.compare("resnet18")
    with pytest.raises(TypeError, match="no option 'epoch'"):
        rs.train("resnet20", epoch=2)


def test_runs_of_an_empty_folder_says_so(tmp_path) -> None:
    table = rs.runs(tmp_path)
    assert len(table) == 0
    assert repr(table) == f"No runs yet in {tmp_path}."
