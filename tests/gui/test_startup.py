"""The window paints before torch has loaded: its modules import no torch, and the first
model build (which loads it) runs off the GUI thread."""

import subprocess
import sys


def test_the_gui_thread_paints_the_window_without_torch():
    code = (
        "import sys, tempfile\n"
        "from PySide6.QtCore import QSettings\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from resnet_studio.gui import workers\n"
        "from resnet_studio.gui.window.main_window import MainWindow\n"
        "app = QApplication([])\n"
        # background tasks never run: what is left is the GUI thread's own work
        "workers.Task.run = lambda self: None\n"
        "d = tempfile.mkdtemp()\n"
        "w = MainWindow(QSettings(d + '/s.ini', QSettings.Format.IniFormat))\n"
        "w.show(); app.processEvents(); w.grab()\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchvision'))\n"
        "print(heavy[:5]); sys.stdout.flush()\n"
        "import os; os._exit(1 if heavy else 0)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_device_list_arrives_with_torch(make_window, qtbot):
    import torch

    w = make_window()
    p = w.train.panel
    qtbot.waitUntil(lambda: p.device.count() > 1, timeout=60000)  # GPUs need torch
    ids = [p.device.itemData(i) for i in range(p.device.count())]
    assert ids[0] == "cpu" and ("cuda" in ids or "cuda:0" in ids)
    assert (p.device.currentData() == "cpu") == (not torch.cuda.is_available())
