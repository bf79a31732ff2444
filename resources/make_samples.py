"""Draw ``samples/digit-N.png``: the ten digits as a pen would write them, white on black like
the bundled digits dataset, 32×32 grey, for the Inspect tab's "sample image" and the docs.

They are drawn from strokes below (no font, no dataset), so the script gives the same files
everywhere. Run it after editing the strokes, and commit the PNGs::

    .venv/bin/python resources/make_samples.py
"""

from __future__ import annotations

import io
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = 32
SCALE = 8  # drawn large, then shrunk: smooth edges


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 24):
    """Points on an ellipse from angle a0 to a1 (degrees, 0 = right, 90 = down)."""
    return [
        (
            cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / n)),
            cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / n)),
        )
        for i in range(n + 1)
    ]


# strokes on a 0…1 square, each a list of points the pen passes through
STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [_arc(0.5, 0.5, 0.26, 0.36, 0, 360, 40)],
    1: [[(0.36, 0.28), (0.54, 0.14), (0.54, 0.86)], [(0.38, 0.86), (0.7, 0.86)]],
    2: [_arc(0.5, 0.34, 0.24, 0.2, 200, 380) + [(0.27, 0.86), (0.76, 0.86)]],
    3: [_arc(0.48, 0.32, 0.22, 0.18, 210, 450), _arc(0.48, 0.67, 0.25, 0.2, 270, 510)],
    4: [[(0.62, 0.86), (0.62, 0.14), (0.24, 0.64), (0.8, 0.64)]],
    5: [[(0.74, 0.14), (0.32, 0.14), (0.29, 0.47)] + _arc(0.49, 0.64, 0.26, 0.22, 235, 480)],
    6: [
        [(0.68, 0.14), (0.44, 0.32)] + _arc(0.5, 0.64, 0.23, 0.22, 200, 560, 36),
    ],
    7: [[(0.26, 0.14), (0.76, 0.14), (0.44, 0.86)], [(0.38, 0.5), (0.66, 0.5)]],
    8: [_arc(0.5, 0.3, 0.19, 0.16, 0, 360), _arc(0.5, 0.66, 0.24, 0.2, 0, 360)],
    9: [_arc(0.5, 0.34, 0.22, 0.2, 0, 360) + [(0.7, 0.4), (0.56, 0.86)]],
}


def draw(digit: int) -> bytes:
    """One digit as PNG bytes."""
    from PIL import Image, ImageDraw, ImageFilter

    big = SIZE * SCALE
    image = Image.new("L", (big, big), 0)
    pen = ImageDraw.Draw(image)
    width = int(big * 0.15)
    for stroke in STROKES[digit]:
        points = [(x * big, y * big) for x, y in stroke]
        pen.line(points, fill=255, width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # round ends
            r = width / 2
            pen.ellipse((x - r, y - r, x + r, y + r), fill=255)
    small = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    small = small.filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    small.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def main() -> None:
    out = HERE / "samples"
    out.mkdir(exist_ok=True)
    for digit in STROKES:
        (out / f"digit-{digit}.png").write_bytes(draw(digit))
    print(f"wrote {len(STROKES)} digits into {out}")


if __name__ == "__main__":
    main()
