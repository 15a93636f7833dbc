"""Chapter 4, "LSTM: gates and a cell-state highway": the experiments behind its claims.

* :func:`torch_match` reads an LSTM gate by gate and compares it with ``torch.nn.LSTM``
  and ``torch.nn.LSTMCell`` on random and on extreme inputs.
* :func:`highway_gradients` measures ``||dc_T/dc_t||`` of an LSTM beside chapter 3's
  ``||dh_T/dh_t||`` of a tanh RNN, on the same DNA sequence.
* :func:`chromatin_runs` trains a one-cell LSTM on simulated ATAC-seq tracks
  (:mod:`coursepkg.data.chromatin`), one seed per run, and measures its forget gate in
  open and closed chromatin, at region boundaries, and with the gate clamped.
* :func:`methylation_properties` checks the methylation LSTM's guarantees on random and
  extreme inputs; :func:`fit_methylation` fits it to simulated time courses
  (:mod:`coursepkg.data.methylation`) and compares its per-site rates with the truth.
* :func:`recorder_timing` times the gate recorder against ``nn.LSTM`` on the same shapes.

Every function takes its seeds as arguments; every random source inside is drawn from
:func:`coursepkg.seeds.derive`, so one seed decides a run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import pearsonr

from coursepkg.analysis.gates import GateRecorder
from coursepkg.analysis.gradients import hidden_state_jacobians, recurrent_matrix
from coursepkg.analysis.highway import cell_jacobian_norms, forget_gate_products
from coursepkg.data.chromatin import ChromatinTracks, simulate_tracks
from coursepkg.data.methylation import MethylationSimulator
from coursepkg.models.lstm import LSTMTagger, edit_forget_gate
from coursepkg.models.methylation import MethylationEnsemble, binomial_nll
from coursepkg.seeds import derive, map_seeds
from coursepkg.sequences import onehot, random_dna
from coursepkg.train import fit, torch_threads

# --- (a) the cell gate by gate, against torch ----------------------------------------------

EXTREME_SCALE = 50.0
"""Extreme inputs: weights and inputs this many times larger than torch's initialisation,
enough to saturate every gate (pre-activations in the hundreds)."""


@dataclass
class MatchResult:
    """Largest absolute differences between the gate-by-gate record and torch (float64)."""

    lstm_random: float
    cell_random: float
    lstm_extreme: float
    cell_extreme: float
    saturated: float
    """Share of gate values within 1e-9 of 0 or 1 on the extreme inputs."""

    @property
    def worst(self) -> float:
        return max(self.lstm_random, self.cell_random, self.lstm_extreme, self.cell_extreme)


def _cell_difference(lstm: torch.nn.LSTM, x: torch.Tensor, record) -> float:
    """Step ``nn.LSTMCell`` (the same weights) through ``x`` from zero; largest difference
    from the record's ``h_t`` and ``c_t`` over every step."""
    cell = torch.nn.LSTMCell(lstm.input_size, lstm.hidden_size, dtype=x.dtype)
    cell.load_state_dict(
        {
            "weight_ih": lstm.weight_ih_l0,
            "weight_hh": lstm.weight_hh_l0,
            "bias_ih": lstm.bias_ih_l0,
            "bias_hh": lstm.bias_hh_l0,
        }
    )
    h = c = x.new_zeros(x.shape[0], lstm.hidden_size)
    worst = 0.0
    with torch.no_grad():
        for t in range(x.shape[1]):
            h, c = cell(x[:, t], (h, c))
            worst = max(worst, float((h - record.h[:, t]).abs().max()))
            worst = max(worst, float((c - record.c[:, t]).abs().max()))
    return worst


def torch_match(
    seed: int, batch: int = 8, length: int = 50, inputs: int = 4, hidden: int = 16
) -> MatchResult:
    """Record an ``nn.LSTM`` gate by gate and compare with torch, on random and extreme data.

    Random: torch's initialisation and inputs from N(0, 1). Extreme: every weight and
    input multiplied by :data:`EXTREME_SCALE`, so that nearly every gate is saturated
    at exactly 0 or 1 and the cell state grows by up to one per step. The record's
    ``o_t * tanh(c_t)`` is compared with ``nn.LSTM``'s outputs and last cell state, and
    its ``h_t``, ``c_t`` with ``nn.LSTMCell`` stepped from zero.
    """
    torch.manual_seed(derive(seed, "weights"))
    lstm = torch.nn.LSTM(inputs, hidden, batch_first=True, dtype=torch.float64)
    gen = torch.Generator().manual_seed(derive(seed, "inputs"))
    x = torch.randn(batch, length, inputs, generator=gen, dtype=torch.float64)
    results = []
    for scale in (1.0, EXTREME_SCALE):
        scaled = edit_forget_gate(lstm)  # a copy
        with torch.no_grad():
            for p in scaled.parameters():
                p.mul_(scale)
            record = GateRecorder(scaled)(scale * x)
        results.append((record.mismatch(), _cell_difference(scaled, scale * x, record), record))
    extreme = results[1][2]
    sigmoids = torch.cat([extreme[g].flatten() for g in ("input", "forget", "output")])
    saturated = float(((sigmoids < 1e-9) | (sigmoids > 1 - 1e-9)).double().mean())
    return MatchResult(results[0][0], results[0][1], results[1][0], results[1][1], saturated)


# --- (a) the highway, through the gradient -------------------------------------------------

FORGET_BIASES = (0.0, 3.0)
"""Forget-gate biases compared: torch's initialisation (``f`` near 0.5) and +3 (``f``
near ``sigmoid(3) = 0.95``)."""


@dataclass
class HighwayResult:
    """Gradient norms through 60 steps of one DNA sequence, entry t = ``T - t`` steps back."""

    rnn: np.ndarray
    """``||dh_T/dh_t||`` of the tanh RNN (spectral radius 1, as in chapter 3)."""
    cell: dict[float, np.ndarray]
    """``||dc_T/dc_t||`` of the LSTM, full derivative, per forget bias."""
    highway: dict[float, np.ndarray]
    """``max_j prod f`` (the cell path alone) per forget bias."""
    mean_forget: dict[float, float]

    def log_ratio(self, bias: float) -> float:
        """``log10(||dc_T/dc_0|| / ||dh_T/dh_0||)``: orders of magnitude the LSTM keeps over
        the RNN, all the way back."""
        return float(np.log10(self.cell[bias][0]) - np.log10(self.rnn[0]))


def highway_gradients(
    seed: int, hidden: int = 32, length: int = 60, forget_biases=FORGET_BIASES
) -> HighwayResult:
    """Chapter 3's tanh RNN and an LSTM of the same size read the same random sequence.

    The RNN is chapter 3's at spectral radius 1 (``W_h = Q`` orthogonal, ``W_x`` with
    standard deviation 0.5, ``b = 0``), whose gradient vanishes through the tanh alone.
    The LSTM has torch's initialisation with its forget-gate bias moved by each value of
    ``forget_biases``.
    """
    gen = torch.Generator().manual_seed(derive(seed, "sequence"))
    x = onehot(random_dna(length, generator=gen), dtype=torch.float64)  # (T, 4)
    W_h = recurrent_matrix(hidden, 1.0, seed=derive(seed, "rnn"))
    W_x = 0.5 * torch.randn(hidden, 4, generator=gen, dtype=torch.float64)
    with torch_threads(1):
        rnn = torch.nn.RNN(4, hidden, batch_first=True).double()
        with torch.no_grad():
            rnn.weight_hh_l0.copy_(W_h)
            rnn.weight_ih_l0.copy_(W_x)
            rnn.bias_hh_l0.zero_()
            rnn.bias_ih_l0.zero_()
        jacobians = hidden_state_jacobians(rnn, x)  # (T, H, H): dh_T/dh_t
        rnn = torch.linalg.matrix_norm(jacobians, ord=2).numpy()
        torch.manual_seed(derive(seed, "lstm"))
        lstm = torch.nn.LSTM(4, hidden, batch_first=True)
        cell, highway, mean_forget = {}, {}, {}
        for bias in forget_biases:
            edited = edit_forget_gate(lstm, shift=bias).double()
            cell[bias] = cell_jacobian_norms(edited, x).numpy()
            with torch.no_grad():
                forget = GateRecorder(edited)(x[None])["forget"][0]
            highway[bias] = forget_gate_products(forget).numpy()
            mean_forget[bias] = float(forget.mean())
    return HighwayResult(rnn, cell, highway, mean_forget)


# --- (b) the forget gate on chromatin accessibility ----------------------------------------

CHROMATIN = {
    "n_train": 400,
    "n_val": 100,
    "n_test": 200,
    "length": 240,
    "epochs": 40,
    "restarts": 2,
}
"""The chromatin experiment's sizes: tracks of 240 bins (12 kb), 40 epochs, best of 2
initialisations."""

BOUNDARY_OFFSETS = np.arange(-6, 11)
"""Bins around a region boundary at which the forget gate is averaged (0 = first bin of
the new state)."""


@dataclass
class ChromatinRun:
    """One seed of the chromatin experiment: the model and what was measured on test tracks."""

    seed: int
    model: LSTMTagger
    forget_open: float
    """Mean forget gate over open bins of the test tracks."""
    forget_closed: float
    forget_exit: float
    """Mean forget gate at the first closed bin after an open region."""
    forget_last_open: float
    """Mean forget gate at the last open bin before a closed stretch."""
    exit_profile: np.ndarray
    """Mean forget gate at :data:`BOUNDARY_OFFSETS` around exits from open regions."""
    entry_profile: np.ndarray
    """The same around entries into open regions."""
    accuracy: dict[str, float]
    """Share of open bins where the rounded output equals the count: ``"trained"``,
    ``"forget clamped at 1"``, ``"forget clamped at 0"``, and ``"always 0"`` (no model)."""
    seconds: float

    @property
    def forget_gap(self) -> float:
        return self.forget_open - self.forget_closed


def chromatin_data(seed: int) -> tuple[ChromatinTracks, ChromatinTracks, ChromatinTracks]:
    """Training, validation and test tracks of one seed."""
    n, length = CHROMATIN, CHROMATIN["length"]
    return (
        simulate_tracks(n["n_train"], length, seed=derive(seed, "train")),
        simulate_tracks(n["n_val"], length, seed=derive(seed, "validation")),
        simulate_tracks(n["n_test"], length, seed=derive(seed, "test")),
    )


def boundary_profile(
    gate: torch.Tensor, marks: torch.Tensor, offsets=BOUNDARY_OFFSETS
) -> np.ndarray:
    """Mean of ``gate (N, T)`` at each offset from the bins where ``marks (N, T)`` is True
    (offsets that fall off the track are left out)."""
    rows, cols = torch.nonzero(marks, as_tuple=True)
    T = gate.shape[1]
    profile = []
    for d in offsets:
        at = cols + int(d)
        inside = (at >= 0) & (at < T)
        profile.append(float(gate[rows[inside], at[inside]].mean()))
    return np.array(profile)


def open_accuracy(model: LSTMTagger, tracks: ChromatinTracks) -> float:
    """Share of open bins where the rounded output equals the motif count."""
    with torch.no_grad():
        out = model(tracks.x).round()
    return float((out == tracks.y)[tracks.open].double().mean())


def train_chromatin(
    seed: int, hidden: int = 1, forget_bias: float = 1.5, restarts: int | None = None
) -> ChromatinRun:
    """Train ``LSTMTagger(2, hidden)`` to output the motif count of the current open region.

    Mean squared error, Adam (lr 0.02), batches of 32, gradients clipped at 1,
    ``CHROMATIN["epochs"]`` epochs, keeping the weights with the best validation loss. The
    forget gate starts with bias ``forget_bias`` (``f`` near 0.8). A one-cell LSTM can get
    stuck (never learning to reset, or keeping its count outside the cell), so each seed
    trains ``restarts`` (default ``CHROMATIN["restarts"]``) initialisations and keeps the one
    with the lowest validation loss. The forget gate is averaged over units (one by default).
    """
    restarts = CHROMATIN["restarts"] if restarts is None else restarts
    train, val, test = chromatin_data(seed)
    best, model = float("inf"), None
    with torch_threads(1):
        start = time.perf_counter()
        for attempt in range(restarts):
            torch.manual_seed(derive(seed, "init", attempt))
            candidate = LSTMTagger(2, hidden, forget_bias=forget_bias)
            history = fit(
                candidate,
                train.x,
                train.y,
                F.mse_loss,
                epochs=CHROMATIN["epochs"],
                batch_size=32,
                lr=0.02,
                seed=derive(seed, "order", attempt),
                val=(val.x, val.y),
                progress=False,
            )
            if min(history.val_loss) < best:
                best, model = min(history.val_loss), candidate
        seconds = time.perf_counter() - start
        with torch.no_grad():
            forget = GateRecorder(model.lstm)(test.x)["forget"].mean(dim=-1)  # (N, T)
        last_open = torch.zeros_like(test.open)
        last_open[:, :-1] = test.exits[:, 1:]
        accuracy = {"trained": open_accuracy(model, test)}
        for clamp in (1, 0):
            clamped = model.with_lstm(edit_forget_gate(model.lstm, clamp=clamp))
            accuracy[f"forget clamped at {clamp}"] = open_accuracy(clamped, test)
        accuracy["always 0"] = float((test.y == 0)[test.open].double().mean())
    return ChromatinRun(
        seed=seed,
        model=model,
        forget_open=float(forget[test.open].mean()),
        forget_closed=float(forget[~test.open].mean()),
        forget_exit=float(forget[test.exits].mean()),
        forget_last_open=float(forget[last_open].mean()),
        exit_profile=boundary_profile(forget, test.exits),
        entry_profile=boundary_profile(forget, test.entries),
        accuracy=accuracy,
        seconds=seconds,
    )


def chromatin_runs(seeds, processes: int = 2) -> list[ChromatinRun]:
    """:func:`train_chromatin` for every seed, on ``processes`` cores."""
    return map_seeds(train_chromatin, seeds, processes=processes)


def chromatin_table(runs: list[ChromatinRun]) -> list[dict]:
    """One row per seed: forget gate in open and closed bins and at exits; accuracies."""
    return [
        {
            "seed": run.seed,
            "f, open bins": run.forget_open,
            "f, closed bins": run.forget_closed,
            "f, first closed bin": run.forget_exit,
            "accuracy": run.accuracy["trained"],
            "f clamped at 1": run.accuracy["forget clamped at 1"],
            "f clamped at 0": run.accuracy["forget clamped at 0"],
            "always 0": run.accuracy["always 0"],
        }
        for run in runs
    ]


def clamp_cost(runs: list[ChromatinRun], clamp: int) -> list[float]:
    """Per seed: accuracy of the trained model minus its accuracy with ``f`` clamped."""
    return [r.accuracy["trained"] - r.accuracy[f"forget clamped at {clamp}"] for r in runs]


# --- (c) the methylation LSTM --------------------------------------------------------------


@dataclass
class PropertyResult:
    """The methylation LSTM's guarantees, checked on one seed's random and extreme inputs."""

    outside: int
    """Levels outside [0, 1] (must be 0)."""
    ema_error: float
    """Largest ``|m_t - sum_s w_{t,s} m~_s|`` with the EMA weights from the gates (float64)."""
    weight_sum_error: float
    """Largest ``|sum_s w_{t,s} - 1|``: the EMA's weights are a convex combination."""
    cross_site: float
    """Largest ``|d m_T[j] / d m_0[k]|`` over pairs of different sites ``j != k``."""
    saturated: float
    """Share of extreme-input gate values at exactly 0 or 1."""


def ema_weights(retention: torch.Tensor) -> torch.Tensor:
    """``w[..., t, s, j] = (1 - f_s) * f_{s+1} * ... * f_t`` (0 for ``s > t``), the weight of
    the candidate of step s in the level at step t, from ``retention (..., T, H)``."""
    T = retention.shape[-2]
    keep = retention.unsqueeze(-3).expand(*retention.shape[:-2], T, T, retention.shape[-1])
    # product of f over steps s+1..t: keep[..., t, r, j] used where s < r <= t
    t_idx = torch.arange(T)[:, None, None]
    r_idx = torch.arange(T)[None, :, None]
    weights = []
    for s in range(T):
        mask = (r_idx > s) & (r_idx <= t_idx)  # (T, T, 1)
        factors = torch.where(mask, keep, torch.ones_like(keep))
        weights.append((1 - retention[..., s, :]).unsqueeze(-2) * factors.prod(dim=-2))
    w = torch.stack(weights, dim=-2)  # (..., t, s, H)
    causal = (torch.arange(T)[None, :] <= torch.arange(T)[:, None]).to(w.dtype)  # s <= t
    return w * causal[:, :, None]


def _extreme(model: MethylationEnsemble, scale: float) -> None:
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(scale)


def cross_site_gradient(model: MethylationEnsemble, x: torch.Tensor) -> torch.Tensor:
    """Per member, the largest ``|d m_T[j] / d m_0[k]|`` over sites ``j != k``, ``(S,)``: how
    much a site's last level depends on another site's first level (zero when no site reads
    another). One backward pass per site j."""
    run = model(x)
    start = run.steps[0]  # m_0, (S, B, H), a node of the graph
    worst = torch.zeros(model.n_members, dtype=torch.float64)
    for j in range(model.n_sites):
        final = run.level[:, :, -1, j].sum()  # site j's last level, every member and course
        (grad,) = torch.autograd.grad(final, start, retain_graph=True)  # (S, B, H): over k
        others = torch.cat([grad[..., :j], grad[..., j + 1 :]], dim=-1)
        if others.numel():
            worst = torch.maximum(worst, others.abs().flatten(1).amax(dim=1).double())
    return worst


def methylation_properties(
    seeds, sites: int = 6, signals: int = 3, batch: int = 16, length: int = 30
) -> list[PropertyResult]:
    """Random and extreme inputs through randomly initialised methylation LSTMs, one per seed.

    Random: each seed's initialisation and signals from N(0, 4). Extreme: parameters
    times :data:`EXTREME_SCALE` and signals times ``1e3``, so the gates sit at exactly 0
    or 1. All in float64; the seeds run side by side as one :class:`MethylationEnsemble`.
    """
    seeds = [int(s) for s in seeds]

    def fresh():
        return MethylationEnsemble([derive(s, "init") for s in seeds], sites, signals).double()

    x = torch.stack(
        [
            2.0
            * torch.randn(
                batch,
                length,
                signals,
                generator=torch.Generator().manual_seed(derive(s, "signals")),
                dtype=torch.float64,
            )
            for s in seeds
        ]
    )  # (S, B, T, D)
    model = fresh()
    S = len(seeds)
    outside, ema_error, weight_error = torch.zeros(S), torch.zeros(S), torch.zeros(S)
    with torch.no_grad():
        for signal_scale in (1.0, 1e3):
            if signal_scale > 1:
                _extreme(model, EXTREME_SCALE)
            run = model(signal_scale * x)
            per_member = tuple(range(1, run.level.dim()))
            outside += ((run.level < 0) | (run.level > 1)).sum(dim=per_member)
            w = ema_weights(run.retention)  # (S, B, t, s, H)
            unrolled = (w * run.target.unsqueeze(-3)).sum(dim=-2)
            ema_error = torch.maximum(ema_error, (unrolled - run.level).abs().amax(dim=per_member))
            weight_error = torch.maximum(
                weight_error, (w.sum(dim=-2) - 1).abs().amax(dim=per_member)
            )
        gates = torch.cat([run.retention[:, :, 1:].flatten(1), run.target.flatten(1)], dim=1)
        saturated = ((gates == 0) | (gates == 1)).double().mean(dim=1)
    cross = cross_site_gradient(fresh(), x)
    return [
        PropertyResult(
            int(outside[s]),
            float(ema_error[s]),
            float(weight_error[s]),
            float(cross[s]),
            float(saturated[s]),
        )
        for s in range(S)
    ]


METHYLATION = {"n_sites": 12, "n_signals": 2, "length": 40, "n_train": 48, "steps": 200}
"""The methylation fit's sizes: 12 sites, 48 time courses of 40 steps, 200 Adam steps."""


@dataclass
class MethylationFit:
    """A block of seeds fitted at once: true and learned rates, one row per seed."""

    seeds: list[int]
    true_rates: np.ndarray
    """``(S, H)``: each seed's simulated maintenance rates."""
    learned_rates: np.ndarray
    """``(S, H)``: the fitted forget gate of every site, averaged over the data."""
    correlation: list[float]
    """Pearson correlation between true and learned rates, per seed."""
    model: MethylationEnsemble
    simulators: list[MethylationSimulator]
    data: list
    loss: np.ndarray
    """Final binomial negative log-likelihood per read, per seed."""
    seconds: float

    def signals(self) -> torch.Tensor:
        """Every seed's training signals, ``(S, N, T, D)``."""
        return torch.stack([d.x for d in self.data])


def fit_methylation(seeds, steps: int = METHYLATION["steps"], lr: float = 0.05) -> MethylationFit:
    """Simulate every seed's sites and time courses and fit one methylation LSTM per seed.

    All seeds are trained together as one :class:`MethylationEnsemble` (full batch, Adam,
    binomial likelihood of the read counts); member s sees only seed s's data and starts
    from seed s's initialisation, so its result does not depend on the other members.
    """
    seeds = [int(s) for s in seeds]
    cfg = METHYLATION
    sims = [
        MethylationSimulator(
            cfg["n_sites"], cfg["n_signals"], cfg["length"], seed=derive(s, "sites")
        )
        for s in seeds
    ]
    data = [
        sim.sample(cfg["n_train"], seed=derive(s, "courses"))
        for sim, s in zip(sims, seeds, strict=True)
    ]
    x = torch.stack([d.x for d in data])  # (S, N, T, D)
    methylated = torch.stack([d.methylated for d in data])
    reads = torch.stack([d.reads for d in data])
    with torch_threads(1):
        model = MethylationEnsemble(
            [derive(s, "init") for s in seeds], cfg["n_sites"], cfg["n_signals"]
        )
        optimiser = torch.optim.Adam(model.parameters(), lr=lr)
        start = time.perf_counter()
        for _ in range(steps):
            loss = binomial_nll(model(x).level, methylated, reads)  # (S,)
            optimiser.zero_grad()
            loss.sum().backward()  # members share no parameter: each gets its own gradient
            optimiser.step()
        seconds = time.perf_counter() - start
        learned = model.retention_rates(x).numpy()
    true = np.stack([sim.rates for sim in sims])
    correlation = [float(pearsonr(t, lr_)[0]) for t, lr_ in zip(true, learned, strict=True)]
    return MethylationFit(
        seeds, true, learned, correlation, model, sims, data, loss.detach().numpy(), seconds
    )


# --- timing --------------------------------------------------------------------------------

TIMING_SHAPES = ((64, 200, 4, 32), (200, 240, 2, 1), (16, 200, 4, 8), (1, 60, 4, 16))
"""``(B, T, D, H)`` shapes at which the recorder is timed against ``nn.LSTM``."""


def recorder_timing(shapes=TIMING_SHAPES, repeats: int = 7) -> list[dict]:
    """CPU time of ``GateRecorder`` and of ``nn.LSTM`` alone on the same input, one thread.

    The recorder runs the fused ``nn.LSTM`` and then reads its gates and cell states, so
    its time is the fused time plus the reading. Best of ``repeats`` runs.
    """
    rows = []
    with torch_threads(1), torch.no_grad():
        for B, T, D, H in shapes:
            torch.manual_seed(0)
            lstm = torch.nn.LSTM(D, H, batch_first=True)
            recorder = GateRecorder(lstm)
            x = torch.randn(B, T, D)
            fused, ours = _best(lstm, x, repeats), _best(recorder, x, repeats)
            rows.append(
                {
                    "shape (B, T, D, H)": f"{B} x {T} x {D} x {H}",
                    "nn.LSTM (ms)": 1e3 * fused,
                    "GateRecorder (ms)": 1e3 * ours,
                    "ratio": ours / fused,
                }
            )
    return rows


def _best(fn, x: torch.Tensor, repeats: int) -> float:
    """Smallest CPU time of ``repeats`` calls ``fn(x)`` (after one warm-up call)."""
    fn(x)
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn(x)
        times.append(time.process_time() - start)
    return min(times)


# --- the claims' numbers -------------------------------------------------------------------


def claim_values(seeds, matches, highways, runs, properties, fit) -> dict:
    """``{claim_id: (values, seeds)}`` for every claim of the chapter, from its experiments
    (the notebook records the same expressions, section by section)."""
    seeds = [int(s) for s in seeds]
    values = {
        "ch04.lstm_matches_torch": [m.worst for m in matches],
        "ch04.highway_keeps_gradient": [h.log_ratio(3.0) for h in highways],
        "ch04.highway_needs_open_forget": [h.log_ratio(0.0) for h in highways],
        "ch04.forget_closes_in_closed_chromatin": [r.forget_gap for r in runs],
        "ch04.forget_drops_at_exit": [r.forget_last_open - r.forget_exit for r in runs],
        "ch04.clamp_open_fails": clamp_cost(runs, 1),
        "ch04.clamp_shut_fails": clamp_cost(runs, 0),
        "ch04.methylation_bounded": [p.outside for p in properties],
        "ch04.methylation_is_ema": [p.ema_error for p in properties],
        "ch04.methylation_sites_independent": [p.cross_site for p in properties],
        "ch04.methylation_rates_recovered": fit.correlation,
    }
    return {claim_id: (v, seeds) for claim_id, v in values.items()}
