"""Plausible wrong implementations of ``lstm_cell``."""

from tests.exercises.mistakes import Mistake

CHUNKS = "z_i, z_f, z_g, z_o = z.chunk(4, dim=-1)"

MISTAKES = [
    Mistake(
        "gate order i, f, o, g",
        CHUNKS,
        "z_i, z_f, z_o, z_g = z.chunk(4, dim=-1)",
        blames=("lstm_cell",),
        forbidden=("z_g, z_o", "i, f, g, o"),
    ),
    Mistake(
        "gates interleaved unit by unit instead of stacked in blocks",
        CHUNKS,
        "z_i, z_f, z_g, z_o = z.view(z.shape[0], -1, 4).unbind(-1)",
        blames=("lstm_cell",),
        forbidden=("chunk", "view("),
    ),
    Mistake(
        "weights not transposed",
        "z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh",
        "z = x @ W_ih + b_ih + h @ W_hh + b_hh",
        blames=("lstm_cell",),
        forbidden=("W_ih.T", "W_hh.T", "transpose"),
    ),
    Mistake(
        "written for one vector, not a batch",
        "z = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh",
        "z = W_ih @ x + b_ih + W_hh @ h + b_hh",
        blames=("lstm_cell",),
        forbidden=("x @ W_ih", "W_ih.T"),
    ),
    Mistake(
        "hidden-to-hidden bias forgotten",
        "h @ W_hh.T + b_hh",
        "h @ W_hh.T",
        blames=("lstm_cell",),
        forbidden=("+ b_hh",),
    ),
    Mistake(
        "sigmoid candidate",
        "g = torch.tanh(z_g)",
        "g = torch.sigmoid(z_g)",
        blames=("lstm_cell",),
        forbidden=("torch.tanh", "tanh(z_g)"),
    ),
    Mistake(
        "input and forget gates swapped in the cell update",
        "c_new = f * c + i * g",
        "c_new = i * c + f * g",
        blames=("lstm_cell",),
        forbidden=("f * c", "i * g"),
    ),
    Mistake(
        "output not squashed by tanh",
        "h_new = o * torch.tanh(c_new)",
        "h_new = o * c_new",
        blames=("lstm_cell",),
        forbidden=("tanh(c_new)", "tanh(c"),
    ),
    Mistake(
        "h and c returned in the wrong order",
        'return h_new, c_new, {"i": i, "f": f, "g": g, "o": o}',
        'return c_new, h_new, {"i": i, "f": f, "g": g, "o": o}',
        blames=("lstm_cell",),
        forbidden=("h_new, c_new",),
    ),
    Mistake(
        "gates returned before their nonlinearity",
        'return h_new, c_new, {"i": i, "f": f, "g": g, "o": o}',
        'return h_new, c_new, {"i": z_i, "f": z_f, "g": z_g, "o": z_o}',
        blames=("lstm_cell",),
        forbidden=("sigmoid(", '"i": i'),
    ),
]
