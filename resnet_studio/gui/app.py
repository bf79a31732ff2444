"""Start the window: a clear sentence instead of a Qt abort, then the app's identity and icon.

Before Qt is imported, :mod:`.platform_check` says why its platform plugin would abort here
(no display, missing xcb libraries, an X display that does not answer). The QApplication then
gets the name the desktop knows it by (``resnet-studio``: WM_CLASS on X11, the app id on
Wayland, matching ``resnet-studio.desktop``) and its icon.
"""

from __future__ import annotations

import sys


def display_problem() -> str | None:
    """Why Qt could not open a window here for want of a display, or None."""
    from resnet_studio.gui.platform_check import no_display_problem

    return no_display_problem()


def run_app(argv: list[str] | None = None) -> int:
    """Open the main window and run until it closes; 1 with one sentence if Qt cannot start."""
    from resnet_studio.gui.platform_check import launch_problem

    problem = launch_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from resnet_studio import desktop
    from resnet_studio.gui import heap
    from resnet_studio.gui.window.main_window import MainWindow

    # Qt's xcb names the X11 WM_CLASS instance after argv[0] and its class after the
    # application name: both "resnet-studio", as the .desktop entry's StartupWMClass says.
    args = [desktop.APP_ID, *(argv or [])[1:]]
    app = QApplication.instance() or QApplication(args)
    assert isinstance(app, QApplication)  # not a QCoreApplication: the window needs widgets
    app.setOrganizationName("ResNet Studio")
    app.setApplicationName(desktop.APP_ID)
    app.setApplicationDisplayName("ResNet Studio")
    app.setDesktopFileName(desktop.APP_ID)  # the Wayland app id; docks match the entry by it
    try:
        files = desktop.icon_files()
    except desktop.DesktopError:
        files = {}  # an installation without its resources still opens, without its icon
    icon = QIcon()
    for size, path in files.items():
        if size <= 256:  # a window icon needs no more
            icon.addFile(str(path))
    app.setWindowIcon(icon)
    app.setStyle("Fusion")
    from resnet_studio.gui import theme

    theme.use_environment(app)  # RESNET_STUDIO_THEME=dark where the desktop says nothing
    window = MainWindow()  # the user's own settings (window_settings.app_settings)
    window.show()
    heap.FreezeAfterStartUp(window)
    return app.exec()
