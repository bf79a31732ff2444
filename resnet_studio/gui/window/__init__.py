"""The main window: its menus, settings, notices and files."""
