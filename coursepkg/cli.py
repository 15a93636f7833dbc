"""The ``coursepkg`` command.

coursepkg grade NOTEBOOK_OR_FOLDER [--exercise NAME] [--json FILE] [--tests DIR] [--jobs N]
coursepkg claims [--seed-base N] [--chapter ID ...]
coursepkg exercises [--check]          (maintainers: write exercises/ and the public checks'
                                        expected values from solutions/)
coursepkg colab {stamp,check}          (maintainers: the Colab install cell of every notebook)
coursepkg release [--out DIR]          (instructors: student edition and Gradescope bundle)
coursepkg real-data [--check] [--out DIR]  (maintainers: the shipped real sequences)
coursepkg publish EDITION --to REPO    (maintainers: push the student edition, tagged)
coursepkg pdf [--html DIR] [--out FILE]  (the single-page build printed to a PDF)
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
    grade.add_argument(
        "--exercise",
        help="the assignment's exercise (default: the one the notebook's file name, or the "
        "class folder's name, names; never the notebook's own metadata)",
    )
    grade.add_argument(
        "--json", type=Path, help="write Gradescope results.json here (one notebook)"
    )
    grade.add_argument(
        "--tests", type=Path, help="folder of hidden suites (default: tests/hidden_suites)"
    )
    grade.add_argument("--out", type=Path, help="folder for per-student results (a class)")
    grade.add_argument("--jobs", type=int, default=2, help="notebooks graded at once (a class)")

    claims = sub.add_parser("claims", help="re-measure the book's claims on a block of seeds")
    claims.add_argument(
        "--seed-base", type=int, default=None, help="first seed of the block (default: the book's)"
    )
    claims.add_argument(
        "--chapter", action="append", help="only this chapter (ch01, ...); may be repeated"
    )

    exercises = sub.add_parser("exercises", help="write exercises/ from solutions/")
    exercises.add_argument("--check", action="store_true", help="fail if exercises/ has drifted")
    exercises.add_argument("--root", type=Path, default=Path("."))

    colab = sub.add_parser("colab", help="stamp or check the Colab install cell of every notebook")
    colab.add_argument("action", choices=("stamp", "check"))
    colab.add_argument("--root", type=Path, default=Path("."))

    release = sub.add_parser("release", help="write the student edition and the Gradescope bundle")
    release.add_argument("--out", type=Path, default=Path("release"))
    release.add_argument("--root", type=Path, default=Path("."))

    data = sub.add_parser("real-data", help="regenerate the shipped real sequences from Debian")
    data.add_argument("--out", type=Path, default=Path("real-data"))
    data.add_argument("--check", action="store_true", help="compare with the shipped files")

    pdf = sub.add_parser("pdf", help="print the single-page book build to a PDF (Chromium)")
    pdf.add_argument("--html", type=Path, default=Path("_build/singlehtml"))
    pdf.add_argument("--out", type=Path, default=Path("_build/pdf/book.pdf"))

    publish = sub.add_parser("publish", help="push the student edition to its public repository")
    publish.add_argument("edition", type=Path, help="the folder `coursepkg release` wrote")
    publish.add_argument("--to", required=True, help="git URL or path of the public repository")
    publish.add_argument("--branch", default="main")

    args = parser.parse_args(argv)
    return {
        "grade": _grade,
        "claims": _claims,
        "exercises": _exercises,
        "colab": _colab,
        "release": _release,
        "real-data": _real_data,
        "publish": _publish,
        "pdf": _pdf,
    }[args.command](args)


def _claims(args) -> int:
    from coursepkg import claims, seeds

    base = seeds.seed_base() if args.seed_base is None else args.seed_base
    try:
        measured = claims.remeasure(base, args.chapter)
    except ValueError as error:
        print(f"coursepkg claims: {error}", file=sys.stderr)
        return 2
    failed = [m for m in measured if not m.passed]
    for m in measured:
        print(m, flush=True)
    print(
        f"{len(measured) - len(failed)} of {len(measured)} claims hold on the block of seeds "
        f"starting at {base}"
    )
    return 1 if failed else 0


def _release(args) -> int:
    from coursepkg.authoring.release import ReleaseError, release

    try:
        paths = release(args.root, args.out)
    except ReleaseError as error:
        print(f"coursepkg release: {error}", file=sys.stderr)
        return 1
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0


def _grade(args) -> int:
    import warnings

    from coursepkg.grading.trusted.runner import GradingSetupError, grade_notebook
    from coursepkg.grading.trusted.sandbox import ReducedIsolation

    warnings.simplefilter("always", ReducedIsolation)
    warnings.formatwarning = lambda message, *_: f"coursepkg grade: warning: {message}\n"
    try:
        if args.path.is_dir():
            from coursepkg.grading.trusted.classroom import grade_class

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
    from coursepkg.authoring.exercises import sync, sync_expected

    drifted = sync(args.root / "solutions", args.root / "exercises", check=args.check)
    stale = sync_expected(args.root / "solutions", check=args.check)
    if args.check and (drifted or stale):
        print(
            "exercises/ or the public checks' expected values have drifted from solutions/ "
            "(run `coursepkg exercises`):",
            file=sys.stderr,
        )
        for name in drifted:
            print(f"  exercises/{name}", file=sys.stderr)
        for name in stale:
            print(f"  coursepkg/practice/expected/{name}.json", file=sys.stderr)
        return 1
    for name in drifted:
        print(f"wrote exercises/{name}")
    for name in stale:
        print(f"wrote coursepkg/practice/expected/{name}.json")
    return 0


def _colab(args) -> int:
    from coursepkg.authoring import colab

    if args.action == "stamp":
        for path in colab.stamp(args.root):
            print(f"stamped {path}")
        return 0
    problems = colab.check(args.root)
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


def _publish(args) -> int:
    from coursepkg import __version__
    from coursepkg.authoring.publish import publish
    from coursepkg.authoring.release import ReleaseError

    try:
        commit = publish(args.edition, args.to, branch=args.branch)
    except ReleaseError as error:
        print(f"coursepkg publish: {error}", file=sys.stderr)
        return 1
    print(f"published student edition {__version__} to {args.to} ({args.branch}, {commit[:12]})")
    return 0


def _real_data(args) -> int:
    from coursepkg.authoring import real_data

    if args.check:
        problems = real_data.check(args.out)
        for line in problems:
            print(line, file=sys.stderr)
        print("the shipped files match their Debian sources" if not problems else "mismatch")
        return 1 if problems else 0
    for name, digest in real_data.regenerate(args.out).items():
        print(f"{digest}  {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def _pdf(args) -> int:
    """Print the single-page build to a PDF."""
    from coursepkg.authoring.pdf import print_book

    try:
        out = print_book(args.html, args.out)
    except (FileNotFoundError, RuntimeError) as error:
        print(f"coursepkg pdf: {error}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0
