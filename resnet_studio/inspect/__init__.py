"""What a trained network sees and gets wrong (predictions, feature maps, Grad-CAM, confusion),
and what it costs when measured (profiler, learning-rate finder). Qt-free, like train/."""
