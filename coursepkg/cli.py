"""The ``coursepkg`` command: grading and exercise maintenance.

coursepkg grade NOTEBOOK_OR_FOLDER [--exercise NAME] [--json FILE] [--tests DIR] [--jobs N]
coursepkg exercises [--check]
coursepkg release [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="coursepkg", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    grade = sub.add_parser("grade", help="grade a notebook, or a folder of notebooks (a class)")
    grade.add_argument("path", type=Path)
    grade.add_argument("--exercise", help="exercise name (default: from the notebook)")
    grade.add_argument(
        "--json", type=Path, help="write Gradescope results.json here (one notebook)"
    )
    grade.add_argument(
        "--tests", type=Path, help="folder of hidden suites (default: tests/grading)"
    )
    grade.add_argument("--out", type=Path, help="folder for per-student results (a class)")
    grade.add_argument("--jobs", type=int, default=2, help="notebooks graded at once (a class)")

    exercises = sub.add_parser("exercises", help="write exercises/ from solutions/")
    exercises.add_argument("--check", action="store_true", help="fail if exercises/ has drifted")
    exercises.add_argument("--root", type=Path, default=Path("."))

    release = sub.add_parser("release", help="write the student edition and the Gradescope bundle")
    release.add_argument("--out", type=Path, default=Path("release"))
    release.add_argument("--root", type=Path, default=Path("."))

    args = parser.parse_args(argv)
    if args.command == "grade":
        return _grade(args)
    if args.command == "release":
        return _release(args)
    return _exercises(args)


def _release(args) -> int:
    from coursepkg.release import ReleaseError, release

    try:
        paths = release(args.root, args.out)
    except ReleaseError as error:
        print(f"coursepkg release: {error}", file=sys.stderr)
        return 1
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0


def _grade(args) -> int:
    from coursepkg.grading.runner import GradingSetupError, grade_notebook

    try:
        if args.path.is_dir():
            from coursepkg.grading.classroom import grade_class

            out = args.out or args.path / "graded"
            book = grade_class(
                args.path, out, exercise=args.exercise, tests_dir=args.tests, jobs=args.jobs
            )
            print(book.summary())
            return 0
        report = grade_notebook(args.path, exercise=args.exercise, tests_dir=args.tests)
    except GradingSetupError as error:
        print(f"coursepkg grade: {error}", file=sys.stderr)
        return 2
    print(report.table())
    if args.json:
        report.write_json(args.json)
    return 0


def _exercises(args) -> int:
    from coursepkg.grading.exercises import sync

    drifted = sync(args.root / "solutions", args.root / "exercises", check=args.check)
    if args.check and drifted:
        print(
            "exercises/ has drifted from solutions/ (run `coursepkg exercises`):", file=sys.stderr
        )
        for name in drifted:
            print(f"  {name}", file=sys.stderr)
        return 1
    for name in drifted:
        print(f"wrote exercises/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
