"""Recurrent models, one idea a file."""

from coursepkg.models.conditioned import ConditioningEnsemble
from coursepkg.models.elman import ElmanEnsemble, ElmanRNN, elman_step
from coursepkg.models.last_state import LastStateClassifier
from coursepkg.models.threshold import (
    ACG_STATE_NAMES,
    ThresholdRNN,
    acg_detector,
    acg_machine_states,
    check_weights,
    step,
)

__all__ = [
    "ACG_STATE_NAMES",
    "ConditioningEnsemble",
    "ElmanEnsemble",
    "ElmanRNN",
    "LastStateClassifier",
    "ThresholdRNN",
    "acg_detector",
    "acg_machine_states",
    "check_weights",
    "elman_step",
    "step",
]
