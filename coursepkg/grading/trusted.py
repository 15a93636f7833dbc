"""Entry point of the trusted grading process: launch the student's process, then run pytest.

    python -I /path/to/coursepkg/grading/trusted.py PYTEST_ARGS...

(run by path, not with ``-m``, which would import the ``coursepkg`` package first).

Importing any part of ``coursepkg`` runs the package's ``__init__``, which imports torch
(about 2 s). The student's process needs that time too, so this entry point registers
the ``coursepkg`` package *without* running its ``__init__`` yet, imports only the few
torch-free modules that start the student's process, launches it, and only then
completes the package and hands over to pytest: both processes import torch at once.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _deferred_package():
    """``coursepkg`` in ``sys.modules`` with its ``__init__`` not run yet; returns the finisher."""
    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location(
        "coursepkg", root / "__init__.py", submodule_search_locations=[str(root)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["coursepkg"] = module
    return lambda: spec.loader.exec_module(module)


def main(argv: list[str]) -> int:
    finish = None
    if "coursepkg" not in sys.modules:
        finish = _deferred_package()
    from coursepkg.grading import plugin

    plugin.launch_submission()
    if finish is not None:
        finish()
    import pytest

    return int(pytest.main(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
