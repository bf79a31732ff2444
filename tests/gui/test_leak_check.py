"""The window fixture's leak check can fail: a window something still holds, and a stray
top-level widget, each fail their test with a sentence that names what is left."""

from pathlib import Path

pytest_plugins = ["pytester"]

LEAKY = """
from PySide6.QtWidgets import QLabel

KEPT = []


def test_a_clean_window_first(make_window):
    make_window()


def test_a_stray_top_level_widget(make_window):
    make_window()
    KEPT.append(QLabel("left behind"))  # held, so Python does not delete it
    KEPT[-1].show()


def test_a_clean_window(make_window):  # a widget left by an earlier test is not its leak
    make_window()


def test_a_window_held_by_a_module(make_window):  # last: what it holds stays for the rest
    KEPT.append(make_window())
"""


def test_the_fixture_fails_a_test_that_leaks(pytester, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # the inner run is a new process
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.makepyfile(test_leaky=LEAKY)
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-q", "--timeout=300"
    )
    result.assert_outcomes(passed=4, errors=2)
    out = result.stdout.str()
    assert "window(s) outlived the test, held by" in out
    assert "widgets left: 1" in out
