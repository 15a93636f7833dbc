"""The book's claims: sentences about measured numbers, and the checks that decide them.

Each chapter declares its claims in ``coursepkg/chapters/<chapter>/claims.py`` (a list
``CLAIMS`` and a function ``measure(seed_base)``); :func:`all_claims` collects them in book
order. A claim is decided by one of four rules (``over``):

``"value"``
    a deterministic computation gives one number: ``value op threshold``.
``"median"``
    a random procedure (training, simulation, k-means) is run for a block of seeds
    (:func:`coursepkg.seeds.block`): ``median(values) op threshold``.
``"every"``
    every seed of the block must pass: ``value op threshold`` for each.
``"k_of_n"``
    at least ``k`` seeds of the block pass.

A chapter measures a claim and calls :func:`record` (or :func:`record_all` with an
experiment result's ``claims()``), which shows one line (value, spread, rule, verdict) and,
inside the repository, saves every seed's value to ``<root>/_build/claims/<chapter>.json``.
The results page (``book/_ext/claims_table.py``) and the tests (``tests/chapters``) read
those files: the build measures, the tests assert what it measured.
``coursepkg claims --seed-base N`` calls each chapter's ``measure`` to re-measure every
claim on another block of seeds, without building the book.
"""

from __future__ import annotations

import html
import json
import math
import numbers
import os
import statistics
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

CLAIMS_DIR = Path("_build") / "claims"
"""Where :func:`record` writes, relative to the repository root."""

_SYMBOLS = {">=": "\u2265", "<=": "\u2264", "==": "="}
RULES = ("value", "median", "every", "k_of_n")
MIN_SEEDS = 5
"""A claim about a random procedure is measured over at least this many seeds."""


@dataclass(frozen=True)
class Claim:
    """A sentence of the book and the rule a measured number must pass for it to hold.

    Parameters
    ----------
    id : str
        ``"<chapter>.<name>"``, e.g. ``"ch01.fsm_exact"``.
    sentence : str
        The claim as the reader meets it.
    measure : str
        What one value is (its meaning and unit), e.g. "held-out accuracy at distance 60".
    op : {">=", "<=", "=="}
    threshold : float
    over : {"value", "median", "every", "k_of_n"}
        How the values of several seeds decide the claim (see the module docstring).
    k : int, optional
        For ``over="k_of_n"``: how many seeds must pass.
    fmt : str
        Format spec of one value, e.g. ``".3f"`` or ``".1%"``.
    """

    id: str
    sentence: str
    measure: str
    op: str
    threshold: float
    over: str = "value"
    k: int | None = None
    fmt: str = ".3f"

    def __post_init__(self) -> None:
        if self.op not in _SYMBOLS:
            raise ValueError(
                f"claim {self.id}: op must be one of {sorted(_SYMBOLS)}, not {self.op!r}"
            )
        if self.over not in RULES:
            raise ValueError(f"claim {self.id}: over must be one of {RULES}, not {self.over!r}")
        if (self.over == "k_of_n") != (self.k is not None):
            raise ValueError(f"claim {self.id}: k is needed with over='k_of_n' and only then")
        if "." not in self.id:
            raise ValueError(f"claim id must look like 'ch01.name', got {self.id!r}")

    @property
    def chapter(self) -> str:
        """The chapter prefix of the id (``"ch01"``)."""
        return self.id.split(".", 1)[0]

    @property
    def random(self) -> bool:
        """Whether the claim is about a random procedure (measured over seeds)."""
        return self.over != "value"

    @property
    def requirement(self) -> str:
        """The rule in words, e.g. ``"median ≥ 0.900"`` or ``"≥ 0.900 in at least 4 seeds"``."""
        bound = f"{_SYMBOLS[self.op]}\u00a0{self.format(self.threshold)}"  # no line break
        if self.over == "median":
            return f"median {bound}"
        if self.over == "every":
            return f"every seed {bound}"
        if self.over == "k_of_n":
            return f"{bound} in at least {self.k} seeds"
        return bound

    def format(self, value: float | None) -> str:
        """Show ``value`` the way this claim's numbers are shown."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "nan"
        return format(value, self.fmt)

    def passes(self, value: float) -> bool:
        """Whether one value meets the bound (NaN never does)."""
        if math.isnan(value):
            return False
        if self.op == ">=":
            return value >= self.threshold
        if self.op == "<=":
            return value <= self.threshold
        return value == self.threshold

    def statistic(self, values: Sequence[float]) -> float:
        """The number the rule compares: the value, the median, the worst seed, or the count
        of passing seeds (``k_of_n``)."""
        values = _as_values(values, self.id)
        if self.over == "value":
            return values[0]
        if any(math.isnan(v) for v in values):
            return math.nan if self.over != "k_of_n" else float(sum(map(self.passes, values)))
        if self.over == "median":
            return float(statistics.median(values))
        if self.over == "every":
            if self.op == ">=":
                return min(values)
            if self.op == "<=":
                return max(values)
            return max(values, key=lambda v: abs(v - self.threshold))
        return float(sum(self.passes(v) for v in values))

    def holds(self, values: Sequence[float] | float) -> bool:
        """Whether measured ``values`` (one per seed; one for ``"value"``) hold the claim."""
        values = _as_values(values, self.id)
        self._check_count(values)
        if self.over == "k_of_n":
            return sum(self.passes(v) for v in values) >= self.k
        return self.passes(self.statistic(values))

    def _check_count(self, values: list[float]) -> None:
        if self.over == "value" and len(values) != 1:
            raise ValueError(f"claim {self.id} is decided by one value, got {len(values)}")
        if self.random and len(values) < max(MIN_SEEDS, self.k or 0):
            raise ValueError(
                f"claim {self.id} is about a random procedure: measure it over at least "
                f"{max(MIN_SEEDS, self.k or 0)} seeds, got {len(values)}"
            )


def _as_number(value: object, claim_id: str) -> float:
    """A plain float from an int, float, bool, NumPy scalar or one-element tensor."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if not isinstance(value, numbers.Real):
        raise TypeError(f"claim {claim_id}: expected a number, got {type(value).__name__}")
    return float(value)


def _as_values(values: object, claim_id: str) -> list[float]:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"claim {claim_id}: expected numbers, got {type(values).__name__}")
    if isinstance(values, Iterable) and getattr(values, "ndim", 1) != 0:
        return [_as_number(v, claim_id) for v in values]
    return [_as_number(values, claim_id)]


@dataclass(frozen=True)
class Measurement:
    """The values of one claim, measured over seeds (or once), and its verdict."""

    claim: Claim
    values: tuple[float, ...]
    seeds: tuple[int, ...] | None = None

    @property
    def passed(self) -> bool:
        return self.claim.holds(self.values)

    @property
    def statistic(self) -> float:
        return self.claim.statistic(self.values)

    def parts(self) -> dict[str, str]:
        """The value, spread and seeds as separate texts (for the results page).

        ``{"value": "median 0.982", "spread": "min 0.951, max 0.997", "seeds": "0–4 (5 seeds)"}``;
        a deterministic claim has only ``"value"``.
        """
        c = self.claim
        if not c.random:
            return {"value": c.format(self.values[0])}
        if c.over == "k_of_n":
            passing = sum(c.passes(v) for v in self.values)
            value = f"{passing} of {len(self.values)} seeds pass"
        else:
            word = "worst" if c.over == "every" else "median"
            value = f"{word} {c.format(self.statistic)}"
        parts = {
            "value": value,
            "spread": f"min {c.format(min(self.values))}, max {c.format(max(self.values))}",
        }
        if self.seeds:
            parts["seeds"] = (
                f"{self.seeds[0]}\u2013{self.seeds[-1]} ({len(self.seeds)} seeds)"
                if list(self.seeds) == list(range(self.seeds[0], self.seeds[-1] + 1))
                else f"{', '.join(map(str, self.seeds))} ({len(self.seeds)} seeds)"
            )
        return parts

    def shown(self) -> str:
        """The value as the book shows it: ``0.982 (0.951–0.997, 5 seeds)`` or ``0.982``."""
        c = self.claim
        if not c.random:
            return c.format(self.values[0])
        low, high = min(self.values), max(self.values)
        spread = f"{c.format(low)}\u2013{c.format(high)}, {len(self.values)} seeds"
        if c.over == "k_of_n":
            passing = sum(c.passes(v) for v in self.values)
            return f"{passing} of {len(self.values)} seeds pass ({spread})"
        word = "worst" if c.over == "every" else "median"
        return f"{word} {c.format(self.statistic)} ({spread})"

    def __str__(self) -> str:
        mark = "holds" if self.passed else "FAILS"
        return (
            f"[{self.claim.id}] {mark}: {self.claim.measure} = {self.shown()} "
            f"(needs {self.claim.requirement})"
        )

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        mark = "\u2714 holds" if self.passed else "\u2718 FAILS"
        return (
            f'<div class="coursepkg-claim" data-claim="{html.escape(self.claim.id)}" '
            f'data-passed="{str(self.passed).lower()}">'
            f'<strong style="color:{colour}">{mark}</strong> '
            f"<code>{html.escape(self.claim.id)}</code>: {html.escape(self.claim.measure)} = "
            f"<strong>{html.escape(self.shown())}</strong> "
            f"(needs {html.escape(self.claim.requirement)})</div>"
        )

    def as_record(self) -> dict:
        """What is saved for the results page and the tests."""
        finite = [None if math.isnan(v) else v for v in self.values]
        statistic = self.statistic
        return {
            "values": finite,
            "seeds": None if self.seeds is None else list(self.seeds),
            "statistic": None if math.isnan(statistic) else statistic,
            "passed": self.passed,
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }


# --- the registry: every chapter's claims ------------------------------------------------


def all_claims() -> dict[str, Claim]:
    """Every claim of the book, by id, in book order (from each chapter's ``claims`` module)."""
    from coursepkg.chapters import CHAPTERS

    found: dict[str, Claim] = {}
    for chapter in CHAPTERS:
        for claim in chapter.claims_module().CLAIMS:
            if claim.chapter != chapter.id:
                raise ValueError(f"claim {claim.id} is declared in chapter {chapter.id}")
            if claim.id in found:
                raise ValueError(f"claim {claim.id} is declared twice")
            found[claim.id] = claim
    return found


def get(claim_id: str) -> Claim:
    """The :class:`Claim` with this id, or a ``ValueError`` that lists the known ids."""
    known = all_claims()
    try:
        return known[claim_id]
    except KeyError:
        raise ValueError(f"unknown claim id {claim_id!r}; known ids: {sorted(known)}") from None


def measurement(
    claim_id: str, values: Sequence[float] | float, seeds: Sequence[int] | None = None
) -> Measurement:
    """A :class:`Measurement` of a registered claim, with its values checked for shape."""
    claim = get(claim_id)
    values = tuple(_as_values(values, claim_id))
    if claim.random:
        if seeds is None or len(seeds) != len(values):
            raise ValueError(
                f"claim {claim_id}: give the seed of every value (seeds=...), "
                f"{len(values)} values and {0 if seeds is None else len(seeds)} seeds"
            )
        seeds = tuple(int(s) for s in seeds)
    claim._check_count(list(values))
    return Measurement(claim, values, seeds)


def check(claim_id: str, values: Sequence[float] | float, seeds: Sequence[int] | None = None):
    """Return True when ``values`` hold the claim; raise ``AssertionError`` otherwise.

    The message states the claim, what was measured and the rule, so a failing test reads
    as the sentence of the book that no longer holds.
    """
    m = measurement(claim_id, values, seeds)
    if not m.passed:
        raise AssertionError(
            f"claim {claim_id} does not hold: {m.claim.sentence} Measured "
            f"{m.claim.measure} = {m.shown()}, which needs {m.claim.requirement}."
        )
    return True


def record(
    claim_id: str, values: Sequence[float] | float, seeds: Sequence[int] | None = None
) -> None:
    """Measure a claim in a chapter: display one line about it and save it for the results page.

    Parameters
    ----------
    claim_id : str
        An id declared in a chapter's ``claims.py``.
    values : number or sequence of numbers
        One value for a deterministic claim; one per seed for a random one.
    seeds : sequence of int
        The seed of each value (required for random claims).

    A failing claim is displayed as failing, not raised: the build (``-W``), the results
    page and the tests report it. Inside the repository the values are merged into
    ``<root>/_build/claims/<chapter>.json``; outside it nothing is written. Nothing is
    returned, so a cell that ends with ``record(...)`` shows the line once.
    """
    m = measurement(claim_id, values, seeds)
    root = find_root()
    if root is not None:
        _save(root, m)
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        print(m)
    else:
        display(m)


def record_all(measured: dict, *only: str) -> None:
    """:func:`record` every claim of ``measured`` (or only the ids in ``only``).

    ``measured`` maps claim ids to what a chapter's ``measure`` returns for them: a value
    for a deterministic claim, ``(values, seeds)`` for a random one. An experiment's result
    gives its claims this way (``result.claims()``), so the notebook and ``measure`` record
    the very same numbers::

        record_all(study.claims())                          # every claim of the study
        record_all(study.claims(), "ch01.trained_accuracy")  # one of them
    """
    unknown = [cid for cid in only if cid not in measured]
    if unknown:
        raise ValueError(f"{unknown} not among the measured claims {sorted(measured)}")
    for claim_id in only or tuple(measured):
        value = measured[claim_id]
        if isinstance(value, tuple) and len(value) == 2 and get(claim_id).random:
            record(claim_id, value[0], value[1])
        else:
            record(claim_id, value)


def find_root(start: Path | None = None) -> Path | None:
    """The first folder at or above ``start`` (default: cwd) holding ``_config.yml`` and
    ``_toc.yml``, or None (on Colab, say)."""
    here = Path.cwd() if start is None else Path(start)
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    return None


def _save(root: Path, m: Measurement) -> Path:
    """Merge one measurement into ``<root>/_build/claims/<chapter>.json`` (atomically)."""
    chapter = m.claim.chapter
    path = root / CLAIMS_DIR / f"{chapter}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = load_chapter(path)
    data[m.claim.id] = m.as_record()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{chapter}.", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump({"chapter": chapter, "claims": data}, handle, indent=2, sort_keys=True)
    os.replace(tmp, path)
    return path


def load_chapter(path: Path) -> dict:
    """The ``claims`` mapping saved in one chapter's JSON file (empty if absent or unreadable)."""
    try:
        return json.loads(Path(path).read_text())["claims"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def load_all(root: Path) -> dict[str, dict]:
    """Every saved measurement under ``<root>/_build/claims``, by claim id."""
    found: dict[str, dict] = {}
    for path in sorted((Path(root) / CLAIMS_DIR).glob("*.json")):
        found.update(load_chapter(path))
    return found


def saved_measurement(claim_id: str, saved: dict) -> Measurement:
    """Rebuild a :class:`Measurement` from what :func:`record` saved."""
    values = [math.nan if v is None else v for v in saved.get("values") or []]
    return measurement(claim_id, values, saved.get("seeds"))


# --- re-measuring on another block of seeds ----------------------------------------------


def remeasure(seed_base: int, chapters: Sequence[str] | None = None) -> list[Measurement]:
    """Run each chapter's ``measure(seed_base)`` and return every claim's measurement.

    A chapter's ``measure`` returns ``{claim_id: values}`` for deterministic claims and
    ``{claim_id: (values, seeds)}`` for random ones, for every claim it declares.
    """
    from coursepkg.chapters import CHAPTERS

    wanted = set(chapters) if chapters else None
    unknown = (wanted or set()) - {c.id for c in CHAPTERS}
    if unknown:
        raise ValueError(f"unknown chapter(s) {sorted(unknown)}; known: {[c.id for c in CHAPTERS]}")
    results: list[Measurement] = []
    for chapter in CHAPTERS:
        if wanted is not None and chapter.id not in wanted:
            continue
        module = chapter.claims_module()
        measured = module.measure(seed_base)
        declared = [c.id for c in module.CLAIMS]
        missing = [cid for cid in declared if cid not in measured]
        if missing:
            raise ValueError(f"{chapter.id}: measure() did not measure {missing}")
        for claim_id in declared:
            value = measured[claim_id]
            if isinstance(value, tuple) and len(value) == 2 and get(claim_id).random:
                results.append(measurement(claim_id, value[0], value[1]))
            else:
                results.append(measurement(claim_id, value))
    return results
