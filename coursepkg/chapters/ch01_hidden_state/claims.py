"""Chapter 1's claims, and :func:`measure`, which re-measures them on a block of seeds.

The hand-built detector's claims are checks of a construction (one value each, on random
sequences drawn from the block's first seed). Every claim about trained networks is a
statistic over the block's seeds (:data:`experiments.BOOK` ``.n_seeds`` of them).
"""

from __future__ import annotations

from coursepkg.claims import Claim

CLAIMS = [
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
        "An Elman RNN with 8 tanh units, trained by gradient descent on 20-base sequences "
        "(half with ACG planted), labels every position of unseen 50-base sequences almost "
        "perfectly.",
        "per-position accuracy on held-out 50-base sequences",
        ">=",
        0.98,
        over="median",
        fmt=".4f",
    ),
    Claim(
        "ch01.long_training_stalls",
        "Trained the same way but on 50-base sequences with nothing planted, the network "
        "does no better than always answering 'not yet'.",
        "held-out accuracy minus that of the constant answer",
        "<=",
        0.01,
        over="median",
    ),
    Claim(
        "ch01.planting_alone_not_enough",
        "Planting ACG in half of the 50-base training sequences does not make training "
        "reliable: on many seeds the network still learns nothing useful.",
        "held-out accuracy minus that of the constant answer (50 bases, half planted); "
        "a seed counts when it is below 0.05",
        "<=",
        0.05,
        over="k_of_n",
        k=4,
    ),
    Claim(
        "ch01.short_alone_not_enough",
        "Short sequences alone do not make it reliable either: trained on 20-base "
        "sequences with nothing planted, the network learns nothing useful on some seeds.",
        "held-out accuracy minus that of the constant answer (20 bases, nothing planted); "
        "a seed counts when it is below 0.05",
        "<=",
        0.05,
        over="k_of_n",
        k=2,
    ),
    Claim(
        "ch01.state_purity",
        "The trained network's hidden states fall into clusters that each hold (almost) "
        "a single state of the machine.",
        "purity of k-means clusters (k = 8, best of 10 starts) against the machine's states",
        ">=",
        0.9,
        over="median",
    ),
    Claim(
        "ch01.purity_over_control",
        "The same network before training does not: its clusters are far less pure.",
        "purity of the trained network minus purity of the same network untrained "
        "(k = 8, paired by seed)",
        ">=",
        0.2,
        over="median",
    ),
]


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch01_hidden_state import experiments as ex
    from coursepkg.seeds import block

    seeds = block(ex.BOOK.n_seeds, base=seed_base)
    checks = ex.detector_checks(seeds[0], ex.BOOK)
    study = ex.train_motif_networks(seeds, ex.BOOK)
    purity = ex.purity_study(study, ex.BOOK)
    return {**checks.claims(), **study.claims(), **purity.claims()}
