"""Licences, citation and the course version: stated where people look, written once."""

import re
from pathlib import Path

import pytest
import tomllib
import yaml

from coursepkg import __version__

REPO = Path(__file__).resolve().parents[2]
HTML = REPO / "_build" / "html"


def test_the_version_is_written_once_and_read_from_there():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert "version" not in project and "version" in project["dynamic"]
    written = [
        p.relative_to(REPO)
        for p in (REPO / "coursepkg").rglob("*.py")
        if re.search(r"^__version__\s*=", p.read_text(), re.M)
    ]
    assert written == [Path("coursepkg/__init__.py")]
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_the_licences_are_in_the_repository_and_the_package_metadata():
    assert "MIT License" in (REPO / "LICENSE").read_text()
    content = (REPO / "LICENSE-CONTENT.md").read_text()
    assert "Creative Commons Attribution 4.0 International" in content
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert set(project["license-files"]) == {"LICENSE", "LICENSE-CONTENT.md"}
    readme = (REPO / "README.md").read_text()
    assert "CC BY 4.0" in readme and "MIT" in readme


def test_citation_names_the_public_repository_of_config():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    for key in ("cff-version", "message", "title", "authors", "license"):
        assert citation.get(key), key
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    assert citation["repository-code"] == config["repository"]["url"]
    assert set(citation["license"]) == {"MIT", "CC-BY-4.0"}


def test_the_built_book_shows_the_version_and_the_licences():
    if not (HTML / "index.html").exists():
        pytest.skip("_build/html is missing: build the book first (`make book`)")
    for page in ("book/intro.html", "book/results.html"):  # (index.html only redirects)
        text = (HTML / page).read_text()
        assert f'<span class="coursepkg-version">{__version__}</span>' in text, page
        assert "CC BY 4.0" in text and "MIT licence" in text, page


def test_the_release_and_every_bundle_carry_the_version(tmp_path):
    import zipfile

    from coursepkg.authoring.release import release

    written = release(REPO, tmp_path / "release")
    edition = written["student"]
    assert (edition / "VERSION").read_text().strip() == __version__
    for name in ("LICENSE", "LICENSE-CONTENT.md", "CITATION.cff"):
        assert (edition / name).is_file(), name
    assert (edition / ".github" / "workflows" / "book.yml").is_file()
    bundles = sorted((tmp_path / "release" / "autograder").glob("*.zip"))
    assert bundles
    for bundle in bundles:
        with zipfile.ZipFile(bundle) as archive:
            assert archive.read("VERSION").decode().strip() == __version__, bundle.name


def test_results_json_names_the_course_version():
    from coursepkg.grading.trusted.report import GradeReport, TestResult

    report = GradeReport("n.ipynb", "ex01_motif_fsm", tests=[TestResult("t", 1.0, 1.0)])
    results = report.gradescope()
    assert results["extra_data"] == {"course_version": __version__, "exercise": "ex01_motif_fsm"}
    assert f"coursepkg {__version__}" in results["output"]
    assert f"coursepkg {__version__}" in report.table()
