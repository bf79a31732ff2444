"""ResNet Studio's resources: the icon (SVG source and PNGs), the .desktop entry, AppStream data.

Installed as the package ``resnet_studio.resources`` (pyproject.toml maps this folder there), so
that :mod:`resnet_studio.desktop` finds it with ``importlib.resources`` in a wheel and in an
editable install alike. ``make_icons.py`` renders the PNGs from the SVG.
"""
