"""The claims framework: rules over seeds, recording for the results page, the registry."""

import json
import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from coursepkg import claims, seeds
from coursepkg.chapters import CHAPTERS
from coursepkg.claims import (
    Claim,
    Measurement,
    all_claims,
    check,
    find_root,
    load_all,
    record,
    record_all,
)

ROOT = Path(__file__).resolve().parents[2]


def _claim(**kwargs) -> Claim:
    fields = dict(id="ch00.x", sentence="s", measure="m", op=">=", threshold=0.9)
    fields.update(kwargs)
    return Claim(**fields)


def test_a_deterministic_claim_is_one_value():
    c = _claim()
    assert c.holds([0.95]) and not c.holds(0.5)
    with pytest.raises(ValueError, match="one value"):
        c.holds([0.95, 0.96])


def test_median_rule_ignores_one_bad_seed_but_not_two_of_five():
    c = _claim(over="median")
    assert c.holds([0.95, 0.97, 0.2, 0.99, 0.93])
    assert not c.holds([0.95, 0.3, 0.2, 0.99, 0.5])
    assert c.requirement.startswith("median")


def test_every_rule_is_decided_by_the_worst_seed():
    c = _claim(op="<=", threshold=0.6, over="every")
    assert c.statistic([0.5, 0.55, 0.52, 0.51, 0.58]) == 0.58
    assert not c.holds([0.5, 0.55, 0.52, 0.51, 0.61])


def test_k_of_n_rule_counts_passing_seeds():
    c = _claim(over="k_of_n", k=4)
    assert c.holds([0.95, 0.97, 0.2, 0.99, 0.93])
    assert not c.holds([0.95, 0.2, 0.2, 0.99, 0.93])
    assert "at least 4 seeds" in c.requirement


def test_random_claims_need_at_least_five_seeds():
    with pytest.raises(ValueError, match="at least 5 seeds"):
        _claim(over="median").holds([0.95, 0.96, 0.97])


def test_k_is_given_exactly_for_k_of_n():
    with pytest.raises(ValueError, match="k is needed"):
        _claim(over="k_of_n")
    with pytest.raises(ValueError, match="k is needed"):
        _claim(over="median", k=3)


def test_nan_never_holds():
    assert not _claim().holds(math.nan)
    assert not _claim(over="median").holds([math.nan] * 5)


def test_measurement_shows_the_spread_and_the_seeds():
    m = Measurement(_claim(over="median"), (0.95, 0.97, 0.91, 0.99, 0.93), (0, 1, 2, 3, 4))
    assert m.passed
    assert m.shown() == "median 0.950 (0.910\u20130.990, 5 seeds)"
    assert 'data-passed="true"' in m._repr_html_()


def test_measurement_parts_for_the_results_page():
    m = Measurement(_claim(over="k_of_n", k=4), (0.95, 0.97, 0.91, 0.99, 0.5), (7, 8, 9, 10, 11))
    assert m.parts() == {
        "value": "4 of 5 seeds pass",
        "spread": "min 0.500, max 0.990",
        "seeds": "7\u201311 (5 seeds)",
    }
    assert Measurement(_claim(), (0.95,)).parts() == {"value": "0.950"}


def test_numbers_of_every_kind_are_accepted():
    for value in (0, 0.0, np.float64(0.0), np.int64(0), torch.tensor(0), torch.tensor(0.0)):
        assert check("ch01.fsm_exact", value)


def test_unknown_claim_and_non_numbers_are_clear_errors():
    with pytest.raises(ValueError, match="unknown claim id 'ch01.nope'"):
        check("ch01.nope", 1.0)
    with pytest.raises(TypeError, match="expected numbers"):
        check("ch01.fsm_exact", "0")


def test_random_claims_need_the_seed_of_every_value():
    random_claim = (
        next(c for c in all_claims().values() if c.random)
        if any(c.random for c in all_claims().values())
        else None
    )
    if random_claim is None:
        pytest.skip("no claim about a random procedure is registered yet")
    with pytest.raises(ValueError, match="seed of every value"):
        claims.measurement(random_claim.id, [1.0] * 5)


def test_registry_has_every_chapter_and_unique_ids():
    registered = all_claims()
    assert {c.chapter for c in registered.values()} <= {ch.id for ch in CHAPTERS}
    for chapter in CHAPTERS:
        module = chapter.claims_module()
        assert module.CLAIMS, f"{chapter.id} declares no claims"
        assert callable(module.measure)


def _fake_repo(tmp_path: Path) -> Path:
    (tmp_path / "_config.yml").write_text("title: test\n")
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    (tmp_path / "book").mkdir()
    return tmp_path


def test_record_writes_the_chapter_file_from_a_notebook_folder(tmp_path, monkeypatch, capsys):
    root = _fake_repo(tmp_path)
    monkeypatch.chdir(root / "book")  # notebooks execute in book/
    assert find_root() == root
    record("ch01.fsm_exact", 0)
    record("ch01.self_connection_needed", 0.01)  # fails, and is recorded as failing
    saved = json.loads((root / "_build" / "claims" / "ch01.json").read_text())
    assert saved["chapter"] == "ch01"
    assert saved["claims"]["ch01.fsm_exact"]["passed"] is True
    failing = saved["claims"]["ch01.self_connection_needed"]
    assert (failing["values"], failing["passed"]) == ([0.01], False)
    assert set(load_all(root)) == {"ch01.fsm_exact", "ch01.self_connection_needed"}
    shown = capsys.readouterr().out
    assert "holds" in shown and "FAILS" in shown


def test_record_outside_a_repository_only_displays(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert find_root() is None
    record("ch01.fsm_exact", 0)
    assert "ch01.fsm_exact" in capsys.readouterr().out
    assert not (tmp_path / "_build").exists()


def test_seed_blocks_and_derived_seeds(monkeypatch):
    monkeypatch.delenv(seeds.ENV_SEED_BASE, raising=False)
    assert seeds.block(3) == [0, 1, 2]
    monkeypatch.setenv(seeds.ENV_SEED_BASE, "1000")
    assert seeds.block(2) == [1000, 1001]
    assert seeds.derive(5, "data") == seeds.derive(5, "data") != seeds.derive(5, "init")
    monkeypatch.setenv(seeds.ENV_SEED_BASE, "many")
    with pytest.raises(ValueError, match="must be an integer"):
        seeds.block(2)


def _square(seed: int, offset: int = 0) -> int:
    return seed * seed + offset


def test_map_seeds_keeps_order_in_one_and_two_processes():
    assert seeds.map_seeds(_square, [3, 1, 2], processes=1, offset=1) == [10, 2, 5]
    assert seeds.map_seeds(_square, [3, 1, 2], processes=2, offset=1) == [10, 2, 5]


def _fails(seed: int) -> int:
    raise RuntimeError(f"seed {seed} failed")


def test_submit_seeds_returns_futures_in_order_and_passes_errors_on():
    futures = seeds.submit_seeds(_square, [4, 2], processes=2, offset=1)
    assert [f.result() for f in futures] == [17, 5]
    (done,) = seeds.submit_seeds(_fails, [3], processes=1)
    with pytest.raises(RuntimeError, match="seed 3 failed"):
        done.result()
    with pytest.raises(ValueError, match="processes"):
        seeds.submit_seeds(_square, [1], processes=0)


def test_record_all_records_values_and_seed_blocks(tmp_path, monkeypatch, capsys):
    root = _fake_repo(tmp_path)
    monkeypatch.chdir(root)
    random_claim = next(c for c in all_claims().values() if c.random)
    measured = {
        "ch01.fsm_exact": 0,
        random_claim.id: ([random_claim.threshold] * 5, [0, 1, 2, 3, 4]),
    }
    record_all(measured, "ch01.fsm_exact")
    assert set(load_all(root)) == {"ch01.fsm_exact"}
    record_all(measured)
    saved = load_all(root)
    assert saved[random_claim.id]["seeds"] == [0, 1, 2, 3, 4]
    assert "ch01.fsm_exact" in capsys.readouterr().out
    with pytest.raises(ValueError, match="not among the measured"):
        record_all(measured, "ch01.self_connection_needed")


def _recorded_ids(notebook: Path) -> set[str]:
    """Claim ids a notebook names in ``record("id", ...)`` or ``record_all(..., "id", ...)``."""
    nb = nbformat.read(notebook, as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    named = set(re.findall(r"""record\(\s*["']([\w.]+)["']""", code))
    for call in re.findall(r"record_all\(([^)]*\)[^)]*)\)", code):
        named |= set(re.findall(r"""["'](ch\d\d\.[\w.]+)["']""", call))
    return named


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_chapters_record_only_their_registered_claims(chapter):
    notebook = ROOT / f"{chapter.page}.ipynb"
    unknown = {cid for cid in _recorded_ids(notebook) if cid not in all_claims()}
    assert not unknown, f"{notebook.name} records claims missing from the registry: {unknown}"
