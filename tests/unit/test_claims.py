"""The claims registry: checks, recording for the results page, and chapter coverage."""

import json
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from coursepkg import claims
from coursepkg.claims import CHAPTER_PAGES, CLAIMS, check, find_root, load_all, record

ROOT = Path(__file__).resolve().parents[2]


def test_check_passes_a_value_that_holds():
    assert check("ch01.trained_accuracy", 0.999) is True


def test_check_failure_names_the_claim_its_sentence_and_the_value():
    claim = CLAIMS["ch01.trained_accuracy"]
    with pytest.raises(AssertionError) as info:
        check("ch01.trained_accuracy", 0.5)
    message = str(info.value)
    assert "ch01.trained_accuracy" in message and claim.sentence in message and "0.500" in message


def test_numbers_of_every_kind_are_accepted():
    for value in (0, 0.0, np.float64(0.0), np.int64(0), torch.tensor(0), torch.tensor(0.0)):
        assert check("ch01.fsm_exact", value)


def test_nan_never_holds():
    with pytest.raises(AssertionError):
        check("ch01.trained_accuracy", math.nan)


def test_unknown_claim_and_non_numbers_are_clear_errors():
    with pytest.raises(ValueError, match="unknown claim id 'ch01.nope'"):
        check("ch01.nope", 1.0)
    with pytest.raises(TypeError, match="expected a number"):
        check("ch01.trained_accuracy", "0.99")


def test_every_claim_belongs_to_a_chapter_page():
    for claim in CLAIMS.values():
        assert claim.chapter in CHAPTER_PAGES, f"{claim.id}: no page in CHAPTER_PAGES"


def _fake_repo(tmp_path: Path) -> Path:
    (tmp_path / "_config.yml").write_text("title: test\n")
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    (tmp_path / "book").mkdir()
    return tmp_path


def test_record_writes_the_chapter_file_from_a_notebook_folder(tmp_path, monkeypatch, capsys):
    root = _fake_repo(tmp_path)
    monkeypatch.chdir(root / "book")  # notebooks execute in book/
    assert find_root() == root
    record("ch01.trained_accuracy", 0.99)
    record("ch01.fsm_exact", 3)  # fails, and is recorded as failing
    saved = json.loads((root / "_build" / "claims" / "ch01.json").read_text())
    assert saved["chapter"] == "ch01"
    assert saved["claims"]["ch01.trained_accuracy"]["passed"] is True
    failing = saved["claims"]["ch01.fsm_exact"]
    assert (failing["value"], failing["passed"]) == (3.0, False)
    assert set(load_all(root)) == {"ch01.trained_accuracy", "ch01.fsm_exact"}
    shown = capsys.readouterr().out
    assert "holds" in shown and "FAILS" in shown


def test_record_outside_a_repository_only_displays(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert find_root() is None
    record("ch01.trained_accuracy", 0.99)
    assert "ch01.trained_accuracy" in capsys.readouterr().out
    assert not (tmp_path / "_build").exists()


def test_measurement_html_names_the_claim():
    claim = CLAIMS["ch01.state_purity"]
    html = claims.Measurement(claim, 0.95, True)._repr_html_()
    assert 'data-claim="ch01.state_purity"' in html and "0.950" in html


def _recorded_ids(notebook: Path) -> set[str]:
    nb = nbformat.read(notebook, as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    return set(re.findall(r"""record\(\s*["']([\w.]+)["']""", code))


@pytest.mark.parametrize("chapter", sorted(CHAPTER_PAGES))
def test_chapters_record_only_registered_claims(chapter):
    notebook = ROOT / f"{CHAPTER_PAGES[chapter]}.ipynb"
    if not notebook.exists():
        pytest.skip(f"{notebook.relative_to(ROOT)} is not written yet")
    unknown = {cid for cid in _recorded_ids(notebook) if CLAIMS.get(cid, None) is None}
    assert not unknown, f"{notebook.name} records claims missing from the registry: {unknown}"


def test_chapter_1_records_every_one_of_its_claims():
    # Chapters that record in a loop are covered by the build instead: the results page
    # warns (and `jupyter-book build -W` fails) about a claim that was not measured.
    registered = {cid for cid, claim in CLAIMS.items() if claim.chapter == "ch01"}
    assert _recorded_ids(ROOT / "book" / "01_hidden_state.ipynb") == registered
