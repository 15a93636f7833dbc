"""Tables of measured numbers, shown as HTML in a notebook and as text elsewhere.

One style for every table of the book: numbers right-aligned with a fixed number of
decimals per column (so decimal points line up), and a trained model's number shown with
its spread over seeds (:func:`spread`), e.g. ``0.982 (0.951–0.997)``.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Sequence

import numpy as np


def spread(values: Sequence[float], digits: int = 3) -> str:
    """``"median (min–max)"`` of one number over seeds, e.g. ``"0.982 (0.951–0.997)"``."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        raise ValueError("spread needs at least one value")
    med, low, high = np.median(values), values.min(), values.max()
    return f"{med:.{digits}f} ({low:.{digits}f}\u2013{high:.{digits}f})"


def _cell(value, digits: int) -> str:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    return f"{float(value):.{digits}f}"


class Table:
    """Rows of dicts with the same keys, displayed as a table.

    Parameters
    ----------
    rows : list of dict
        One dict per row; the first row's keys are the columns.
    digits : int or dict
        Decimals for float cells: one number for every column, or ``{column: digits}``
        (columns not named get 3).
    caption : str, optional
    """

    def __init__(self, rows: list[dict], digits: int | dict = 3, caption: str = ""):
        if not rows:
            raise ValueError("a table needs at least one row")
        self.rows = rows
        self.columns = list(rows[0])
        missing = [i for i, row in enumerate(rows) if list(row) != self.columns]
        if missing:
            raise ValueError(f"rows {missing} do not have the columns {self.columns}")
        self.digits = digits
        self.caption = caption

    def _digits(self, column: str) -> int:
        return self.digits.get(column, 3) if isinstance(self.digits, dict) else self.digits

    def cells(self) -> list[list[str]]:
        """Every cell as displayed, row by row (without the header)."""
        return [[_cell(row[c], self._digits(c)) for c in self.columns] for row in self.rows]

    def _numeric(self, column: str) -> bool:
        return all(
            isinstance(row[column], numbers.Real) and not isinstance(row[column], bool)
            for row in self.rows
        )

    def _repr_html_(self) -> str:
        align = {c: "num" if self._numeric(c) else "text" for c in self.columns}
        head = "".join(f'<th class="{align[c]}">{html.escape(str(c))}</th>' for c in self.columns)
        body = "".join(
            "<tr>"
            + "".join(
                f'<td class="{align[c]}">{html.escape(v)}</td>'
                for c, v in zip(self.columns, row, strict=True)
            )
            + "</tr>"
            for row in self.cells()
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (
            f'<table class="coursepkg-table">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        cells = [[str(c) for c in self.columns]] + self.cells()
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        numeric = [self._numeric(c) for c in self.columns]
        lines = [
            "  ".join(
                v.rjust(w) if num else v.ljust(w)
                for v, w, num in zip(row, widths, numeric, strict=True)
            )
            for row in cells
        ]
        return "\n".join(([self.caption] if self.caption else []) + lines)
