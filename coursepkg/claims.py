"""The book's claims: one registry that the chapters measure and the tests assert.

Every claim the book makes about a measured number lives here once, with the check that
decides whether it holds.  A chapter measures it and calls :func:`record`; the test suite
measures it with the same function and calls :func:`check`; the results page
(``book/results.md``, filled by :mod:`coursepkg.sphinx_results`) lists every claim beside
the value the last build measured.

Inside the repository, :func:`record` also writes the value to
``<root>/_build/claims/<chapter>.json``, where ``<root>`` is the first folder at or above
the working directory that holds both ``_config.yml`` and ``_toc.yml``.  Elsewhere (on
Colab, say) it only displays the line.
"""

from __future__ import annotations

import html
import json
import math
import numbers
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

CLAIMS_DIR = Path("_build") / "claims"
"""Where :func:`record` writes, relative to the repository root."""

_SYMBOLS = {">=": "\u2265", "<=": "\u2264", "==": "="}


@dataclass(frozen=True)
class Claim:
    """A sentence of the book and the check a measured number must pass for it to hold.

    Parameters
    ----------
    id : str
        ``"<chapter>.<name>"``, e.g. ``"ch01.fsm_exact"``.
    sentence : str
        The claim as the reader meets it.
    measure : str
        What number is measured (the value's meaning and unit).
    op : {">=", "<=", "=="}
        The value holds the claim when ``value op threshold``.
    threshold : float
    fmt : str
        Format spec for showing a value, e.g. ``".3f"`` or ``".1%"``.
    """

    id: str
    sentence: str
    measure: str
    op: str
    threshold: float
    fmt: str = ".3f"

    def __post_init__(self) -> None:
        if self.op not in _SYMBOLS:
            raise ValueError(
                f"claim {self.id}: op must be one of {sorted(_SYMBOLS)}, got {self.op!r}"
            )
        if "." not in self.id:
            raise ValueError(f"claim id must look like 'ch01.name', got {self.id!r}")

    @property
    def chapter(self) -> str:
        """The chapter prefix of the id (``"ch01"``)."""
        return self.id.split(".", 1)[0]

    @property
    def requirement(self) -> str:
        """The check in words, e.g. ``"≥ 0.980"``."""
        return f"{_SYMBOLS[self.op]}\u00a0{self.format(self.threshold)}"  # no line break

    def format(self, value: float) -> str:
        """Show ``value`` the way this claim's numbers are shown."""
        if isinstance(value, float) and math.isnan(value):
            return "nan"
        return format(value, self.fmt)

    def holds(self, value: float) -> bool:
        """True when ``value`` passes the check (NaN never does)."""
        value = _as_number(value, self.id)
        if math.isnan(value):
            return False
        if self.op == ">=":
            return value >= self.threshold
        if self.op == "<=":
            return value <= self.threshold
        return value == self.threshold


CHAPTER_PAGES = {
    "ch01": "book/01_hidden_state",
    "ch02": "book/02_conditioning",
    "ch03": "book/03_vanishing_gradients",
}
"""The book page (Sphinx docname) that measures each chapter's claims."""

CLAIMS: dict[str, Claim] = {
    c.id: c
    for c in (
        Claim(
            "ch01.fsm_exact",
            "The hand-built threshold RNN detects ACG exactly: it agrees with string search "
            "at every position of thousands of random sequences.",
            "positions where the network and string search disagree",
            "==",
            0,
            fmt=",.0f",
        ),
        Claim(
            "ch01.self_connection_needed",
            "The strong self-connection of the 'bound' unit is the memory: weakened from 2 "
            "to 1, the network forgets the motif and disagrees with string search often.",
            "share of positions where the weakened network and string search disagree",
            ">=",
            0.1,
        ),
        Claim(
            "ch01.trained_accuracy",
            "An Elman RNN with 8 tanh units, trained by gradient descent on sequences of "
            "20 bases, labels every position of unseen 50-base sequences almost perfectly.",
            "per-position accuracy on held-out 50-base sequences",
            ">=",
            0.98,
        ),
        Claim(
            "ch01.long_training_stalls",
            "Trained the same way but directly on 50-base sequences without planted motifs, "
            "the network does no better than always answering 'not yet'.",
            "accuracy minus the accuracy of the constant answer 'not yet'",
            "<=",
            0.01,
        ),
        Claim(
            "ch01.state_purity",
            "The trained network's hidden states fall into four clusters that map onto the "
            "four states of the machine.",
            "purity of k-means clusters (k = 4) against the machine's states",
            ">=",
            0.9,
        ),
        Claim(
            "ch01.purity_over_control",
            "An untrained network's hidden states do not: their clusters are far less pure.",
            "purity of the trained network minus purity of the untrained one (k = 4)",
            ">=",
            0.2,
        ),
        Claim(
            "ch02.celltype_beats_zero_early",
            "Starting the RNN from a learned per-cell-type state h0 = g(c) predicts the first "
            "steps of held-out trajectories far better than starting from zero.",
            "error of zero h0 divided by error of h0 = Embedding(cell type), first 3 steps",
            ">=",
            1.3,
            fmt=".2f",
        ),
        Claim(
            "ch02.omics_beats_shared_early",
            "h0 = MLP(z) from baseline omics beats a single learned h0 shared by all cells, "
            "most of all at the first steps.",
            "error of shared h0 divided by error of h0 = MLP(z), first 3 steps",
            ">=",
            1.5,
            fmt=".2f",
        ),
        Claim(
            "ch02.conditioned_win_overall",
            "Both conditioned models also beat both unconditioned ones over whole trajectories.",
            "best unconditioned error minus worst conditioned error, all steps",
            ">=",
            0.0,
            fmt=".4f",
        ),
        Claim(
            "ch02.gain_largest_early",
            "The gain from conditioning is largest at the start and shrinks as the "
            "trajectory itself reveals the cell.",
            "gain ratio (zero h0 / embedding h0) at the first 3 steps over the ratio at the "
            "last steps",
            ">=",
            1.2,
            fmt=".2f",
        ),
        Claim(
            "ch03.linear_rate_matches",
            "For a linear RNN the gradient norm ||dh_T/dh_t|| decays (or grows) exactly at "
            "the rate log(rho) set by the spectral radius of W_h.",
            "largest |fitted rate - log(rho)| over rho = 0.9, 1.0, 1.1",
            "<=",
            1e-6,
            fmt=".1e",
        ),
        Claim(
            "ch03.tanh_rate_bounded",
            "With tanh the gradient decays at least as fast as log(rho): the derivative of "
            "tanh can only shrink it.",
            "largest (fitted tanh rate - log(rho)) over rho = 0.9, 1.0, 1.1",
            "<=",
            1e-9,
            fmt=".3f",
        ),
        Claim(
            "ch03.tanh_vanishes_at_one",
            "Even at spectral radius 1 the tanh RNN's gradients vanish.",
            "fitted decay rate of the tanh RNN at rho = 1 (per step)",
            "<=",
            -0.05,
            fmt=".3f",
        ),
        Claim(
            "ch03.rnn_near",
            "A vanilla RNN learns the enhancer task when the enhancer is close.",
            "held-out accuracy of the vanilla RNN at distance 5",
            ">=",
            0.9,
        ),
        Claim(
            "ch03.rnn_far_chance",
            "A vanilla RNN falls to chance when the enhancer is far upstream.",
            "held-out accuracy of the vanilla RNN at distance 60 (chance 0.5)",
            "<=",
            0.6,
        ),
        Claim(
            "ch03.lstm_far",
            "An LSTM, trained the same way, still learns it at that distance.",
            "held-out accuracy of the LSTM at distance 60",
            ">=",
            0.9,
        ),
        Claim(
            "ch03.tbptt_horizon",
            "Truncated BPTT with k steps sends gradient exactly k positions back, no further.",
            "positions receiving gradient minus k (k = 10)",
            "==",
            0,
            fmt=".0f",
        ),
        Claim(
            "ch03.tbptt_lstm_fails",
            "An LSTM trained with truncation shorter than the distance does not learn the task.",
            "held-out accuracy at distance 60 of the LSTM trained with k = 10",
            "<=",
            0.65,
        ),
    )
}
"""Every claim of the book, by id."""


def get(claim_id: str) -> Claim:
    """The :class:`Claim` with this id, or a ``ValueError`` that lists the known ids."""
    try:
        return CLAIMS[claim_id]
    except KeyError:
        raise ValueError(f"unknown claim id {claim_id!r}; known ids: {sorted(CLAIMS)}") from None


def _as_number(value: object, claim_id: str) -> float:
    """A plain float from an int, float, bool, NumPy scalar or one-element tensor."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()
    if not isinstance(value, numbers.Real):
        raise TypeError(f"claim {claim_id}: expected a number, got {type(value).__name__}")
    return float(value)


@dataclass(frozen=True)
class Measurement:
    """A measured value of a claim, displayed as one line in a notebook."""

    claim: Claim
    value: float
    passed: bool

    def __str__(self) -> str:
        mark = "holds" if self.passed else "FAILS"
        return (
            f"[{self.claim.id}] {mark}: {self.claim.measure} = {self.claim.format(self.value)} "
            f"(needs {self.claim.requirement})"
        )

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        mark = "\u2714 holds" if self.passed else "\u2718 FAILS"
        return (
            f'<div class="coursepkg-claim" data-claim="{html.escape(self.claim.id)}" '
            f'data-passed="{str(self.passed).lower()}">'
            f'<strong style="color:{colour}">{mark}</strong> '
            f"<code>{html.escape(self.claim.id)}</code>: {html.escape(self.claim.measure)} = "
            f"<strong>{html.escape(self.claim.format(self.value))}</strong> "
            f"(needs {html.escape(self.claim.requirement)})</div>"
        )

    def __repr__(self) -> str:
        return str(self)


def check(claim_id: str, value: float) -> bool:
    """Return True when ``value`` holds the claim; raise ``AssertionError`` otherwise.

    The message states the claim, the measured value and the requirement, so a failing
    test reads as the sentence of the book that no longer holds.
    """
    claim = get(claim_id)
    value = _as_number(value, claim_id)
    if not claim.holds(value):
        raise AssertionError(
            f"claim {claim_id} does not hold: {claim.sentence} Measured {claim.measure} = "
            f"{claim.format(value)}, which needs {claim.requirement}."
        )
    return True


def record(claim_id: str, value: float) -> None:
    """Check a measured value, display one line about it, and save it for the results page.

    Parameters
    ----------
    claim_id : str
        A key of :data:`CLAIMS`.
    value : number
        The measured value (int, float, NumPy scalar or 0-d tensor).

    Notes
    -----
    A failing claim is displayed as failing, not raised: the results page and the test
    suite report it.  Inside the repository the value is merged into
    ``<root>/_build/claims/<chapter>.json``; outside it nothing is written.
    """
    claim = get(claim_id)
    value = _as_number(value, claim_id)
    measurement = Measurement(claim, value, claim.holds(value))
    root = find_root()
    if root is not None:
        _save(root, measurement)
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        print(measurement)
    else:
        display(measurement)


def find_root(start: Path | None = None) -> Path | None:
    """The first folder at or above ``start`` (default: cwd) holding ``_config.yml`` and
    ``_toc.yml``, or None (on Colab, say)."""
    here = Path.cwd() if start is None else Path(start)
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    return None


def _save(root: Path, measurement: Measurement) -> Path:
    """Merge one measurement into ``<root>/_build/claims/<chapter>.json`` (atomically)."""
    claim = measurement.claim
    path = root / CLAIMS_DIR / f"{claim.chapter}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = load_chapter(path)
    data[claim.id] = {
        "value": None if math.isnan(measurement.value) else measurement.value,
        "passed": measurement.passed,
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{claim.chapter}.", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump({"chapter": claim.chapter, "claims": data}, handle, indent=2, sort_keys=True)
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
