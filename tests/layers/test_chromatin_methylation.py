"""Chapter 4's simulators (chromatin tracks, methylation time courses) and the methylation
LSTM's guarantees, on random and extreme inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.stats import binom

from coursepkg.data.chromatin import BIN_BP, CLOSED_BP, OPEN_BP, simulate_tracks
from coursepkg.data.methylation import MethylationSimulator
from coursepkg.models.methylation import MethylationEnsemble, binomial_nll

# --- chromatin tracks --------------------------------------------------------------------


def runs_of(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of every run of True in a 1-D bool array."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(int), 0]))
    return list(zip(edges[::2], edges[1::2], strict=True))


def test_tracks_have_realistic_region_lengths_away_from_the_edges():
    tracks = simulate_tracks(60, length=400, seed=1)
    opens, closeds = [], []
    for track in tracks.open.numpy():
        for start, stop in runs_of(track)[1:-1]:  # the first and last may be cut by the edge
            opens.append((stop - start) * BIN_BP)
        for start, stop in runs_of(~track)[1:-1]:
            closeds.append((stop - start) * BIN_BP)
    assert opens and closeds
    assert OPEN_BP[2] - BIN_BP / 2 <= min(opens) and max(opens) <= OPEN_BP[3] + BIN_BP / 2
    assert CLOSED_BP[2] - BIN_BP / 2 <= min(closeds) and max(closeds) <= CLOSED_BP[3] + BIN_BP / 2
    assert np.median(opens) < np.median(closeds)


def test_reads_are_overdispersed_counts_higher_in_open_chromatin():
    tracks = simulate_tracks(200, seed=2, open_mean=15.0, closed_mean=0.5, dispersion=4.0)
    open_counts = tracks.counts[tracks.open].double()
    closed_counts = tracks.counts[~tracks.open].double()
    assert abs(open_counts.mean() - 15) < 0.5 and abs(closed_counts.mean() - 0.5) < 0.05
    assert open_counts.var() > 2 * open_counts.mean()  # negative binomial, not Poisson
    torch.testing.assert_close(
        tracks.x[..., 0], (torch.log1p(tracks.counts.float()) / 2.5), rtol=0, atol=1e-6
    )
    assert torch.equal(tracks.x[..., 1], tracks.motif.float())


def test_target_counts_motifs_in_the_current_open_region_only():
    tracks = simulate_tracks(30, length=200, seed=3)
    for n in range(len(tracks)):
        count, want = 0, []
        for is_open, hit in zip(tracks.open[n].tolist(), tracks.motif[n].tolist(), strict=True):
            count = count + hit if is_open else 0
            want.append(count if is_open else 0)
        assert tracks.y[n].tolist() == want


def test_boundaries_mark_the_first_bin_of_each_state():
    tracks = simulate_tracks(10, length=300, seed=4)
    for n in range(len(tracks)):
        is_open = tracks.open[n].numpy()
        starts = {start for start, _ in runs_of(is_open) if start > 0}
        stops = {stop for _, stop in runs_of(is_open) if stop < len(is_open)}
        assert set(np.flatnonzero(tracks.entries[n].numpy())) == starts
        assert set(np.flatnonzero(tracks.exits[n].numpy())) == stops


def test_tracks_are_reproducible_and_check_their_arguments():
    a, b = simulate_tracks(5, seed=7), simulate_tracks(5, seed=7)
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.x, simulate_tracks(5, seed=8).x)
    with pytest.raises(ValueError, match="positive"):
        simulate_tracks(0)
    with pytest.raises(ValueError, match="probability"):
        simulate_tracks(3, motif_rate=1.5)


# --- methylation time courses ------------------------------------------------------------


def test_simulated_levels_follow_the_maintenance_recurrence():
    sim = MethylationSimulator(n_sites=5, n_signals=2, length=25, seed=1)
    data = sim.sample(20, seed=2)
    level, x = data.level.double().numpy(), data.x.double().numpy()
    target = sim.targets(x)
    np.testing.assert_allclose(level[:, 0], target[:, 0], atol=1e-6)
    for t in range(1, 25):
        want = sim.rates * level[:, t - 1] + (1 - sim.rates) * target[:, t]
        np.testing.assert_allclose(level[:, t], want, atol=1e-6)
    assert (0.3 <= sim.rates).all() and (sim.rates <= 0.95).all()
    assert (data.methylated <= data.reads).all() and (data.reads >= 1).all()
    assert abs(float((data.observed - data.level).mean())) < 0.01


def test_signals_are_piecewise_constant():
    data = MethylationSimulator(length=60, switch=0.1, seed=3).sample(50, seed=4)
    changes = (data.x[:, 1:] != data.x[:, :-1]).float().mean()
    assert 0.05 < changes < 0.15


def test_simulator_checks_its_arguments():
    with pytest.raises(ValueError, match="rate_range"):
        MethylationSimulator(rate_range=(0.5, 1.2))
    with pytest.raises(ValueError, match="positive"):
        MethylationSimulator().sample(0, seed=1)


# --- the methylation LSTM ----------------------------------------------------------------


def ensemble(seeds=(1, 2, 3), sites=4, signals=3, scale=1.0) -> MethylationEnsemble:
    model = MethylationEnsemble(list(seeds), sites, signals).double()
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(scale)
    return model


def signals(S, B=5, T=12, D=3, seed=0, scale=1.0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return scale * torch.randn(S, B, T, D, generator=gen, dtype=torch.float64)


CASES = [(1.0, 1.0), (1.0, 30.0), (60.0, 1e3), (300.0, 1e6)]
"""(parameter scale, signal scale): torch-like, large signals, saturated, absurd."""


@pytest.mark.parametrize("param_scale, signal_scale", CASES)
@pytest.mark.parametrize("seed", range(4))
def test_levels_stay_in_the_unit_interval(param_scale, signal_scale, seed):
    model = ensemble(seeds=(seed, seed + 10), scale=param_scale)
    with torch.no_grad():
        run = model(signals(2, seed=seed, scale=signal_scale))
    for values in (run.level, run.retention, run.target):
        assert torch.isfinite(values).all()
        assert values.min() >= 0 and values.max() <= 1


@pytest.mark.parametrize("param_scale, signal_scale", CASES)
def test_the_level_is_an_exponential_moving_average_of_the_candidates(param_scale, signal_scale):
    """Unrolled by hand: m_t = sum_s (1 - f_s) prod_{r=s+1}^{t} f_r m~_s, with f_0 = 0."""
    model = ensemble(scale=param_scale)
    with torch.no_grad():
        run = model(signals(3, T=9, seed=1, scale=signal_scale))
    f, target, level = run.retention, run.target, run.level
    assert torch.equal(f[:, :, 0], torch.zeros_like(f[:, :, 0]))
    for t in range(9):
        total, weights = torch.zeros_like(level[:, :, 0]), torch.zeros_like(level[:, :, 0])
        for s in range(t + 1):
            w = (1 - f[:, :, s]) * f[:, :, s + 1 : t + 1].prod(dim=2)
            total += w * target[:, :, s]
            weights += w
        torch.testing.assert_close(total, level[:, :, t], rtol=0, atol=1e-12)
        torch.testing.assert_close(weights, torch.ones_like(weights), rtol=0, atol=1e-12)


def test_sites_do_not_read_each_other():
    """Changing every parameter of site 2 leaves every other site's trajectory unchanged."""
    model = ensemble(sites=5)
    x = signals(3, seed=2)
    with torch.no_grad():
        before = model(x).level
        for p in model.parameters():
            p[:, 2] += 1.7
        after = model(x).level
    assert torch.equal(
        torch.cat([before[..., :2], before[..., 3:]], -1),
        torch.cat([after[..., :2], after[..., 3:]], -1),
    )
    assert not torch.equal(before[..., 2], after[..., 2])


def test_members_are_independent_of_the_block_they_train_in():
    x = signals(3, seed=3)
    together = ensemble(seeds=(5, 6, 7))
    alone = ensemble(seeds=(6,))
    with torch.no_grad():
        torch.testing.assert_close(together(x).level[1], alone(x[1:2]).level[0])
    shared = together(x[0])  # (B, T, D): the same signals for every member
    assert shared.level.shape == (3, 5, 12, 4)


def test_rates_are_mean_forget_gates_and_shapes_are_checked():
    model = ensemble()
    x = signals(3, seed=4)
    rates = model.retention_rates(x)
    assert rates.shape == (3, 4)
    torch.testing.assert_close(rates, model(x).retention[:, :, 1:].mean(dim=(1, 2)))
    with pytest.raises(ValueError, match="x must be"):
        model(torch.randn(2, 5, 12, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="at least one seed"):
        MethylationEnsemble([], 3, 2)


def test_binomial_nll_is_the_binomial_log_likelihood_per_read():
    gen = torch.Generator().manual_seed(0)
    level = torch.rand(2, 3, 4, 5, generator=gen, dtype=torch.float64)
    reads = torch.randint(1, 30, (3, 4, 5), generator=gen).double()
    methylated = torch.floor(reads * torch.rand(3, 4, 5, generator=gen, dtype=torch.float64))
    got = binomial_nll(level, methylated, reads)
    for s in range(2):
        log_pmf = binom.logpmf(methylated.numpy(), reads.numpy(), level[s].numpy())
        log_choose = binom.logpmf(methylated.numpy(), reads.numpy(), 0.5) - reads.numpy() * np.log(
            0.5
        )
        want = -(log_pmf - log_choose).sum() / reads.sum().item()
        assert abs(float(got[s]) - want) < 1e-9


@pytest.mark.parametrize("param_scale, signal_scale", CASES[:3])
def test_the_jacobian_between_sites_is_zero(param_scale, signal_scale):
    """d m_T[j] / d m_0[k] by autograd through the recorded steps: diagonal only."""
    model = ensemble(seeds=(4,), sites=4, scale=param_scale)
    run = model(signals(1, B=2, T=8, seed=5, scale=signal_scale))
    assert len(run.steps) == 8
    for j in range(4):
        (grad,) = torch.autograd.grad(run.level[:, :, -1, j].sum(), run.steps[0], retain_graph=True)
        off = torch.cat([grad[..., :j], grad[..., j + 1 :]], dim=-1)
        assert torch.equal(off, torch.zeros_like(off))
    if param_scale == 1.0 and signal_scale == 1.0:  # unsaturated: the diagonal is alive
        assert (grad[..., 3].abs() > 0).all()
