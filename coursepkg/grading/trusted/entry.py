"""Entry point of the trusted grading process: launch the student's process, then run pytest.

    python -I -m coursepkg.grading.trusted.entry PYTEST_ARGS...

The student's process needs about 2 s to import torch, and so does this one (the hidden
suites use it). The grading plugin imports no torch, so this entry point starts the
student's process first and only then imports pytest and the suite: both imports run
at once, on the two cores.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from coursepkg.grading.trusted import plugin

    plugin.launch_submission()
    import pytest

    return int(pytest.main(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
