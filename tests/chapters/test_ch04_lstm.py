"""Chapter 4: its experiments on small settings, the checks behind its claims (and that they
can fail), its figures and its explorer. The claims themselves are asserted from the values
the book build recorded (tests/chapters/test_recorded_claims.py)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from coursepkg.chapters.ch04_lstm import claims as ch4_claims
from coursepkg.chapters.ch04_lstm import experiments as ch4
from coursepkg.chapters.ch04_lstm import figures
from coursepkg.chapters.ch04_lstm.explorer import (
    draw_forget_shift,
    forget_explorer,
    shift_summary,
)
from coursepkg.models.methylation import MethylationEnsemble

PNG_MAGIC = b"\x89PNG"
SEEDS = [0, 1]


def drawn(fig) -> bool:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return isinstance(fig, Figure) and buffer.getvalue().startswith(PNG_MAGIC)


@pytest.fixture(scope="module")
def small(request):
    """Every experiment of the chapter on two seeds and tiny settings."""
    patch = pytest.MonkeyPatch()
    patch.setitem(ch4.CHROMATIN, "n_train", 24)
    patch.setitem(ch4.CHROMATIN, "n_val", 8)
    patch.setitem(ch4.CHROMATIN, "n_test", 10)
    patch.setitem(ch4.CHROMATIN, "length", 80)
    patch.setitem(ch4.CHROMATIN, "epochs", 2)
    patch.setitem(ch4.METHYLATION, "n_train", 6)
    patch.setitem(ch4.METHYLATION, "length", 10)
    request.addfinalizer(patch.undo)
    return {
        "matches": [ch4.torch_match(s, batch=2, length=6, hidden=3) for s in SEEDS],
        "highways": [ch4.highway_gradients(s, hidden=4, length=12) for s in SEEDS],
        "runs": [ch4.train_chromatin(s, restarts=1) for s in SEEDS],
        "properties": ch4.methylation_properties(SEEDS, sites=3, signals=2, batch=2, length=6),
        "fit": ch4.fit_methylation(SEEDS, steps=3),
        "test": ch4.chromatin_data(SEEDS[0])[2],
    }


def test_claim_values_cover_every_declared_claim(small):
    values = ch4.claim_values(
        SEEDS,
        small["matches"],
        small["highways"],
        small["runs"],
        small["properties"],
        small["fit"],
    )
    assert list(values) == [c.id for c in ch4_claims.CLAIMS]
    for claim_id, (numbers, seeds) in values.items():
        assert len(numbers) == len(seeds) == len(SEEDS), claim_id
        assert all(np.isfinite(v) for v in numbers), claim_id


def test_gate_readings_match_torch_on_small_networks(small):
    for match in small["matches"]:
        assert match.worst < 1e-12
        assert match.saturated > 0.8  # the extreme inputs do saturate the gates


def test_highway_measures_keep_their_order(small):
    for result in small["highways"]:
        assert result.mean_forget[3.0] > 0.9 > 0.6 > result.mean_forget[0.0]
        # the cell path alone is a product of forget gates: it never exceeds one
        assert all((path <= 1 + 1e-12).all() for path in result.highway.values())
        assert result.log_ratio(3.0) > result.log_ratio(0.0)


def test_chromatin_runs_report_gates_and_clamped_accuracies(small):
    for run in small["runs"]:
        assert 0 <= run.forget_closed <= 1 and 0 <= run.forget_open <= 1
        assert run.exit_profile.shape == run.entry_profile.shape == ch4.BOUNDARY_OFFSETS.shape
        assert set(run.accuracy) == {
            "trained",
            "forget clamped at 1",
            "forget clamped at 0",
            "always 0",
        }
    table = ch4.chromatin_table(small["runs"])
    assert [row["seed"] for row in table] == SEEDS


def test_boundary_profile_averages_at_each_offset():
    gate = torch.arange(20, dtype=torch.float64).reshape(2, 10)
    marks = torch.zeros(2, 10, dtype=torch.bool)
    marks[0, 2] = marks[1, 8] = True
    profile = ch4.boundary_profile(gate, marks, offsets=np.array([-1, 0, 1, 2]))
    # offset 2 from bin 8 of row 1 falls off the track and is left out
    np.testing.assert_allclose(profile, [(1 + 17) / 2, (2 + 18) / 2, (3 + 19) / 2, 4])


def test_methylation_checks_pass_for_the_model_and_fail_for_a_mixing_one(small):
    for check in small["properties"]:
        assert check.outside == 0 and check.cross_site == 0 and check.ema_error < 1e-12

    class Mixing(MethylationEnsemble):
        """Each site's output also reads the mean level of all sites."""

        def forward(self, x):
            run = super().forward(x)
            mixed = run.level + 0.1 * run.level.mean(dim=-1, keepdim=True)
            return type(run)(mixed, run.retention, run.target, run.steps)

    model = Mixing([1], 3, 2).double()
    x = torch.randn(1, 2, 5, 2, dtype=torch.float64)
    assert ch4.cross_site_gradient(model, x).item() > 0


def test_ema_weights_rebuild_a_moving_average_and_reject_a_plain_sum():
    gen = torch.Generator().manual_seed(0)
    f = torch.rand(2, 7, 3, generator=gen, dtype=torch.float64)
    f[:, 0] = 0
    target = torch.rand(2, 7, 3, generator=gen, dtype=torch.float64)
    level, ema, plain = torch.zeros(2, 3, dtype=torch.float64), [], []
    summed = torch.zeros(2, 3, dtype=torch.float64)
    for t in range(7):
        level = f[:, t] * level + (1 - f[:, t]) * target[:, t]
        summed = f[:, t] * summed + target[:, t]  # input gate fixed at 1: not an average
        ema.append(level)
        plain.append(summed)
    w = ch4.ema_weights(f)
    rebuilt = (w * target.unsqueeze(-3)).sum(dim=-2)
    torch.testing.assert_close(rebuilt, torch.stack(ema, 1))
    assert (rebuilt - torch.stack(plain, 1)).abs().max() > 0.1


def test_methylation_fit_reports_rates_per_seed(small):
    fit = small["fit"]
    assert fit.true_rates.shape == fit.learned_rates.shape == (2, ch4.METHYLATION["n_sites"])
    assert len(fit.correlation) == 2 and fit.signals().shape[0] == 2


def test_figures_are_drawn(small):
    from coursepkg.analysis.gates import GateRecorder

    lstm = torch.nn.LSTM(4, 3, batch_first=True)
    record = GateRecorder(lstm)(torch.eye(4)[torch.tensor([0, 1, 2, 3, 0])][None])
    assert drawn(figures.plot_gates(record, "ACGTA"))
    assert drawn(figures.plot_highway(small["highways"]))
    assert drawn(figures.plot_track(small["runs"][0].model, small["test"], index=1))
    assert drawn(figures.plot_boundary_profiles(small["runs"], ch4.BOUNDARY_OFFSETS))
    assert drawn(figures.plot_clamp_accuracy(small["runs"]))
    assert drawn(figures.plot_methylation_fit(small["fit"]))
    with pytest.raises(ValueError, match="track must be between"):
        figures.plot_track(small["runs"][0].model, small["test"], index=99)


def test_explorer_redraws_and_explains_bad_input(small):
    model, test = small["runs"][0].model, small["test"]
    explorer = forget_explorer(model, test)
    first = bytes(explorer.image.value)
    explorer.set(shift=4.0)
    assert explorer.error is None and bytes(explorer.image.value) != first
    assert "forget-gate bias +4.0" in explorer.status.value
    with pytest.raises(ValueError, match="between"):
        draw_forget_shift(model, test, shift=20.0)
    assert "accuracy on open bins" in shift_summary(model, test, -2.0)


def test_recorder_timing_compares_the_same_shapes():
    rows = ch4.recorder_timing(shapes=((2, 5, 3, 4),), repeats=2)
    assert rows[0]["shape (B, T, D, H)"] == "2 x 5 x 3 x 4" and rows[0]["ratio"] > 0


def test_no_exercise_answer_is_defined_in_the_package():
    package = Path(ch4.__file__).resolve().parents[2]
    names = ("def lstm_cell", "def methylation_step", "def methylation_lstm")
    for path in package.rglob("*.py"):
        text = path.read_text()
        for name in names:
            assert name not in text, f"{path} defines {name.split()[1]}"
