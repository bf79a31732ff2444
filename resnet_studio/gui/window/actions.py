"""The window's menus as one table: each item's text, slot, shortcut and tip.

Every slot is a :class:`~.slots.Call`: it takes no argument from ``triggered`` (which passes
``checked`` into a ``path=None`` parameter) and holds the window weakly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from resnet_studio.gui.plots.plot_export import SLIDE
from resnet_studio.gui.slots import Call

if TYPE_CHECKING:
    from resnet_studio.gui.window.main_window import MainWindow

Std = QKeySequence.StandardKey

# the menu item decides the format; a typed suffix that differs gets the right one added
MODEL_ITEMS = (
    ("onnx", "Model as ONNX…", "One self-contained ONNX file; opens in Netron"),
    ("pt2", "Model as torch.export (.pt2)…", "torch.export's program; torch.export.load"),
    ("torchscript", "Model as TorchScript…", "A traced TorchScript module (deprecated)"),
    ("state_dict", "Model state_dict…", "The weights only, for load_state_dict"),
    ("python", "Model as Python code…", "Python that builds this architecture"),
)


@dataclass(frozen=True)
class Item:
    text: str
    slot: Call
    shortcut: Any = None  # a QKeySequence.StandardKey or text such as "Ctrl+E"
    tip: str = ""


@dataclass(frozen=True)
class Menu:
    title: str
    items: tuple[Item | Menu | None, ...]  # None: a separator


def table(w: MainWindow) -> tuple[Menu, ...]:
    x = w.exports
    export = Menu(
        "&Export",
        (
            Item("Analysis as CSV…", Call(x.export_analysis, ".csv"), "Ctrl+E"),
            Item("Analysis as JSON…", Call(x.export_analysis, ".json")),
            Item("Analysis as Markdown…", Call(x.export_analysis, ".md")),
            Item(
                "Diagram as SVG or PNG…",
                Call(w.explorer.diagram.export_interactive),
                tip="The Explorer's diagram as shown, folds included; SVG keeps the text as text",
            ),
            Item(
                "Comparison diagram as SVG or PNG…",
                Call(w.compare.export_diagram),
                tip="The compared networks side by side on one scale, aligned by stage",
            ),
            Item(
                "Explorer charts as figures…",
                Call(x.export_charts, w.explorer.plots),
                tip="Parameters, MACs and the shape profile: PNG or SVG at a size and DPI you "
                "choose",
            ),
            Item(
                "Comparison charts as figures…",
                Call(x.export_charts, w.compare.plots, None, SLIDE),
                tip="The compared networks' charts, slide-sized (1920×1080) unless you choose",
            ),
            Item(
                "Training curves as a figure…",
                Call(w.train.export_dialog),
                tip="Loss and accuracy side by side, with their legends, without the controls",
            ),
            Item(
                "torchinfo summary…",
                Call(x.export_torchinfo),
                tip="torchinfo's summary of the built model, as text",
            ),
            None,
            *(Item(text, Call(x.export_model, fmt), tip=tip) for fmt, text, tip in MODEL_ITEMS),
        ),
    )
    file = Menu(
        "&File",
        (
            Item("&Open spec…", Call(x.open_spec), Std.Open, "Open an architecture spec (JSON)"),
            Menu("Open &recent", ()),  # filled from the settings as files are opened
            Item(
                "&Save spec as…",
                Call(x.save_spec),
                Std.Save,
                "Save the architecture spec as JSON",
            ),
            None,
            export,
            None,
            Item("&Quit", Call(w.close), Std.Quit),
        ),
    )
    edit = Menu(
        "&Edit",
        (
            Item(
                "&Copy selected rows",
                Call(w.explorer.copy_selection),
                tip="Copy the selected layer rows as tab-separated text",
            ),
            Item(
                "Copy &Python code",
                Call(x.copy_python),
                "Ctrl+Shift+C",
                "Copy Python that builds this architecture with resnet_studio",
            ),
            Item(
                "&Find layer",
                Call(w.find_layer),
                Std.Find,
                "Show the Explorer and filter its layers by name or type",
            ),
        ),
    )
    view = Menu(
        "&View",
        (
            Item("&Explorer", Call(w.tabs.setCurrentWidget, w.explorer), "Ctrl+1"),
            Item("&Compare", Call(w.tabs.setCurrentWidget, w.compare), "Ctrl+2"),
            Item("&Train", Call(w.tabs.setCurrentWidget, w.train), "Ctrl+3"),
            Item("&Inspect", Call(w.tabs.setCurrentWidget, w.inspect), "Ctrl+4"),
            Item("Expand all layers", Call(w.explorer.tree.expandAll)),
            Item("Collapse all layers", Call(w.explorer.tree.collapseAll)),
        ),
    )
    help_ = Menu("&Help", (Item("&About ResNet Studio", Call(w.about)),))
    return file, edit, view, help_


def action(parent: QWidget, item: Item) -> QAction:
    a = QAction(item.text, parent)
    if item.shortcut is not None:
        a.setShortcut(QKeySequence(item.shortcut))
    a.setStatusTip(item.tip or item.text)
    a.setToolTip(item.tip or item.text)
    a.triggered.connect(item.slot)
    return a


def install(w: MainWindow) -> dict[str, QMenu]:
    """The menu bar from :func:`table`; returns every menu by its title."""
    menus: dict[str, QMenu] = {}

    def fill(menu: QMenu, items: tuple[Item | Menu | None, ...]) -> None:
        for item in items:
            if item is None:
                menu.addSeparator()
            elif isinstance(item, Menu):
                sub = menus[item.title] = menu.addMenu(item.title)
                fill(sub, item.items)
            else:
                menu.addAction(action(w, item))

    for top in table(w):
        menus[top.title] = w.menuBar().addMenu(top.title)
        fill(menus[top.title], top.items)
    return menus
