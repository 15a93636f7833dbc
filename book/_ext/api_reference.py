"""Sphinx extension (local, see ``_config.yml``): the API reference lists every module of a
package, documented from its docstrings by ``sphinx.ext.autodoc``.

A page asks for one package's modules with the directive::

    ```{api-modules} coursepkg.models
    :exclude: coursepkg.models.secret
    ```

which becomes, for the package and every module below it (found with ``pkgutil``, sorted,
private ``_modules`` skipped, the ``:exclude:`` ones and everything under them left out), a
section titled with the module's name holding ``.. automodule:: name`` with ``:members:``
(inside MyST's ``eval-rst``, since the page is Markdown and autodoc writes
reStructuredText).
So a module added to the package appears on the page at the next build without anyone
editing the page, and a docstring that is not valid reStructuredText (numpydoc sections are
read by ``sphinx.ext.napoleon``) is a warning, which ``-W`` turns into a failed build.
"""

from __future__ import annotations

import importlib
import pkgutil

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def modules_under(package: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """``package`` and every public module below it, sorted, without ``exclude`` (and their
    submodules)."""

    def excluded(name: str) -> bool:
        return any(name == e or name.startswith(e + ".") for e in exclude)

    root = importlib.import_module(package)
    found = [package]
    if hasattr(root, "__path__"):
        for info in pkgutil.walk_packages(root.__path__, prefix=package + "."):
            if not any(part.startswith("_") for part in info.name.split(".")):
                found.append(info.name)
    return sorted(name for name in found if not excluded(name))


class ApiModulesDirective(SphinxDirective):
    """``{api-modules} package``: a section with ``automodule`` for each module of it."""

    required_arguments = 1
    option_spec = {"exclude": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        exclude = tuple((self.options.get("exclude") or "").split())
        source = self.get_source_info()[0]
        sections = []
        for name in modules_under(self.arguments[0], exclude):
            section = nodes.section(ids=[nodes.make_id(f"api-{name}")], names=[name])
            section += nodes.title(name, "", nodes.literal(name, name))
            # The page is MyST Markdown; autodoc writes reStructuredText, so it runs inside
            # MyST's eval-rst directive.
            lines = ["```{eval-rst}", f".. automodule:: {name}", "   :members:", "```"]
            body = StringList(lines, source=source)
            self.state.nested_parse(body, self.content_offset, section)
            sections.append(section)
        return sections


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def literal_blocks(app, what, name, obj, options, lines: list[str]) -> None:
    """Show the package's plain-text equation blocks as written (``autodoc-process-docstring``).

    The package's docstrings write equations and tables as a block indented under a
    paragraph, separated by a blank line (``h_t = tanh(W_h h_{t-1} + ...)``), the way
    minGPT and torch's own docstrings do. reStructuredText would reflow such a block as a
    quotation and read ``|x|`` or ``*`` in it as markup; a block quoted this way is turned
    into a literal block (its paragraph ends in ``::``), so it keeps its alignment and its
    symbols. Doctests, directives, lists and numpydoc items are left alone.
    """
    for i in range(2, len(lines)):
        line, blank, before = lines[i], lines[i - 1], lines[i - 2]
        if not line.strip() or blank.strip() or not before.strip():
            continue
        if _indent(line) <= _indent(before) or line.lstrip().startswith(">>>"):
            continue
        head = before.strip()
        if head.endswith("::") or head.startswith((".. ", "* ", "- ", ":")) or head[0].isdigit():
            continue
        if set(head) <= set("-=~^"):  # a section underline (numpydoc "Parameters\n---")
            continue
        lines[i - 2] = before.rstrip()[:-1] + "::" if head.endswith(":") else before + " ::"


def setup(app: Sphinx) -> dict:
    app.add_directive("api-modules", ApiModulesDirective)
    # before napoleon (priority 500), which turns numpydoc sections into fields
    app.connect("autodoc-process-docstring", literal_blocks, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
