"""Measured rows of the compare table: from the profile cache, one device for all networks."""

from resnet_studio import ArchSpec
from resnet_studio.measure.profile_cache import ProfileCache
from resnet_studio.measure.profile_compare import measured_rows, profiles_for
from resnet_studio.measure.profile_result import Profile

A = ArchSpec.from_preset("resnet18", input_size=32)
B = ArchSpec.from_preset("resnet34", input_size=32)
C = ArchSpec.from_preset("resnet50", input_size=32)


def _profile(spec, device, inference, train, peak, estimate=1000):
    return Profile(
        spec=spec.to_dict(),
        device=device,
        device_name=f"{device} (test)",
        batch_size=8,
        dtype="fp32",
        channels_last=False,
        repeats=3,
        inference_ms=8000 / inference,
        train_step_ms=8000 / train,
        forward_ms=1.0,
        inference_img_s=inference,
        train_img_s=train,
        peak_memory_bytes=peak,
        estimated_memory_bytes=estimate,
        memory_method="test",
        stages=(),
    )


def test_one_device_for_every_network(tmp_path):
    cache = ProfileCache(tmp_path / "p.json")
    assert profiles_for([A, B], cache) == [None, None]
    cache.put(_profile(A, "cpu", 400.0, 100.0, 2_000_000))
    cache.put(_profile(B, "cuda:0", 9000.0, 3000.0, 5_000_000))  # not comparable with A's
    cache.put(_profile(B, "cpu", 200.0, 50.0, 3_000_000))
    a, b, c = profiles_for([A, B, C], cache)
    assert (a.device, b.device, c) == ("cpu", "cpu", None)
    rows = {r.measure: r for r in measured_rows([a, b, c])}
    assert rows["inference img/s"].texts == ("400", "200", "")
    assert rows["inference img/s"].against_first == ("×0.50", "")
    assert rows["training img/s"].texts == ("100", "50", "")
    assert rows["peak memory"].texts == ("2.0 MB", "3.0 MB", "")
    assert rows["peak memory"].against_first == ("×1.50", "")
    assert rows["memory ÷ estimate"].texts == ("2000.00", "3000.00", "")
    assert "measured on cpu (test) (cpu), batch 8, fp32" in rows["training img/s"].exact[0]
    assert all(r.stage == "measured" for r in rows.values())


def test_no_rows_without_profiles():
    assert measured_rows([None, None]) == []
