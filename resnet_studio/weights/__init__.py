"""Pretrained weights: the catalogue (data the app keeps, listed without the network or torch),
where each file is cached, its verification, tensors-only loading into a preset, the weights'
own preprocessing and class names, and downloading or importing a file on request."""
