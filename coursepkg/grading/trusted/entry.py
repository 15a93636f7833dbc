"""Entry point of the trusted grading process: launch the student's process, then run pytest.

    python -I -m coursepkg.grading.trusted.entry PYTEST_ARGS...

The student's worker is forked by the nursery's zygote, which imported torch already; this
entry point asks for it first (it then runs the notebook's cells) and only then imports
pytest and the hidden suite, so that both proceed at once.
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
