"""The PDF of the book (``make pdf``), read back: every chapter, its figures, its equations.

``make test`` prints the PDF before pytest runs; without Chromium there is none, and these
tests say so and skip.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coursepkg.authoring.pdf import single_page
from coursepkg.chapters import CHAPTERS

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "book.pdf"
SINGLE = ROOT / "_build" / "singlehtml"

pypdf = pytest.importorskip("pypdf")
pytestmark = pytest.mark.skipif(
    not PDF.exists(), reason=f"{PDF} is missing: `make pdf` prints it (it needs Chromium)"
)


@pytest.fixture(scope="module")
def reader():
    return pypdf.PdfReader(str(PDF))


@pytest.fixture(scope="module")
def text(reader) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def test_pdf_holds_every_chapter_in_order(text):
    positions = []
    for chapter in CHAPTERS:
        found = text.find(chapter.title)
        assert found >= 0, f"{PDF.name}: no chapter titled {chapter.title!r}"
        positions.append(found)
    assert positions == sorted(positions), f"{PDF.name}: chapters out of order"
    for page in ("Practice", "Results", "Glossary"):
        assert page in text, f"{PDF.name}: no {page} page"


def test_pdf_has_every_figure_of_the_book(reader):
    html = single_page(SINGLE).read_text(errors="replace")
    figures = len(re.findall(r'<img\b[^>]*src="_images/', html))
    images = sum(len(page.images) for page in reader.pages)
    assert figures > 0
    assert images >= figures, f"{PDF.name}: {images} images for the book's {figures} figures"


def test_pdf_equations_are_typeset_not_raw_tex(text):
    assert "\\frac" not in text and "\\lVert" not in text, "raw TeX in the PDF"


def test_pdf_pages_are_a4_and_many(reader):
    assert len(reader.pages) >= 10 * len(CHAPTERS) // 2
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595) < 3 and abs(float(box.height) - 842) < 3, "not A4"
