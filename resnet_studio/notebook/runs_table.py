"""``runs()`` in a notebook: the runs the window and ``resnet-studio runs`` list, read by the
same run manager (no torch), as an HTML table that copies into a spreadsheet and as text."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from ..core.format import human
from ..train.events import RunStatus

COLUMNS = ("run", "name", "status", "epochs", "best val", "last val", "params", "MACs", "folder")


class RunsTable:
    """One row per run, newest first: the window's names, statuses and accuracies."""

    def __init__(self, rows: Sequence[tuple[str, ...]], root: Path) -> None:
        self.rows, self.root = rows, root

    @classmethod
    def load(cls, root: Path | None) -> RunsTable:
        from ..train.manager import RunManager

        manager = RunManager(root)
        manager.load(steps=False)  # a list needs no step curves
        rows: list[tuple[str, ...]] = []
        for r in reversed(manager.runs):
            if r.status == RunStatus.UNREADABLE:
                rows.append((r.id, "", str(r.status), "", "", "", "", "", r.reason))
                continue
            cfg = r.config
            done, total = len(r.epochs), cfg.epochs if cfg else 0  # as `resnet-studio runs`
            best, last = r.best_val_accuracy, r.last_val_accuracy
            params, macs = r.info.params, r.info.macs
            rows.append(
                (
                    r.id,
                    r.label,
                    str(r.status),
                    f"{done}/{total}",
                    "" if best is None else f"{100 * best:.2f}%",
                    "" if last is None else f"{100 * last:.2f}%",
                    "" if params is None else human(params),
                    "" if macs is None else human(macs),
                    str(r.dir),
                )
            )
        return cls(rows, manager.root)

    def _repr_html_(self) -> str:
        if not self.rows:
            return f"<p>No runs yet in {escape(str(self.root))}.</p>"
        head = "".join(f"<th>{c}</th>" for c in COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in self.rows
        )
        return f'<table class="rs-runs"><tr>{head}</tr>{body}</table>'

    def __repr__(self) -> str:
        if not self.rows:
            return f"No runs yet in {self.root}."
        rows = [COLUMNS[:-1], *(r[:-1] for r in self.rows)]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return "\n".join(
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        )

    def __len__(self) -> int:
        return len(self.rows)
