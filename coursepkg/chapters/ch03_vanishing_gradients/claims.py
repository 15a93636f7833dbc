"""Chapter 3's claims, and :func:`measure`, which re-measures them on a block of seeds."""

from __future__ import annotations

from coursepkg.claims import Claim

CLAIMS = [
    Claim(
        "ch03.linear_rate_matches",
        "For a linear RNN the gradient norm ||dh_T/dh_t|| decays (or grows) exactly at "
        "the rate log(rho) set by the spectral radius of W_h.",
        "largest |fitted rate - log(rho)| over rho = 0.9, 1.0, 1.1",
        "<=",
        1e-6,
        fmt=".1e",
    ),
    Claim(
        "ch03.tanh_rate_bounded",
        "With tanh the gradient decays at least as fast as log(rho): the derivative of "
        "tanh can only shrink it.",
        "largest (fitted tanh rate - log(rho)) over rho = 0.9, 1.0, 1.1",
        "<=",
        1e-9,
        fmt=".3f",
    ),
    Claim(
        "ch03.tanh_vanishes_at_one",
        "Even at spectral radius 1 the tanh RNN's gradients vanish.",
        "fitted decay rate of the tanh RNN at rho = 1 (per step)",
        "<=",
        -0.05,
        fmt=".3f",
    ),
    Claim(
        "ch03.rnn_near",
        "A vanilla RNN learns the enhancer task when the enhancer is close.",
        "held-out accuracy of the vanilla RNN at distance 5",
        ">=",
        0.9,
    ),
    Claim(
        "ch03.rnn_far_chance",
        "A vanilla RNN falls to chance when the enhancer is far upstream.",
        "held-out accuracy of the vanilla RNN at distance 60 (chance 0.5)",
        "<=",
        0.6,
    ),
    Claim(
        "ch03.lstm_far",
        "An LSTM, trained the same way, still learns it at that distance.",
        "held-out accuracy of the LSTM at distance 60",
        ">=",
        0.9,
    ),
    Claim(
        "ch03.tbptt_horizon",
        "Truncated BPTT with k steps sends gradient exactly k positions back, no further.",
        "positions receiving gradient minus k (k = 10)",
        "==",
        0,
        fmt=".0f",
    ),
    Claim(
        "ch03.tbptt_lstm_fails",
        "An LSTM trained with truncation shorter than the distance does not learn the task.",
        "held-out accuracy at distance 60 of the LSTM trained with k = 10",
        "<=",
        0.65,
    ),
]


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch03_vanishing_gradients import experiments as ex

    decay = ex.gradient_decay(radii=(0.9, 1.0, 1.1), hidden=32, length=60, seed=seed_base)
    runs = ex.distal_accuracy(distances=(5, 15, 30, 60), seed=seed_base)
    truncated = ex.truncation_horizon(truncation=10, distance=60, seed=seed_base)
    return {
        "ch03.linear_rate_matches": ex.linear_rate_error(decay),
        "ch03.tanh_rate_bounded": ex.tanh_rate_excess(decay),
        "ch03.tanh_vanishes_at_one": decay[1].tanh_rate,
        "ch03.rnn_near": ex.accuracy_of(runs, "rnn", 5),
        "ch03.rnn_far_chance": ex.accuracy_of(runs, "rnn", 60),
        "ch03.lstm_far": ex.accuracy_of(runs, "lstm", 60),
        "ch03.tbptt_horizon": truncated.horizon - truncated.truncation,
        "ch03.tbptt_lstm_fails": truncated.truncated_run.accuracy,
    }
