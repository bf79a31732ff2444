"""Numbers in words: units that fit any size, and plurals that agree with their count."""

import pytest

from resnet_studio.core.format import human
from resnet_studio.core.words import plural


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0"),
        (999, "999"),
        (1000, "1.00 K"),
        (11_689_512, "11.7 M"),
        (999_500, "1.00 M"),  # rounds up into the next unit, not "1000 K"
        (1_814_083_944, "1.81 G"),
        (155_237_298 * 10**12, "155 E"),  # not "155237298 T"
        (2 * 10**24, "2.00e+24"),
        (-2 * 10**9, "-2.00 G"),
    ],
)
def test_human_units(n, text):
    assert human(n) == text


def test_human_prints_three_significant_digits_and_a_unit():
    for exponent in range(3, 20):  # up to 999 E; beyond it, powers of ten
        for mantissa in (1, 2.5, 9.99, 9.9996):
            number, _, unit = human(mantissa * 10**exponent).partition(" ")
            assert unit and len(number.replace(".", "").lstrip("-")) == 3, (mantissa, exponent)


@pytest.mark.parametrize(
    "n, word, text",
    [
        (1, "entry", "1 entry"),
        (2, "entry", "2 entries"),
        (1, "step", "1 step"),
        (1000, "step", "1,000 steps"),
        (0, "class", "0 classes"),
        (3, "day", "3 days"),
        (2, "epoch", "2 epochs"),  # a hard ch
        (2, "batch", "2 batches"),
    ],
)
def test_plural(n, word, text):
    assert plural(n, word) == text
