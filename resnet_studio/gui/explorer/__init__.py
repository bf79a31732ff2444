"""The Explorer tab: the spec panel, the layer tree and the summary strip."""
