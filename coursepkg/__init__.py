"""coursepkg: the code behind 'Recurrent Neural Networks for Biological Sequences'.

Data flows one way: sequences -> data -> models -> training -> analysis -> figures.

The sequence helpers are available at the top level (``from coursepkg import onehot``).
They are loaded on first use, so that ``import coursepkg`` (and the ``coursepkg``
command) does not pay for importing torch until something needs it.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_FROM_SEQUENCES = ("DNA", "PROTEIN", "decode", "onehot", "reverse_complement_str", "validate")

__all__ = list(_FROM_SEQUENCES)


def __getattr__(name: str):
    if name in _FROM_SEQUENCES:
        return getattr(importlib.import_module("coursepkg.sequences"), name)
    raise AttributeError(f"module 'coursepkg' has no attribute {name!r}")
