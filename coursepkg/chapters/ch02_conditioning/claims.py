"""Chapter 2's claims, and :func:`measure`, which re-measures them on a block of seeds.

Every claim is about simulated data and trained models, so each is a statistic over the
block's seeds (one simulated world, data set and initialisation per seed), and every
comparison of two views of ``h_0`` is paired: both views trained on the same seed.
"""

from __future__ import annotations

from coursepkg.claims import Claim

CLAIMS = [
    Claim(
        "ch02.type_beats_zero_early",
        "Starting the RNN from a learned state per cell type predicts the first steps of "
        "held-out trajectories clearly better than starting from zero.",
        "error of zero h0 divided by error of h0 from the cell type, first 3 steps "
        "(same seed, paired)",
        ">=",
        1.25,
        over="median",
        fmt=".2f",
    ),
    Claim(
        "ch02.omics_beats_shared_early",
        "h0 = MLP(z) from baseline omics beats a single learned h0 shared by all cells at "
        "the first steps.",
        "error of shared h0 divided by error of h0 = MLP(z), first 3 steps (paired)",
        ">=",
        1.5,
        over="median",
        fmt=".2f",
    ),
    Claim(
        "ch02.omics_beats_type_early",
        "At the first steps h0 = MLP(z) also beats the h0 learned per cell type: z tells the "
        "model where this cell starts, the type only where cells of its kind start.",
        "error of cell-type h0 divided by error of h0 = MLP(z), first 3 steps (paired)",
        ">=",
        1.15,
        over="median",
        fmt=".2f",
    ),
    Claim(
        "ch02.conditioned_win_overall",
        "Both conditioned models also beat both unconditioned ones over whole trajectories.",
        "error of the better unconditioned model divided by error of the worse conditioned "
        "one, all steps (paired)",
        ">=",
        1.1,
        over="median",
        fmt=".2f",
    ),
    Claim(
        "ch02.gain_shrinks_late",
        "What the cell type adds is largest at the start: the error it removes at the first "
        "steps is larger than what it removes in the last third of the trajectory.",
        "(zero h0 minus cell-type h0 error, first 3 steps) minus the same in the last third "
        "(paired)",
        ">=",
        0.01,
        over="median",
        fmt=".4f",
    ),
    Claim(
        "ch02.omics_pin_the_start",
        "In this simulator the omics covariates locate a cell's true starting state several "
        "times more precisely than its first measurement does.",
        "RMS error of s_0 estimated by x_0 divided by that of s_0 estimated from z (least squares)",
        ">=",
        3.0,
        over="median",
        fmt=".1f",
    ),
]


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch02_conditioning import experiments as ex
    from coursepkg.seeds import block

    result = ex.compare_initial_states(block(ex.BOOK.n_seeds, base=seed_base), ex.BOOK)
    return result.claims()
