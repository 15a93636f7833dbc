"""Recurrent models, one idea a file."""

from coursepkg.models.conditioned import ConditionedRNN, InitialState
from coursepkg.models.elman import ElmanRNN, elman_step
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
    "ConditionedRNN",
    "ElmanRNN",
    "InitialState",
    "LastStateClassifier",
    "ThresholdRNN",
    "acg_detector",
    "acg_machine_states",
    "check_weights",
    "elman_step",
    "step",
]
