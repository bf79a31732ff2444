"""The test session works in a home of its own: the user's runs, settings and datasets are
never read or written by the tests."""

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings

from resnet_studio.train.data import default_data_dir
from resnet_studio.train.records import default_runs_dir


def test_the_app_folders_are_the_sessions_own():
    tmp = Path(tempfile.gettempdir()).resolve()
    for folder in (default_runs_dir(), default_data_dir()):
        assert tmp in folder.resolve().parents, folder
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        assert tmp in Path(os.environ[name]).resolve().parents


def test_default_qsettings_are_the_sessions_own(qapp):
    settings = QSettings("ResNet Studio", "ResNet Studio")
    tmp = Path(tempfile.gettempdir()).resolve()
    assert tmp in Path(settings.fileName()).resolve().parents, settings.fileName()
