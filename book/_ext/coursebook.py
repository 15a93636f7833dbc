"""Sphinx extension: small things the book needs that Jupyter Book lacks.

1. A ``{colab}`` role that links a notebook of the repository to Colab.
   ``{colab}`exercises/ex01_motif_fsm.ipynb``` becomes a link that opens that notebook on
   Colab; ``{colab}`Open the exercise <exercises/ex01_motif_fsm.ipynb>``` sets the text.
   The address is built from what Jupyter Book takes from ``_config.yml``
   (``repository.url``, ``repository.branch``, ``launch_buttons.colab_url``), so the
   repository is still named in one place only.  A target that is not a file of the
   repository is a warning.
2. A bibliography style, ``authoryear``, whose labels ("Elman 1990") match the author-year
   citations in the text (``bibtex_default_style: authoryear`` in ``_config.yml``).
3. A footer on every page with the course's version (``coursepkg.__version__``, the one
   place it is written) and the licences of the code and of the text and figures.
4. The book's style sheet, ``static/course.css``: one table style for every table that
   ``coursepkg.viz.Table`` prints, and display equations that scroll when wider than the
   column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from docutils import nodes
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import ReferenceRole

logger = logging.getLogger(__name__)


def colab_url(theme_options: dict, path: str) -> str:
    """The Colab address of ``path`` (relative to the repository root).

    Raises ``ValueError`` when the options lack a GitHub repository or a Colab address.
    """
    repo = str(theme_options.get("repository_url", "")).rstrip("/")
    branch = theme_options.get("repository_branch", "main")
    colab = str((theme_options.get("launch_buttons") or {}).get("colab_url", "")).rstrip("/")
    prefix = "https://github.com/"
    if not repo.startswith(prefix) or not colab:
        raise ValueError(
            "the {colab} role needs repository.url (a GitHub address) and "
            "launch_buttons.colab_url in _config.yml"
        )
    org_repo = repo[len(prefix) :]
    return f"{colab}/github/{org_repo}/blob/{branch}/{path.lstrip('/')}"


class ColabRole(ReferenceRole):
    """``{colab}`path``` or ``{colab}`text <path>```: a link that opens ``path`` on Colab."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        path = self.target.strip()
        if not (Path(self.env.srcdir) / path).is_file():
            logger.warning(
                "{colab} link to %s, which is not a file of the repository",
                path,
                location=self.get_location(),
            )
        try:
            url = colab_url(self.config.html_theme_options, path)
        except ValueError as err:
            logger.warning(str(err), location=self.get_location())
            return [nodes.literal(self.rawtext, path)], []
        text = self.title if self.has_explicit_title else f"{path} (open in Colab)"
        return [nodes.reference(self.rawtext, text, refuri=url)], []


def _author_year(entry) -> str:
    """``Elman 1990``, ``Hochreiter & Schmidhuber 1997``, ``Bengio et al. 1994``."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(person.last_names) for person in people]
    if len(names) > 2:
        who = f"{names[0]} et al."
    else:
        who = " & ".join(names) or entry.key
    return f"{who} {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    """Labels ``Author Year``; equal labels get ``a``, ``b``, ... appended."""

    def format_labels(self, sorted_entries: Iterable) -> Iterator[str]:
        entries = list(sorted_entries)
        labels = [_author_year(entry) for entry in entries]
        counts, seen = Counter(labels), Counter()
        for label in labels:
            if counts[label] > 1:
                seen[label] += 1
                label = f"{label}{chr(ord('a') + seen[label] - 1)}"
            yield label


class AuthorYearStyle(PlainStyle):
    """pybtex's ``plain`` style (sorted by author, year, title) with author-year labels."""

    default_label_style = AuthorYearLabels


FOOTER = (
    '<p class="coursepkg-footer">Course version <span class="coursepkg-version">{version}</span>. '
    "Text and figures: "
    '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>; code: MIT licence '
    "(see <code>LICENSE-CONTENT.md</code> and <code>LICENSE</code>; cite it with "
    "<code>CITATION.cff</code>).</p>"
)


def add_footer(app: Sphinx, config) -> None:
    """Put the version and the licences in the footer of every page."""
    from coursepkg import __version__

    options = dict(config.html_theme_options)
    options["extra_footer"] = FOOTER.format(version=__version__) + options.get("extra_footer", "")
    config.html_theme_options = options


STATIC = Path(__file__).parent / "static"


def add_static(app: Sphinx, config) -> None:
    """Put ``static/`` on the HTML static path, so ``course.css`` is copied with the book."""
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app: Sphinx) -> dict:
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle, force=True)
    app.add_role("colab", ColabRole())
    app.connect("config-inited", add_footer)
    app.connect("config-inited", add_static)
    app.add_css_file("course.css")
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
