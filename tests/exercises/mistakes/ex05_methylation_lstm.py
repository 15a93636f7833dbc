"""Plausible wrong implementations of ``methylation_step`` and ``methylation_lstm``.

``methylation_lstm`` calls ``methylation_step`` in the solution, so a mistake in the step
also shows in the loop: such a mistake may be blamed on either function.
"""

from tests.exercises.mistakes import Mistake

BOTH = ("methylation_step", "methylation_lstm")
LOOP = ("methylation_lstm",)

MISTAKES = [
    Mistake(
        "tanh candidate",
        'c_tilde = torch.sigmoid(x @ params["W_c"].T',
        'c_tilde = torch.tanh(x @ params["W_c"].T',
        blames=BOTH,
        forbidden=("torch.sigmoid", "sigmoid("),
    ),
    Mistake(
        "input gate not tied to the forget gate",
        "c = f * c + (1 - f) * c_tilde",
        "c = f * c + c_tilde",
        blames=BOTH,
        forbidden=("(1 - f)", "1 - f"),
    ),
    Mistake(
        "forget gate applied to the candidate",
        "c = f * c + (1 - f) * c_tilde",
        "c = (1 - f) * c + f * c_tilde",
        blames=BOTH,
        forbidden=("f * c +", "(1 - f) * c_tilde"),
    ),
    Mistake(
        "full instead of diagonal recurrence",
        'params["u_f"] * h + params["b_f"]',
        '(h @ params["u_f"])[:, None] + params["b_f"]',
        blames=BOTH,
        forbidden=('params["u_f"] * h', "* h"),
    ),
    Mistake(
        "weights not transposed",
        'x @ params["W_f"].T',
        'x @ params["W_f"]',
        blames=BOTH,
        forbidden=('W_f"].T', "transpose"),
    ),
    Mistake(
        "h_0 = 0 instead of h_0 = c_0",
        "h, c = c0, c0",
        "h, c = torch.zeros_like(c0), c0",
        blames=LOOP,
        forbidden=("h, c = c0", "h = c0"),
    ),
    Mistake(
        "states recorded before the step",
        "        h, c = methylation_step(x[:, t], h, c, params)\n        states.append(c)",
        "        states.append(c)\n        h, c = methylation_step(x[:, t], h, c, params)",
        blames=LOOP,
        forbidden=("states.append",),
    ),
    Mistake(
        "time read from the batch axis",
        "h, c = methylation_step(x[:, t], h, c, params)",
        "h, c = methylation_step(x[t], h, c, params)",
        blames=LOOP,
        forbidden=("x[:, t]",),
    ),
]
