"""A measured table that shows as HTML in a notebook and as text elsewhere (no pandas)."""

from __future__ import annotations

import html


class Table:
    """Rows of dicts with the same keys, displayed as a table."""

    def __init__(self, rows: list[dict]):
        if not rows:
            raise ValueError("a table needs at least one row")
        self.rows = rows
        self.columns = list(rows[0])

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in self.columns) + "</tr>"
            for r in self.rows
        )
        return (
            f'<table class="coursepkg-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        cells = [[str(c) for c in self.columns]] + [
            [str(r[c]) for c in self.columns] for r in self.rows
        ]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        return "\n".join(
            "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells
        )
