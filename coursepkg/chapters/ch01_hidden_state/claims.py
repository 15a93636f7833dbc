"""Chapter 1's claims, and :func:`measure`, which re-measures them on a block of seeds."""

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
]


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch01_hidden_state import experiments as ex
    from coursepkg.models import acg_detector

    exact = ex.check_fsm_exact(n=5000, length=60, seed=11)
    forgetful = acg_detector()
    forgetful["W_h"][2, 2] = 1.0
    weak = ex.check_fsm_exact(n=5000, length=60, seed=11, weights=forgetful)
    run = ex.train_motif_rnn(hidden=8, n=2000, length=20, plant=0.5, epochs=15, seed=seed_base)
    long_run = ex.train_motif_rnn(hidden=8, n=2000, length=50, plant=0.0, epochs=15, seed=seed_base)
    trained = ex.state_cluster_purity(run.model, k=4, seed=seed_base)
    control = ex.state_cluster_purity(run.untrained, k=4, seed=seed_base)
    return {
        "ch01.fsm_exact": exact.mismatches,
        "ch01.self_connection_needed": weak.error_rate,
        "ch01.trained_accuracy": run.test_accuracy,
        "ch01.long_training_stalls": long_run.gain_over_constant,
        "ch01.state_purity": trained.purity,
        "ch01.purity_over_control": trained.purity - control.purity,
    }
