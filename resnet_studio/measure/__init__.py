"""Qt-free: what a spec costs when it runs (profiler, LR finder, trade-off).

Inspecting a trained run is inspect/."""
