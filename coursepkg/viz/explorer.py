"""The explorer convention: controls, a status line, and a figure redrawn from their values.

An explorer is a ``draw`` function that makes a figure from a few values, plus a widget for
each value. Every chapter's explorer is an :class:`Explorer`, so they all behave alike: a
change of any control redraws the figure; input that ``draw`` rejects (a ``ValueError`` or
``TypeError``, with a message that names the problem) shows that message in the status
line and keeps the last good figure. Widgets need a running kernel (Jupyter, Colab); the
static book shows ``draw(**defaults)`` beside the explorer, the same figure for a fixed
input.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Mapping

import ipywidgets as widgets
from matplotlib.figure import Figure


def png(fig: Figure) -> bytes:
    """A figure rendered to PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


class Explorer(widgets.VBox):
    """Controls above a status line and the figure ``draw(**values)`` makes from them.

    Parameters
    ----------
    draw : callable
        ``draw(**values) -> Figure``; raises ``ValueError``/``TypeError`` for bad input.
    controls : mapping name -> ipywidgets value widget
        ``values[name]`` is ``controls[name].value``.
    summary : callable, optional
        ``summary(**values) -> str``, one line of HTML shown above the figure.

    Attributes
    ----------
    status : ipywidgets.HTML
        The summary, or the error message for input ``draw`` rejected.
    image : ipywidgets.Image
        The current figure, as PNG.
    error : str or None
        The last error message (None after input that worked).
    """

    def __init__(
        self,
        draw: Callable[..., Figure],
        controls: Mapping[str, widgets.ValueWidget],
        summary: Callable[..., str] | None = None,
    ):
        self.draw, self.controls, self.summary = draw, dict(controls), summary
        self.error: str | None = None
        self.status = widgets.HTML()
        self.image = widgets.Image(format="png")
        row = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="wrap"))
        super().__init__([row, self.status, self.image])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    @property
    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, change: dict) -> None:
        self.update()

    def update(self) -> None:
        """Redraw from the controls' current values; bad input shows its error instead."""
        values = self.values
        try:
            fig = self.draw(**values)
            line = self.summary(**values) if self.summary is not None else ""
        except (ValueError, TypeError) as err:
            self.error = str(err)
            self.status.value = (
                f'<span style="color:#cf222e">&#9888; {html.escape(self.error)}</span>'
            )
            return
        self.error = None
        self.status.value = line
        self.image.value = png(fig)

    def set(self, **values) -> None:
        """Set controls by name (as a reader would), redrawing once per change."""
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"no control named {name!r}; controls: {sorted(self.controls)}")
            self.controls[name].value = value
