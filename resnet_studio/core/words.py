"""Words for numbers and names in sentences: plurals and "did you mean …". Imports nothing of
the package, so that spec, analysis, presets and the trainer can all use it."""

from __future__ import annotations

import difflib


def closest(word: str, choices: list[str] | tuple[str, ...], n: int = 3) -> str:
    """'did you mean …' text for a misspelt name, or the full list when nothing is close."""
    near = difflib.get_close_matches(str(word), list(choices), n=n, cutoff=0.5)
    if near:
        return "did you mean " + " or ".join(f"'{c}'" for c in near) + "?"
    return "choose one of " + ", ".join(f"'{c}'" for c in choices)


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 entry', '2 entries', '1,000 steps': the count with the right form of the noun."""
    if words is None:
        words = (
            word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"
        )
        hard_ch = word.endswith("och")  # epoch: a hard ch takes an s
        words = word + "es" if word.endswith(("s", "x", "ch", "sh")) and not hard_ch else words
    return f"{n:,} {word if n == 1 else words}"
