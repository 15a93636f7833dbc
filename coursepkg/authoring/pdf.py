"""The book as one PDF, printed by Chromium from the single-page HTML build.

Jupyter Book 1's own PDF routes need either a LaTeX installation or ``pyppeteer``, which
downloads a browser at run time (there is no network here). The HTML route needs neither:
``jupyter-book build --builder singlehtml`` writes the whole book as one page (the
notebooks are not executed again: the HTML build's execution cache serves them), and the
Chromium the browser tests use prints it, after MathJax has typeset every equation::

    jupyter-book build . --builder singlehtml      # -> _build/singlehtml/index.html
    coursepkg pdf                                  # -> _build/pdf/book.pdf

The interactive explorers need a kernel and are absent from any static book; every one has
a static figure beside it, which the PDF keeps.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from coursepkg.authoring.browser import CHROMIUM, CHROMIUM_ARGS, serve

PRINT_CSS = """
/* Printing: the text column only, nothing that needs a kernel or a mouse. */
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-footer-content,
.header-article, .prev-next-area, .bd-header-announcement, .skip-link, .toggle-secondary-sidebar,
.headerlink, .copybtn, .cell_input .copybtn { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
mjx-container[display="true"], div.math, table.coursepkg-table, div.cell_output pre {
  overflow: visible !important; white-space: pre-wrap; }
img { max-width: 100% !important; page-break-inside: avoid; }
h1, h2, h3 { page-break-after: avoid; }
section > h1 { page-break-before: always; }
"""


def single_page(html_dir: Path) -> Path:
    """The page that holds the whole book: ``index.html``, or where it redirects to (Jupyter
    Book writes a redirect to the root page, ``book/intro.html``, as ``index.html``)."""
    index = Path(html_dir) / "index.html"
    if not index.exists():
        raise FileNotFoundError(
            f"{index} is missing: build the single-page book first "
            "(jupyter-book build . --builder singlehtml)"
        )
    redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', index.read_text())
    return index.parent / redirect.group(1) if redirect else index


def print_book(html_dir: Path, out: Path, *, chromium: str = CHROMIUM) -> Path:
    """Print the single-page build in ``html_dir`` (see :func:`single_page`) to ``out``.

    The folder is served on 127.0.0.1 (pages loaded from ``file://`` may not load their
    scripts), every equation is typeset before printing, and the page is printed on A4 with
    its backgrounds. Raises ``FileNotFoundError`` when the build or Chromium is missing and
    ``RuntimeError`` when MathJax never finishes.
    """
    html_dir = Path(html_dir)
    # Sphinx writes the single page's links relative to the build's root (``_static/``,
    # ``_images/``) even when the page itself lands in ``book/``: print a copy at the root.
    book = "print.html"
    shutil.copyfile(single_page(html_dir), html_dir / book)
    if not Path(chromium).exists():
        raise FileNotFoundError(f"{chromium} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # a test and authoring dependency

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".pdf.part")
    with serve(html_dir) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{base}/{book}", wait_until="load")
        if page.locator(".math").count():
            try:
                page.wait_for_function(
                    "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                    timeout=60_000,
                )
            except Exception as err:  # playwright's TimeoutError
                raise RuntimeError(f"MathJax never started on the book page: {err}") from err
            page.evaluate("() => MathJax.startup.promise.then(() => true)")
        page.add_style_tag(content=PRINT_CSS)
        page.emulate_media(media="print")
        page.pdf(
            path=str(partial),
            format="A4",
            print_background=True,
            margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
        )
        browser.close()
    partial.replace(out)  # a failed print never leaves a half-written book.pdf
    return out
