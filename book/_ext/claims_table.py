"""Sphinx extension (local, see ``_config.yml``): the results page lists every claim beside
the values last measured.

A page asks for the table with the directive::

    ```{claims-table}
    ```

The rows come from :func:`coursepkg.claims.all_claims` (every chapter's claims, in book
order) and the values from ``<srcdir>/_build/claims/*.json``, which
:func:`coursepkg.claims.record` writes while the chapters execute: for a claim about a
random procedure, the statistic its rule decides on, the spread (min-max) and the seeds,
beside the rule itself.

Two things keep the table from going stale:

* The table is filled in at ``doctree-resolved``, in the write phase, after every page has
  been read and every notebook executed.  So it does not matter in which order Sphinx
  reads the pages (sorted docnames; any order under ``-j``).
* Pages with the directive are re-read on every build (``env-get-outdated``), so they are
  written again even when no chapter changed.

A claim whose chapter page is part of the build but which has no measured value, or whose
value fails its check, is reported as a warning (type ``coursepkg``, subtype ``claims``),
so ``jupyter-book build -W`` fails on it.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from coursepkg.chapters import CHAPTERS
from coursepkg.claims import Claim, all_claims, load_all, saved_measurement

logger = logging.getLogger(__name__)

COLUMNS = (("Claim", 12), ("Measured", 5), ("Rule", 3), ("Result", 2))
"""Column titles and relative widths of the table."""

CHAPTER_PAGES = {c.id: c.page for c in CHAPTERS}


class claims_table(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """Placeholder that :func:`fill_tables` replaces with the table."""


class ClaimsTableDirective(SphinxDirective):
    """``{claims-table}``: a table of every claim of the book and its last measured value."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        pages = _pages(self.env)
        pages.add(self.env.docname)
        return [claims_table()]


def _pages(env: BuildEnvironment) -> set[str]:
    """The docnames that hold a claims table (kept in the pickled environment)."""
    if not hasattr(env, "coursepkg_claims_pages"):
        env.coursepkg_claims_pages = set()
    return env.coursepkg_claims_pages


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _pages(env).discard(docname)


def merge_info(app: Sphinx, env: BuildEnvironment, docnames: list[str], other) -> None:
    _pages(env).update(_pages(other) & set(docnames))


def always_reread(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
    """Re-read the pages with a claims table on every build, so their table is rebuilt."""
    return sorted(_pages(env) & env.found_docs - set(removed))


def _status(claim: Claim, saved: dict | None) -> tuple[list[str], str, str]:
    """``(lines of the value cell, result text, css class)`` for one claim.

    The value cell gives the statistic the rule decides on, the spread over seeds (min-max)
    and the seeds, one per line; a deterministic claim's cell gives its one value.
    """
    if saved is None or not saved.get("values"):
        return ["\u2014"], "not measured", "claim-missing"
    try:
        measured = saved_measurement(claim.id, saved)
        parts, passed = measured.parts(), measured.passed
    except ValueError as error:  # e.g. too few seeds for a claim about a random procedure
        return [str(error)], "\u2718 fails", "claim-fail"
    lines = [parts["value"]]
    if "spread" in parts:
        lines.append(parts["spread"])
    if "seeds" in parts:
        lines.append(f"seeds {parts['seeds']}")
    result = ("\u2714 holds", "claim-pass") if passed else ("\u2718 fails", "claim-fail")
    return lines, result[0], result[1]


def _entry(*children: nodes.Node) -> nodes.entry:
    """A table cell; paragraphs go in as they are, anything else is wrapped in one."""
    entry = nodes.entry()
    for child in children:
        entry += child if isinstance(child, nodes.paragraph) else nodes.paragraph("", "", child)
    return entry


def _claim_cell(app: Sphinx, fromdocname: str, claim: Claim) -> nodes.entry:
    """The claim's id (linked to its chapter), its sentence, and what is measured."""
    page = CHAPTER_PAGES.get(claim.chapter)
    if page is not None and page in app.env.found_docs:
        uri = app.builder.get_relative_uri(fromdocname, page)
        label = nodes.reference("", "", nodes.literal("", claim.id), refuri=uri, internal=True)
    else:
        label = nodes.literal("", claim.id)
    statement = nodes.paragraph("", "", label, nodes.Text(" " + claim.sentence))
    measure = nodes.paragraph("", "", nodes.emphasis("", f"Measured: {claim.measure}."))
    return _entry(statement, measure)


def _table(app: Sphinx, fromdocname: str, measured: dict[str, dict]) -> nodes.table:
    table = nodes.table(classes=["claims-table"])
    group = nodes.tgroup(cols=len(COLUMNS))
    table += group
    for _, width in COLUMNS:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += nodes.row("", *(_entry(nodes.Text(title)) for title, _ in COLUMNS))
    group += head
    body = nodes.tbody()
    for claim in all_claims().values():
        lines, result, css = _status(claim, measured.get(claim.id))
        body += nodes.row(
            "",
            _claim_cell(app, fromdocname, claim),
            _entry(*(nodes.paragraph("", line) for line in lines)),
            _entry(nodes.Text(claim.requirement)),
            _entry(nodes.inline("", result, classes=[css])),
        )
    group += body
    return table


def _warn_about(app: Sphinx, docname: str, measured: dict[str, dict]) -> None:
    for claim in all_claims().values():
        if CHAPTER_PAGES.get(claim.chapter) not in app.env.found_docs:
            continue  # that chapter is not part of this build
        _, result, css = _status(claim, measured.get(claim.id))
        if css == "claim-missing":
            logger.warning(
                "claim %s has no measured value in _build/claims (its chapter did not run "
                "record(); after `jupyter-book clean`, which keeps the execution cache, run "
                "`jupyter-book clean --all` and build again)",
                claim.id,
                location=docname,
                type="coursepkg",
                subtype="claims",
            )
        elif css == "claim-fail":
            logger.warning(
                "claim %s fails: %s",
                claim.id,
                claim.sentence,
                location=docname,
                type="coursepkg",
                subtype="claims",
            )


def fill_tables(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace every claims-table placeholder of ``docname`` with the table."""
    placeholders = list(doctree.findall(claims_table))
    if not placeholders:
        return
    measured = load_all(Path(app.srcdir))
    _warn_about(app, docname, measured)
    for node in placeholders:
        node.replace_self(_table(app, docname, measured))


def setup(app: Sphinx) -> dict:
    app.add_node(claims_table)
    app.add_directive("claims-table", ClaimsTableDirective)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("env-get-outdated", always_reread)
    app.connect("doctree-resolved", fill_tables)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
