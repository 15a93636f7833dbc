"""Chapter 4's claims, and :func:`measure`, which re-measures them on a block of seeds."""

from __future__ import annotations

from coursepkg.claims import Claim

SEEDS = 5
"""Seeds per claim (one block)."""

CLAIMS = [
    Claim(
        "ch04.lstm_matches_torch",
        "Reading the LSTM gate by gate (torch's layout: i, f, g, o) reproduces "
        "torch.nn.LSTM and torch.nn.LSTMCell to rounding error, on random inputs and on "
        "extreme ones that saturate every gate.",
        "largest |difference| in h_t or c_t from nn.LSTM and nn.LSTMCell (float64)",
        "<=",
        1e-10,
        over="every",
        fmt=".1e",
    ),
    Claim(
        "ch04.highway_keeps_gradient",
        "With its forget gate near one, the LSTM's cell state carries the gradient 60 "
        "steps back where chapter 3's tanh RNN loses it.",
        "log10 of ||dc_T/dc_0|| (LSTM, forget bias +3) over ||dh_T/dh_0|| (tanh RNN, "
        "spectral radius 1), same 60-base sequence",
        ">=",
        4.0,
        over="every",
        fmt=".2f",
    ),
    Claim(
        "ch04.highway_needs_open_forget",
        "The highway is only as long as the forget gates make it: at torch's default "
        "initialisation (f near 0.5) the LSTM's cell gradient vanishes faster than the RNN's.",
        "log10 of ||dc_T/dc_0|| (LSTM, default forget bias) over ||dh_T/dh_0|| (tanh RNN)",
        "<=",
        -1.0,
        over="every",
        fmt=".2f",
    ),
    Claim(
        "ch04.forget_closes_in_closed_chromatin",
        "Trained to count motifs in the current open region of an ATAC-seq-like track, "
        "the LSTM learns a forget gate that is higher in open chromatin than in closed "
        "chromatin (by a margin that varies between seeds).",
        "mean forget gate in open bins minus in closed bins (held-out tracks)",
        ">=",
        0.15,
        over="median",
    ),
    Claim(
        "ch04.forget_drops_at_exit",
        "The forget gate falls as the track leaves an open region.",
        "mean forget gate at the last open bin minus at the first closed bin",
        ">=",
        0.1,
        over="median",
    ),
    Claim(
        "ch04.clamp_open_fails",
        "Clamped at f = 1 (never forget), the trained network carries counts from one "
        "open region into the next and gets most open bins wrong.",
        "accuracy on open bins, trained minus forget gate clamped at 1 (paired per seed)",
        ">=",
        0.5,
        over="median",
    ),
    Claim(
        "ch04.clamp_shut_fails",
        "Clamped at f = 0 (forget at every step), it cannot keep a count at all.",
        "accuracy on open bins, trained minus forget gate clamped at 0 (paired per seed)",
        ">=",
        0.25,
        over="median",
    ),
    Claim(
        "ch04.methylation_bounded",
        "The methylation LSTM's cell state stays in [0, 1] for any input, random or extreme.",
        "levels outside [0, 1], random and extreme inputs",
        "==",
        0,
        over="every",
        fmt=".0f",
    ),
    Claim(
        "ch04.methylation_is_ema",
        "Its cell state is an exponential moving average of its candidates: rebuilt from "
        "the gates as a weighted mean of the candidates, it is the same number.",
        "largest |level - EMA of candidates| (float64), random and extreme inputs",
        "<=",
        1e-12,
        over="every",
        fmt=".1e",
    ),
    Claim(
        "ch04.methylation_sites_independent",
        "With diagonal recurrence no site's level depends on another site: the "
        "cross-site derivatives are exactly zero.",
        "largest |d m_T[j] / d m_0[k]| over sites j != k (30 steps)",
        "==",
        0,
        over="every",
        fmt=".1e",
    ),
    Claim(
        "ch04.methylation_rates_recovered",
        "Fitted to simulated bisulfite reads, the methylation LSTM's per-site forget gates "
        "recover the sites' true maintenance rates.",
        "Pearson correlation between learned and true per-site rates (12 sites)",
        ">=",
        0.9,
        over="median",
    ),
]


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch04_lstm import experiments as ex
    from coursepkg.seeds import block

    seeds = block(SEEDS, base=seed_base)
    matches = [ex.torch_match(s) for s in seeds]
    highways = [ex.highway_gradients(s) for s in seeds]
    runs = ex.chromatin_runs(seeds)
    properties = ex.methylation_properties(seeds)
    fit = ex.fit_methylation(seeds)
    return ex.claim_values(seeds, matches, highways, runs, properties, fit)
