"""The book's sources, read as a reader's checklist (no build needed).

Every chapter ends with a summary and its own references; every figure is numbered, captioned
and referred to from the text, and so is every labelled equation; every exercise is a link from
its chapter to the practice page and back; the bibliography parses, and every citation resolves
to an entry under a label that only one page uses (a label cited by two pages is a duplicate
under ``-W``; ``:keyprefix:`` gives a page labels of its own).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest
from pybtex.database import parse_file

from coursepkg.chapters import CHAPTERS

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
BIB = BOOK / "references.bib"
PRACTICE = BOOK / "practice.md"
EXERCISES = sorted(p.stem for p in (ROOT / "solutions").glob("ex*.ipynb"))
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def _markdown(page: Path) -> str:
    """The text a reader sees of a page: a notebook's markdown cells, or a Markdown file."""
    if page.suffix == ".md":
        return page.read_text()
    notebook = nbformat.read(page, as_version=4)
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


def _pages() -> dict[str, str]:
    return {p.name: _markdown(p) for p in sorted(BOOK.glob("*")) if p.suffix in (".md", ".ipynb")}


PAGES = _pages()


def _chapter_text(chapter) -> str:
    return PAGES[Path(chapter.page).name + ".ipynb"]


def test_bibliography_parses_with_unique_keys():
    text = BIB.read_text()
    keys = re.findall(r"^@\w+\{([^,\s]+),", text, flags=re.M)
    duplicates = sorted(k for k in set(keys) if keys.count(k) > 1)
    assert not duplicates, f"{BIB.name}: keys defined twice: {duplicates}"
    parsed = parse_file(str(BIB))  # raises with the line of a syntax error
    assert sorted(parsed.entries) == sorted(keys)


def test_each_paper_has_one_entry():
    """Two entries for one paper get the same author-year label, a duplicate under ``-W``: a
    second page that cites it uses ``:keyprefix:`` instead (see below)."""
    seen: dict[str, str] = {}
    for key, entry in parse_file(str(BIB)).entries.items():
        title = re.sub(r"[^a-z0-9]+", " ", entry.fields.get("title", "").lower()).strip()
        assert title not in seen, f"{BIB.name}: {key} and {seen[title]} are the same paper"
        seen[title] = key


def _entry_key(label: str, text: str) -> str:
    """The bibliography key a citation label names: a page whose bibliography directive has
    ``:keyprefix: ch04-`` cites ``ch04-<key>`` (so two pages can cite one entry)."""
    prefix = re.search(r"^:keyprefix:\s*(\S+)", text, flags=re.M)
    if prefix and label.startswith(prefix.group(1)):
        return label[len(prefix.group(1)) :]
    return label


def test_every_citation_resolves_and_belongs_to_one_page():
    entries = set(parse_file(str(BIB)).entries)
    cited_by = defaultdict(set)
    missing = []
    for name, text in PAGES.items():
        for group in CITE.findall(text):
            for label in (k.strip() for k in group.split(",")):
                cited_by[label].add(name)
                if _entry_key(label, text) not in entries:
                    missing.append(f"{label} ({name})")
    assert not missing, f"citations with no entry in {BIB.name}: {missing}"
    shared = sorted(f"{label}: {sorted(p)}" for label, p in cited_by.items() if len(p) > 1)
    assert not shared, (
        "labels cited by more than one page (a page citing an entry another page cites gives "
        f"its bibliography a ':keyprefix:' and cites '<prefix><key>'): {shared}"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_chapter_ends_with_a_summary_and_its_references(chapter):
    text = _chapter_text(chapter)
    headings = re.findall(r"^##\s+(.+?)\s*$", text, flags=re.M)
    assert "Summary" in headings, f"{chapter.page}: no '## Summary' section"
    assert "References" in headings, f"{chapter.page}: no '## References' section"
    assert headings[-1] == "References", f"{chapter.page}: the references are not last"
    assert "```{bibliography}" in text, f"{chapter.page}: no bibliography directive"
    assert CITE.search(text), f"{chapter.page}: cites no paper"


def _practice_rows() -> dict[str, str]:
    """``exercise -> chapter page`` from the practice page's table."""
    rows = {}
    for line in PRACTICE.read_text().splitlines():
        match = re.match(r"\|\s*`(ex\d\d_\w+)`\s*\|\s*\{doc\}`([^`]+)`", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


@pytest.mark.parametrize("exercise", EXERCISES)
def test_exercise_is_linked_from_its_chapter_and_back(exercise):
    rows = _practice_rows()
    assert exercise in rows, f"{PRACTICE.name}: no table row for {exercise}"
    page = BOOK / f"{rows[exercise]}.ipynb"
    assert page.exists(), f"{PRACTICE.name}: {exercise}'s chapter {rows[exercise]} is not a page"
    assert f"{{doc}}`{exercise} <practice>`" in _markdown(page), (
        f"{page.name} does not link to {exercise} ({{doc}}`{exercise} <practice>`)"
    )
    assert f"<exercises/{exercise}.ipynb>" in PRACTICE.read_text(), (
        f"{PRACTICE.name}: no Colab link for {exercise}"
    )


def test_glossary_defines_the_terms_chapters_use_without_definition():
    text = (BOOK / "glossary.md").read_text()
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    terms = set(re.findall(r"^(\S.*?)\s*$", block, flags=re.M))
    for term in ("MSE", "logit", "Jacobian", "MLP", "k-means", "BPTT", "LSTM", "spread"):
        assert term in terms, f"glossary.md does not define {term!r}"
    toc = (ROOT / "_toc.yml").read_text()
    assert "book/glossary" in toc, "the glossary is not in _toc.yml"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_introduction_lists_every_chapter(chapter):
    name = Path(chapter.page).name
    assert f"{{doc}}`{name}`" in PAGES["intro.md"], f"intro.md does not link to {name}"


FIGURE_CALL = re.compile(r"(plot|draw)_\w+|\w+_figure")
"""A plotting function: a cell whose last statement calls one shows a figure as its value."""
CLAIM_CALLS = {"record", "record_all"}
"""Functions that display a claim's line: an output of its own, before the figure."""
EQUATION_LABEL = re.compile(r"^\$\$\s*\((eq-[\w-]+)\)\s*$", flags=re.M)


def _called(call: ast.Call) -> str:
    """The called function's name: ``plot_x`` in ``plot_x(...)`` and ``figures.plot_x(...)``."""
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _figure_cells(notebook) -> list[tuple[int, object, bool]]:
    """``(index, cell, displays claims)`` for every code cell whose last statement calls a
    plotting function (``plot_*``, ``draw_*``, ``*_figure``)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        body = ast.parse(cell.source).body
        last = body[-1] if body else None
        if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)):
            continue
        if not FIGURE_CALL.fullmatch(_called(last.value)):
            continue
        claims = any(
            isinstance(node, ast.Call) and _called(node) in CLAIM_CALLS
            for node in ast.walk(ast.Module(body=body[:-1], type_ignores=[]))
        )
        found.append((index, cell, claims))
    return found


def _referenced(role: str, name: str, text: str) -> bool:
    """Whether ``text`` refers to ``name`` with ``{role}`name``` or ``{role}`title <name>```."""
    return re.search(rf"\{{{role}\}}`(?:[^`<]*<)?{re.escape(name)}>?`", text) is not None


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_every_figure_is_numbered_captioned_and_referenced(chapter):
    notebook = nbformat.read(ROOT / f"{chapter.page}.ipynb", as_version=4)
    text = _chapter_text(chapter)
    cells = _figure_cells(notebook)
    assert cells, f"{chapter.page}: no figure cells found (has the plotting convention changed?)"
    problems = []
    for index, cell, claims in cells:
        figure = cell.metadata.get("mystnb", {}).get("figure")
        if claims:
            # myst-nb wraps every display output of a cell in the cell's figure, so the claim
            # lines would be captioned too and the figure's name defined twice (a warning
            # under -W): such a cell stays unnumbered until its plot gets a cell of its own.
            if figure:
                problems.append(f"cell {index}: displays claims, so it cannot be a figure")
            continue
        if not figure or not str(figure.get("caption", "")).strip():
            problems.append(f"cell {index}: no mystnb figure caption")
            continue
        name = str(figure.get("name", ""))
        if not name.startswith(f"fig-{chapter.id}-"):
            problems.append(f"cell {index}: name {name!r} does not start 'fig-{chapter.id}-'")
        elif not _referenced("numref", name, text):
            problems.append(f"cell {index}: {name} is never referred to ({{numref}}`{name}`)")
    assert not problems, f"{chapter.page}: " + "; ".join(problems)


def test_equation_labels_are_unique_prefixed_and_referenced():
    seen = defaultdict(list)
    problems = []
    for chapter in CHAPTERS:
        text = _chapter_text(chapter)
        for label in EQUATION_LABEL.findall(text):
            seen[label].append(chapter.id)
            if not label.startswith(f"eq-{chapter.id}-"):
                problems.append(f"{chapter.page}: {label} does not start 'eq-{chapter.id}-'")
            elif not _referenced("eq", label, text):
                problems.append(f"{chapter.page}: {label} is never referred to ({{eq}}`{label}`)")
    twice = sorted(f"{label}: {pages}" for label, pages in seen.items() if len(pages) > 1)
    assert not twice, f"equation labels defined more than once: {twice}"
    assert not problems, "; ".join(problems)
