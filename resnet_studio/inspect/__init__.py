"""What a trained network sees and gets wrong: predictions, feature maps, Grad-CAM, confusion,
and pretrained weights on a photo. Qt-free, like train/. What a spec costs is measure/."""
