"""Chapter 5's claims, and :func:`measure`, which re-measures them on a block of seeds.

The path lengths are deterministic: measured on networks whose weights are set, not drawn
(:func:`experiments.path_exponents`), so every block gives the same values. Everything
trained is a statistic over the block's seeds (:data:`experiments.BOOK` ``.n_seeds``), and
every comparison is paired: both models read the same seed's sequences.
"""

from __future__ import annotations

from coursepkg.claims import Claim

CLAIMS = [
    Claim(
        "ch05.path_flat",
        "In a flat RNN the first base of a 64-base sequence is 63 recurrent steps from the "
        "output (L - 1).",
        "measured path length, flat vanilla RNN, L = 64 (log of the gradient in base eps)",
        "==",
        63,
        fmt=".2f",
    ),
    Claim(
        "ch05.path_hierarchical",
        "With windows of 8 bases the same first base is 7 low steps and 7 high steps from the "
        "output: (w - 1) + (L / w - 1) = 14.",
        "measured path length, hierarchical vanilla RNN, L = 64, w = 8",
        "==",
        14,
        fmt=".2f",
    ),
    Claim(
        "ch05.path_dilated",
        "With dilations 1, 2, 4, 8, 16 the shortest path takes 7 steps: 63 = 3 x 16 + 8 + 4 + 2 "
        "+ 1.",
        "measured path length, dilated vanilla RNN, L = 64, dilations 1, 2, 4, 8, 16",
        "==",
        7,
        fmt=".2f",
    ),
    Claim(
        "ch05.window_reader",
        "Pre-trained on short windows (50, then 300 bases), the window reader tells enhancer, "
        "decoy and no site apart at the end of 1 kb windows.",
        "accuracy of the window reader's class at the end of held-out 1 kb windows",
        ">=",
        0.85,
        over="median",
    ),
    Claim(
        "ch05.hierarchical_50kb",
        "On sequences of 50,000 bp, with the enhancer 20 to 45 kb upstream of the prediction "
        "point, the hierarchical model learns the task.",
        "held-out accuracy of the hierarchical model at 50 kb",
        ">=",
        0.9,
        over="median",
    ),
    Claim(
        "ch05.hierarchical_beats_flat_50kb",
        "A flat model of the same reader, trained on the 50 kb sequences for what the budget "
        "affords, stays far below it.",
        "hierarchical minus flat held-out accuracy at 50 kb, same seed's sequences (paired)",
        ">=",
        0.3,
        over="median",
    ),
    Claim(
        "ch05.hierarchical_far",
        "At chapter 3's largest distance (60) a hierarchical vanilla RNN (windows of 8) learns "
        "the task.",
        "held-out accuracy of the hierarchical vanilla RNN at distance 60",
        ">=",
        0.9,
        over="median",
    ),
    Claim(
        "ch05.dilated_far",
        "So does a dilated vanilla RNN (dilations 1, 2, 4, 8, 16).",
        "held-out accuracy of the dilated vanilla RNN at distance 60",
        ">=",
        0.9,
        over="median",
    ),
    Claim(
        "ch05.dilated_beats_flat_far",
        "The dilated RNN beats the flat vanilla RNN with the same cell at distance 60.",
        "dilated minus flat vanilla RNN held-out accuracy at distance 60 (paired)",
        ">=",
        0.2,
        over="median",
    ),
]


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch05_long_range import experiments as ex
    from coursepkg.seeds import block

    seeds = block(ex.BOOK.n_seeds, base=seed_base)
    result = ex.study(seeds, ex.BOOK, progress=False)
    return {**ex.path_exponents(ex.BOOK).claims(), **result.claims()}
