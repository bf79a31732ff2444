"""The Inspect tab: a trained run's predictions, Grad-CAM, mistakes, and pretrained weights."""
