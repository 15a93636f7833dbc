"""Chapter 2's claims, and :func:`measure`, which re-measures them on a block of seeds."""

from __future__ import annotations

from coursepkg.claims import Claim

CLAIMS = [
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
        "gain ratio (zero h0 / embedding h0) at the first 3 steps over the ratio at the last steps",
        ">=",
        1.2,
        fmt=".2f",
    ),
]


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch02_conditioning import experiments as ex

    runs, _ = ex.compare_initial_states(n_train=600, n_test=1000, seed=seed_base, epochs=25)
    return ex.claim_values(runs)
