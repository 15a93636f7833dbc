"""The built book, opened page by page in headless Chromium, offline.

This test builds nothing: it reads ``_build/html`` (``make book`` builds it first) and
serves it on 127.0.0.1.  For every page it checks what a reader would notice: the page
loads without JavaScript errors (apart from Thebe's known one), asks nothing of the
network, shows no error output, draws its figures and its equations, and, for a
notebook, offers the Colab launch button; no element is wider than the text column
(unless it scrolls inside it); a screenshot of its first screen is kept in
``_build/screenshots/`` (CI keeps it as an artifact).  The "next" links walk the pages in
the order of ``_toc.yml``, the search finds every chapter by its title, and the results page
must show every claim of the chapters in the build as holding.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import yaml

from coursepkg.authoring.browser import CHROMIUM, CHROMIUM_ARGS, serve
from coursepkg.chapters import CHAPTERS
from coursepkg.claims import all_claims

CLAIMS = all_claims()
CHAPTER_PAGES = {c.id: c.page for c in CHAPTERS}

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
KNOWN_PAGE_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared",)
"""sphinx-thebe declares this twice on every page; harmless, and not ours to fix."""

SKIP_FOLDERS = {"_static", "_sources", "_images", "_sphinx_design_static"}

pytestmark = pytest.mark.browser


def _pages() -> list[str]:
    """Every HTML page of the built book, relative to ``_build/html``."""
    if not (HTML / "index.html").exists():
        return []
    found = []
    for path in sorted(HTML.rglob("*.html")):
        relative = path.relative_to(HTML)
        if not SKIP_FOLDERS & set(relative.parts[:-1]):
            found.append(relative.as_posix())
    return found


PAGES = _pages()
NOT_BUILT = "_build/html/index.html is missing: build the book first (`make book`)"


def _is_notebook(page: str) -> bool:
    return (HTML / "_sources" / page).with_suffix(".ipynb").exists()


def _colab_url(page: str) -> str:
    """The launch button's address for a notebook page, from _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]
    org_repo = urlparse(repo["url"]).path.strip("/")
    colab = config["launch_buttons"]["colab_url"].rstrip("/")
    book = repo.get("path_to_book", "").strip("/").strip(".").strip("/")
    path = f"{book}/{page}" if book else page
    return f"{colab}/github/{org_repo}/blob/{repo['branch']}/{Path(path).with_suffix('.ipynb')}"


@pytest.fixture(scope="module")
def base_url():
    with serve(HTML) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, base_url):
    """Open a page; return it with the page errors and off-site requests it produced."""
    opened = []

    def _open(relative: str):
        page = browser.new_page()
        opened.append(page)
        errors: list[str] = []
        offsite: list[str] = []

        def note_offsite(request) -> None:
            if urlparse(request.url).hostname not in (None, "127.0.0.1"):
                offsite.append(request.url)

        page.on("pageerror", lambda err: errors.append(str(err)))
        page.on("request", note_offsite)
        response = page.goto(f"{base_url}/{relative}", wait_until="load")
        assert response is not None and response.ok, f"{relative} did not load"
        source = (HTML / relative.split("?")[0]).read_text(errors="replace")
        redirect = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', source)
        if redirect:  # index.html forwards to the root page: check where it lands
            target = urljoin(f"{base_url}/{relative}", redirect.group(1))
            page.wait_for_url(target)
            page.wait_for_load_state("load")
        _wait_for_mathjax(page)
        return page, errors, offsite

    yield _open
    for page in opened:
        page.close()


def _wait_for_mathjax(page) -> None:
    """Wait until MathJax has typeset the page's equations (if it has any)."""
    if page.locator(".math").count() == 0:
        return
    try:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=15_000
        )
    except Exception as err:  # playwright's TimeoutError
        pytest.fail(
            f"{page.url}: MathJax never started, so the equations show as raw TeX "
            f"(is sphinx-mathjax-offline in _config.yml's extra_extensions?) [{err}]"
        )
    page.evaluate("() => MathJax.startup.promise.then(() => true)")


@pytest.mark.parametrize(
    "relative", PAGES or [pytest.param(None, marks=pytest.mark.skip(reason=NOT_BUILT))]
)
def test_page_renders_offline_without_errors(open_page, relative):
    page, errors, offsite = open_page(relative)
    unexpected = [e for e in errors if not any(known in e for known in KNOWN_PAGE_ERRORS)]
    assert not unexpected, f"{relative}: JavaScript errors {unexpected}"
    assert not offsite, f"{relative}: requests that need a network {offsite}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / relative.replace("/", "__").replace(".html", ".png")))
    failing = page.locator(".output.traceback, .output.stderr, .output.error")
    assert failing.count() == 0, f"{relative}: error output in a cell: {failing.first.inner_text()}"

    broken = page.evaluate(
        "() => [...document.querySelectorAll('main img')]"
        ".filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)"
    )
    assert not broken, f"{relative}: images that did not load {broken}"
    if page.locator(".cell_output").count() > 0:
        figures = page.locator(".cell_output img")
        assert figures.count() > 0, f"{relative}: has code output but no figures"

    maths = page.locator(".math")
    if maths.count() > 0:
        untypeset = page.evaluate(
            "() => [...document.querySelectorAll('.math')]"
            ".filter(el => !el.querySelector('mjx-container')).length"
        )
        assert untypeset == 0, f"{relative}: {untypeset} equations were not typeset"
        prose = page.evaluate(
            "() => { const a = document.querySelector('main').cloneNode(true);"
            " a.querySelectorAll('pre, code, script').forEach(el => el.remove());"
            " return a.innerText; }"
        )
        for raw in ("\\(", "\\["):
            assert raw not in prose, f"{relative}: raw TeX {raw!r} left on the page"


@pytest.mark.parametrize(
    "relative",
    [p for p in PAGES if _is_notebook(p)]
    or [pytest.param(None, marks=pytest.mark.skip(reason=NOT_BUILT))],
)
def test_notebook_page_offers_colab(open_page, relative):
    page, _, _ = open_page(relative)
    hrefs = page.evaluate(
        "() => [...document.querySelectorAll('a')].map(a => a.href)"
        ".filter(h => h.includes('colab.research.google.com'))"
    )
    assert _colab_url(relative) in hrefs, f"{relative}: Colab launch links {hrefs}"


def test_chapter_1_has_typeset_equations_and_figures(open_page):
    if "book/01_hidden_state.html" not in PAGES:
        pytest.skip(NOT_BUILT)
    page, _, _ = open_page("book/01_hidden_state.html")
    assert page.locator("mjx-container").count() > 10
    assert page.locator(".cell_output img").count() >= 6
    assert page.locator(".coursepkg-claim").count() == sum(
        1 for claim in CLAIMS.values() if claim.chapter == "ch01"
    )


def test_results_page_shows_every_built_chapter_claim_holding(open_page):
    if "book/results.html" not in PAGES:
        pytest.skip(NOT_BUILT)
    page, _, _ = open_page("book/results.html")
    rows = page.evaluate(
        "() => [...document.querySelectorAll('table.claims-table tbody tr')]"
        ".map(tr => tr.innerText)"
    )
    assert len(rows) == len(CLAIMS)
    for claim in CLAIMS.values():
        page_name = CHAPTER_PAGES.get(claim.chapter)
        built = page_name is not None and (HTML / f"{page_name}.html").exists()
        (row,) = [r for r in rows if claim.id in r]
        if built:
            assert "holds" in row, f"results page: {claim.id} does not hold: {row}"


WIDER_THAN_COLUMN = """() => {
  const column = document.querySelector('article.bd-article') || document.querySelector('main');
  const right = column.getBoundingClientRect().right + 2;
  const scrolls = el => {
    for (let a = el.parentElement; a && a !== column; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  return [...column.querySelectorAll('*')]
    .filter(el => el.getClientRects().length && el.getBoundingClientRect().right > right)
    .filter(el => !scrolls(el))
    .map(el => `${el.tagName.toLowerCase()}.${el.className}`
      + ` (${Math.round(el.getBoundingClientRect().width)} px)`)
    .slice(0, 5);
}"""


@pytest.mark.parametrize(
    "relative", PAGES or [pytest.param(None, marks=pytest.mark.skip(reason=NOT_BUILT))]
)
def test_nothing_is_wider_than_the_text_column(open_page, relative):
    page, _, _ = open_page(relative)
    if page.locator("article.bd-article, main").count() == 0:
        pytest.skip(f"{relative} has no text column (a redirect or a generated index)")
    wide = page.evaluate(WIDER_THAN_COLUMN)
    assert not wide, f"{relative}: elements run past the text column and do not scroll: {wide}"


def _toc_pages() -> list[str]:
    """The book's pages in reading order, as ``_toc.yml`` lists them."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return [f"{name}.html" for name in files]


def test_next_links_walk_the_book_in_toc_order(open_page):
    if not PAGES:
        pytest.skip(NOT_BUILT)
    expected = _toc_pages()
    walked = [expected[0]]
    page, _, _ = open_page(expected[0])
    while len(walked) < len(expected) + 1:
        following = page.locator("a.right-next")
        if following.count() == 0:
            break
        following.first.click()
        page.wait_for_load_state("load")
        walked.append(urlparse(page.url).path.lstrip("/"))
    assert walked == expected, f"'next' links walk {walked}, the toc says {expected}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.id)
def test_search_finds_each_chapter_by_its_title(open_page, chapter):
    if f"{chapter.page}.html" not in PAGES:
        pytest.skip(NOT_BUILT)
    page, _, _ = open_page(f"search.html?q={chapter.title}")
    page.wait_for_function(
        "() => { const s = document.querySelector('#search-results .search-summary');"
        " return s && /found|did not match/i.test(s.textContent); }",
        timeout=30_000,
    )
    hits = page.evaluate(
        "() => [...document.querySelectorAll('#search-results li a')]"
        ".map(a => new URL(a.href).pathname.replace(/^\\//, ''))"
    )
    assert f"{chapter.page}.html" in hits[:3], f"searching {chapter.title!r} found {hits[:5]}"
