"""The experiments each chapter runs, as functions that return small results.

A chapter cell calls one of these and shows its result; the test suite calls the same
function and checks the same claim (see :mod:`coursepkg.claims`).
"""

from coursepkg.experiments.hidden_state import (
    FSMCheck,
    MotifRun,
    PurityResult,
    check_fsm_exact,
    constant_accuracy,
    fsm_states,
    motif_accuracy,
    motif_loss,
    state_cluster_purity,
    train_motif_rnn,
    transition_table,
)

__all__ = [
    "FSMCheck",
    "MotifRun",
    "PurityResult",
    "check_fsm_exact",
    "constant_accuracy",
    "fsm_states",
    "motif_accuracy",
    "motif_loss",
    "state_cluster_purity",
    "train_motif_rnn",
    "transition_table",
]
