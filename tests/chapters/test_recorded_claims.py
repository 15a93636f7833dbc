"""Every claim of the book holds on the values the last book build recorded.

The tests do not train anything: ``make book`` executes each chapter once, and each chapter's
``record``/``record_all`` calls save every claim's values to ``_build/claims/<chapter>.json``.
This test is parametrised over :func:`coursepkg.claims.all_claims`, so a chapter added later
is covered as soon as it is registered.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepkg import claims, seeds

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = claims.all_claims()


@pytest.fixture(scope="module")
def recorded() -> dict[str, dict]:
    return claims.load_all(ROOT)


def _measurement(claim_id: str, recorded: dict) -> claims.Measurement:
    claim = CLAIMS[claim_id]
    saved = recorded.get(claim_id)
    if not saved or not saved.get("values"):
        pytest.fail(
            f"claim {claim_id} has no value in _build/claims/{claim.chapter}.json: "
            "build the book first (make book)"
        )
    try:
        return claims.saved_measurement(claim_id, saved)
    except ValueError as error:  # too few seeds, or a seed missing for a value
        pytest.fail(f"claim {claim_id} was recorded in a form that cannot decide it: {error}")


@pytest.mark.parametrize("claim_id", list(CLAIMS))
def test_recorded_claim_holds(claim_id, recorded):
    measured = _measurement(claim_id, recorded)
    claim = measured.claim
    assert measured.passed, (
        f"claim {claim_id} does not hold: {claim.sentence} Measured {claim.measure} = "
        f"{measured.shown()}, which needs {claim.requirement}."
    )


@pytest.mark.parametrize("claim_id", [cid for cid, c in CLAIMS.items() if c.random])
def test_random_claims_use_the_books_block_of_seeds(claim_id, recorded):
    measured = _measurement(claim_id, recorded)
    n = len(measured.values)
    assert n >= claims.MIN_SEEDS, f"{claim_id} was measured over {n} seeds"
    assert list(measured.seeds) == seeds.block(n), (
        f"{claim_id} was measured on seeds {list(measured.seeds)}, not on the book's block "
        f"{seeds.block(n)} (set {seeds.ENV_SEED_BASE} as for the build, or rebuild the book)"
    )
