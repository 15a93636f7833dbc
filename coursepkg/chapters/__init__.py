"""One folder per chapter: what that chapter's notebook imports, and nothing any other uses.

Every chapter folder ``chNN_<name>/`` has the same four modules:

``experiments.py``
    the chapter's experiments: functions that take seeds and settings, run the reusable
    layers (``coursepkg.data``, ``models``, ``train``, ``analysis``) and return small results;
``figures.py``
    the chapter's figures, following :mod:`coursepkg.viz` (each returns a ``Figure``);
``explorer.py``
    the chapter's interactive explorer (:class:`coursepkg.viz.Explorer`) and the function
    that draws its static figure for the book;
``claims.py``
    ``CLAIMS`` (the chapter's :class:`coursepkg.claims.Claim` list) and
    ``measure(seed_base)``, which runs the same experiments with the same settings as the
    notebook and returns every claim's values (used by ``coursepkg claims``).

A chapter imports the layers and its own folder, never another chapter's folder: what two
chapters share belongs in a layer. :data:`CHAPTERS` lists the chapters in book order.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Chapter:
    """A chapter of the book: its id, its folder in this package and its page in the book."""

    id: str
    """``"ch01"``: the prefix of its claim ids."""
    folder: str
    """``"ch01_hidden_state"``: its package under ``coursepkg.chapters``."""
    page: str
    """``"book/01_hidden_state"``: its notebook (Sphinx docname)."""
    title: str

    @property
    def package(self) -> str:
        return f"{__name__}.{self.folder}"

    def module(self, name: str) -> ModuleType:
        """One of the chapter's modules (``"experiments"``, ``"claims"``, ...)."""
        return importlib.import_module(f"{self.package}.{name}")

    def claims_module(self) -> ModuleType:
        return self.module("claims")


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("ch01", "ch01_hidden_state", "book/01_hidden_state", "The hidden state as memory"),
    Chapter("ch02", "ch02_conditioning", "book/02_conditioning", "Conditioning the initial state"),
    Chapter(
        "ch03",
        "ch03_vanishing_gradients",
        "book/03_vanishing_gradients",
        "Vanishing gradients and backpropagation through time",
    ),
    Chapter("ch04", "ch04_lstm", "book/04_lstm", "LSTM: gates and a cell-state highway"),
    Chapter(
        "ch05",
        "ch05_long_range",
        "book/05_long_range",
        "Reaching far: hierarchical and dilated RNNs",
    ),
    Chapter(
        "ch06", "ch06_direction_symmetry", "book/06_direction_symmetry", "Direction and symmetry"
    ),
    Chapter(
        "ch07",
        "ch07_hidden_state_learns",
        "book/07_hidden_state_learns",
        "What the hidden state learns",
    ),
    Chapter("ch08", "ch08_applications", "book/08_applications", "Applications"),
)
"""The chapters, in book order."""


def chapter(chapter_id: str) -> Chapter:
    """The :class:`Chapter` with this id (``"ch03"``)."""
    for c in CHAPTERS:
        if c.id == chapter_id:
            return c
    raise ValueError(f"unknown chapter {chapter_id!r}; known: {[c.id for c in CHAPTERS]}")
