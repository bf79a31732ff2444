"""The spec document: one validation per edit, every wrong field, events held weakly, one name
for a spec, and compare rows that decide on values."""

import gc

from resnet_studio import ArchSpec, SpecError, analyze
from resnet_studio.core.compare import compare, measure_rows
from resnet_studio.core.document import Event, SpecDocument, validate
from resnet_studio.core.export import comparison_csv, comparison_markdown
from resnet_studio.core.format import human
from resnet_studio.core.presets import spec_label


class Listener:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def changed(self, doc: SpecDocument) -> None:
        self.seen.append(doc.label)


def test_every_wrong_field_is_reported():
    fields = ArchSpec.from_preset("resnet18").to_dict()
    fields.update(layers=(2, 0, 2, 2), num_classes=0)
    errors = validate(fields)
    assert isinstance(errors, list)
    assert [(e.field, e.index) for e in errors] == [("layers", 1), ("num_classes", None)]
    assert str(errors[0]).startswith("layers[1] is 0")  # the code's words, as the CLI says
    assert str(errors[0].spoken("layer2 blocks")).startswith("layer2 blocks is 0")
    assert str(errors[1].spoken("Classes")).startswith("Classes is 0")
    # a suggested value is accepted when applied
    fields.update(layers=(2, errors[0].nearest, 2, 2), num_classes=errors[1].nearest)
    assert isinstance(validate(fields), ArchSpec)


def test_a_wrong_input_side_and_batch_are_errors_too():
    fields = ArchSpec().to_dict()
    fields["input_size"] = (224, 0)
    errors = validate(fields, batch_size=0)
    assert [(e.field, e.index) for e in errors] == [("batch_size", None), ("input_size", 1)]


def test_the_document_validates_and_analyses_once_and_tells_its_listeners():
    doc = SpecDocument()
    listener = Listener()
    doc.changed.connect(listener.changed)
    bad: list[list[SpecError]] = []
    doc.invalid.connect(lambda d: bad.append(list(d.errors)))
    fields = ArchSpec.from_preset("resnet50").to_dict()
    doc.load_preset("resnet50")
    assert listener.seen == ["resnet50"] and doc.analysis.spec == doc.spec
    doc.set_fields({**fields, "layers": (3, 4, 7, 3)})
    assert listener.seen[-1] == "resnet50 (edited)"  # the base preset is a field, not a label
    assert doc.base_preset == "resnet50"
    doc.set_fields({**fields, "layers": (3, 4, 7, 3)})  # the same again: nothing to tell
    assert len(listener.seen) == 2
    last = doc.spec
    doc.set_fields({**fields, "layers": (3, 0, 7, 3), "in_channels": 0})
    assert [e.field for e in bad[-1]] == ["layers", "in_channels"]
    assert doc.spec == last and not doc.valid  # the last valid spec stays
    doc.set_memory(batch_size=8)
    assert doc.analysis.batch_size == 8 and doc.valid
    assert doc.analysis.totals.macs == analyze(doc.spec, 8).totals.macs


def test_bound_methods_are_held_weakly():
    event, listener = Event(), Listener()
    event.connect(listener.changed)
    assert len(event) == 1
    del listener
    gc.collect()
    assert len(event) == 0
    event.emit(SpecDocument())  # nothing left to call, and no error


def test_one_spec_has_one_name():
    edited = ArchSpec.from_preset("resnet110", num_classes=100)
    assert spec_label(edited, "resnet110") == "resnet110 (edited)"
    assert spec_label(ArchSpec.from_preset("resnet110")) == "resnet110"
    doc = SpecDocument()
    doc.set_spec(edited, "resnet110")
    assert doc.label == spec_label(edited, "resnet110")


def test_compare_rows_differ_by_value_not_by_text():
    a = analyze(ArchSpec.from_preset("resnet50"))
    b = analyze(ArchSpec.from_preset("resnet50", num_classes=1001))
    c = compare([("resnet50", a), ("resnet50 (edited)", b)])
    rows = {(r.stage, r.measure): r for r in measure_rows(c)}
    head = rows[("head", "params")]
    head_a, head_b = a.stages[-1].params, b.stages[-1].params
    assert head.values == (head_a, head_b) and head_a != head_b
    assert head.texts == (human(head_a), human(head_b)) and human(head_a) == human(head_b)
    assert head.differs  # "2.05 M" on both sides, and yet not the same
    assert head.against_first[0] != "same" and head.against_first[0] != "×1.00"
    assert not rows[("stem", "params")].differs
    assert rows[("head", "output shape")].against_first == ("C ×1.0010",)  # never "×1"


def test_a_small_ratio_is_not_written_as_zero():
    from resnet_studio.core.compare import ratio_text

    assert ratio_text(650, 513_000) == "×0.0013"  # a 10-class head against a 1000-class one
    assert ratio_text(0, 513_000) == "×0"  # zero is zero
    assert ratio_text(6_000, 513_000) == "×0.01"
    assert ratio_text(2_051_049, 2_049_000) == "×1.0010"
    assert ratio_text(4, 1) == "×4.00" and ratio_text(3, 3) == "same"


def test_the_exported_table_is_the_rows_shown(tmp_path):
    a18, a50 = analyze(ArchSpec.from_preset("resnet18")), analyze(ArchSpec.from_preset("resnet50"))
    c = compare([("resnet18", a18), ("resnet50", a50)])
    rows = measure_rows(c)
    text = comparison_csv(c.labels, rows)
    lines = text.splitlines()
    assert lines[0] == "stage,measure,resnet18,resnet50,resnet50 vs resnet18"
    assert len(lines) == 1 + len(rows)
    assert f"total,params,{a18.totals.params},{a50.totals.params}," in text
    md = comparison_markdown(c.labels, rows)
    assert md.count("\n") == 2 + len(rows)
