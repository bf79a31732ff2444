"""The to-scale diagram: its view, painter, tooltips and SVG/PNG export."""
