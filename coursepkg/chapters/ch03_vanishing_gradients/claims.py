"""Chapter 3's claims, and :func:`measure`, which re-measures them on a block of seeds.

The claims about gradient norms and the truncation horizon are mathematical: one value
each, computed on weights and sequences drawn from the block's first seed. The claims about
training are statistics over the block's seeds (:data:`experiments.BOOK` ``.n_seeds``), and
every comparison of two models is paired: both trained on the same seed's sequences.
"""

from __future__ import annotations

from coursepkg.claims import Claim

CLAIMS = [
    Claim(
        "ch03.linear_rate_matches",
        "For a linear RNN whose W_h is a normal matrix (here rho Q, Q orthogonal) the "
        "gradient norm ||dh_T/dh_t|| decays or grows exactly at the rate log(rho) per step.",
        "largest |fitted linear rate - log(rho)| over rho = 0.9, 1.0, 1.1 and the normal "
        "matrix of the non-normal comparison",
        "<=",
        1e-6,
        fmt=".1e",
    ),
    Claim(
        "ch03.tanh_rate_bounded",
        "With tanh the gradient can only change faster downwards: its fitted rate is at most "
        "log ||W_h||_2, the log of W_h's largest singular value (which is log(rho) for a "
        "normal matrix such as rho Q).",
        "largest (fitted tanh rate - log ||W_h||_2) over every matrix of the chapter",
        "<=",
        1e-9,
        fmt=".3f",
    ),
    Claim(
        "ch03.tanh_vanishes_at_one",
        "Even at spectral radius 1 the tanh RNN's gradients vanish.",
        "fitted rate of the tanh RNN's gradient norm at rho = 1 (per step)",
        "<=",
        -0.05,
        fmt=".3f",
    ),
    Claim(
        "ch03.nonnormal_grows",
        "The spectral radius alone does not decide: with a non-normal W_h of spectral radius "
        "0.9 (a chain of units, each keeping 0.9 of itself and passing 0.3 on to the next), "
        "the linear RNN's gradient grows through 60 steps.",
        "fitted rate of the linear RNN's gradient norm for the chain matrix (per step; "
        "log(rho) = -0.105)",
        ">=",
        0.1,
        fmt=".3f",
    ),
    Claim(
        "ch03.rnn_near",
        "A vanilla RNN learns the enhancer task when the enhancer is close.",
        "held-out accuracy of the vanilla RNN at distance 5",
        ">=",
        0.9,
        over="median",
    ),
    Claim(
        "ch03.rnn_far_below_lstm",
        "Under the same training budget, at distance 60 the vanilla RNN stays far below the LSTM.",
        "LSTM accuracy minus vanilla RNN accuracy at distance 60, same seed's data (paired)",
        ">=",
        0.3,
        over="median",
    ),
    Claim(
        "ch03.lstm_far",
        "An LSTM, trained the same way, learns the task at distance 60.",
        "held-out accuracy of the LSTM at distance 60",
        ">=",
        0.9,
        over="median",
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
        "ch03.truncated_below_full",
        "The same LSTM trained with truncated BPTT (k = 10) at distance 60 ends far below "
        "the LSTM trained with full BPTT.",
        "accuracy of full-BPTT LSTM minus truncated-BPTT LSTM at distance 60 (paired)",
        ">=",
        0.15,
        over="median",
    ),
]


def measure(seed_base: int) -> dict:
    """Every claim of the chapter, measured as the notebook measures it, from ``seed_base``."""
    from coursepkg.chapters.ch03_vanishing_gradients import experiments as ex
    from coursepkg.seeds import block

    seeds = block(ex.BOOK.n_seeds, base=seed_base)
    checks = ex.decay_checks(seeds[0], ex.BOOK)
    study = ex.distal_study(seeds, ex.BOOK)
    truncated = ex.truncation_horizon(seeds[0], ex.BOOK)
    return {**checks.claims(), **study.claims(), **truncated.claims()}
