"""Every exercise end to end: wrong-but-plausible implementations lose points, and
functions imported from the course package instead of written score nothing.

Each wrong implementation is the solution notebook with one solution region swapped
for a plausible mistake, written to a temporary file and graded by the real grader.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from coursepkg.grading.trusted.runner import grade_notebook

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests" / "hidden_suites"

pytestmark = pytest.mark.slow


def grade(path: Path):
    return grade_notebook(path, tests_dir=TESTS)


def swapped(name: str, old: str, new: str, tmp_path: Path) -> Path:
    """The solution notebook ``name`` with the text ``old`` replaced by ``new`` (exactly once)."""
    nb = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    hits = sum(cell.source.count(old) for cell in nb.cells)
    assert hits == 1, f"{old!r} occurs {hits} times in {name}"
    for cell in nb.cells:
        cell.source = cell.source.replace(old, new)
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


# Solution = full marks and stub = zero are checked for every exercise in tests/test_exercises.py.


def test_ex03_functions_imported_from_the_package_score_nothing(tmp_path):
    nb = nbformat.read(ROOT / "solutions" / "ex03_bptt.ipynb", as_version=4)
    last_code = [cell for cell in nb.cells if cell.cell_type == "code"][-1]
    last_code.source += "\nfrom coursepkg.analysis.gradients import decay_rate, jacobian_norms\n"
    path = tmp_path / "ex03_bptt.ipynb"
    nbformat.write(nb, path)
    report = grade(path)
    assert report.score == 0, report.table()
    assert all("write your own" in t.message for t in report.tests), report.table()


EX01_WRONG = {
    # After a mismatch, fall back only to "nothing" or "first letter": misses overlaps.
    "naive fallback": (
        "            while k > 0 and not text.endswith(motif[:k]):\n                k -= 1\n",
        "            k = k if text == motif[:k] else (1 if a == motif[0] else 0)\n",
    ),
    # The matched state is not absorbing: the output drops after the motif.
    "bound state not absorbing": (
        "            if q == m:\n                row[a] = m\n                continue\n",
        "",
    ),
}


@pytest.mark.parametrize("mistake", sorted(EX01_WRONG))
def test_ex01_wrong_implementation_loses_points_with_public_feedback(mistake, tmp_path):
    old, new = EX01_WRONG[mistake]
    report = grade(swapped("ex01_motif_fsm", old, new, tmp_path))
    assert 0 < report.score < report.max_score, report.table()
    failed = [t for t in report.tests if not t.passed]
    assert any("On the public input" in t.message for t in failed), report.table()


EX03_WRONG = {
    "norms indexed in reverse": (
        "        norms[t] = torch.linalg.matrix_norm(J, ord=2)",
        "        norms[T - 1 - t] = torch.linalg.matrix_norm(J, ord=2)",
    ),
    "Frobenius instead of spectral norm": (
        "torch.linalg.matrix_norm(J, ord=2)",
        "torch.linalg.matrix_norm(J)",
    ),
    "tanh derivative forgotten": (
        "J = J @ ((1 - h[t + 1] ** 2).unsqueeze(1) * W_h)",
        "J = J @ W_h",
    ),
    "Jacobian factors in the wrong order": (
        "J = J @ ((1 - h[t + 1] ** 2).unsqueeze(1) * W_h)",
        "J = ((1 - h[t + 1] ** 2).unsqueeze(1) * W_h) @ J",
    ),
    "x_t read from row t instead of t - 1": (
        "W_x @ x[t - 1] + b",
        "W_x @ x[min(t, T - 1)] + b",
    ),
    "slope against t instead of T - t": (
        "k = len(norms) - np.arange(len(norms))",
        "k = np.arange(len(norms))",
    ),
}


@pytest.mark.parametrize("mistake", sorted(EX03_WRONG))
def test_ex03_wrong_implementation_loses_points(mistake, tmp_path):
    old, new = EX03_WRONG[mistake]
    report = grade(swapped("ex03_bptt", old, new, tmp_path))
    assert report.score < report.max_score, f"{mistake}: scored full marks\n{report.table()}"


EX02_WRONG = {
    "h0 ignores the cell type": (
        "        return self.embed(cell_type)",
        "        return self.embed(torch.zeros_like(cell_type))",
    ),
    "h0 fixed at zero": (
        "        return self.embed(cell_type)",
        "        return torch.zeros(cell_type.shape[0], self.rnn.hidden_size)",
    ),
    "forward ignores h0": (
        "        states, _ = self.rnn(x, h0)  # (B, T, H)",
        "        states, _ = self.rnn(x)  # (B, T, H)",
    ),
    "omics h0 ignores z": (
        "        return self.encoder(z)",
        "        return self.encoder(torch.zeros_like(z))",
    ),
}


@pytest.mark.parametrize("mistake", sorted(EX02_WRONG))
def test_ex02_wrong_implementation_loses_points(mistake, tmp_path):
    old, new = EX02_WRONG[mistake]
    report = grade(swapped("ex02_conditioning", old, new, tmp_path))
    assert report.score < report.max_score, f"{mistake}: scored full marks\n{report.table()}"
