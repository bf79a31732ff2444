"""Small widgets every panel uses: wrapping rows, figure cards, spin boxes, the wheel guard."""
