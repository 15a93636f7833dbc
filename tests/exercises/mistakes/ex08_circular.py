"""Plausible wrong implementations of ``circular_two_pass``, ``circular_pad`` and ``rotate``."""

from tests.exercises.mistakes import Mistake

PAD = (
    "    positions = torch.arange(-context, L) % L  "
    "# output position i holds base (i - context) mod L\n"
    "    return x[:, positions]"
)
"""The body of the solution's ``circular_pad`` after ``L = x.shape[1]``."""

MISTAKES = [
    Mistake(
        "second pass restarts from zero",
        "    states = []\n",
        "    states = []\n    h = x.new_zeros(B, W_h.shape[0])\n",
        blames=("circular_two_pass",),
        forbidden=("h_L", "new_zeros"),
    ),
    Mistake(
        "states of the first pass returned",
        "        h = torch.tanh(x[:, t] @ W_x.T + h @ W_h.T + b)\n    states = []\n",
        "        h = torch.tanh(x[:, t] @ W_x.T + h @ W_h.T + b)\n"
        "    states = []\n    h = x.new_zeros(B, W_h.shape[0])\n",
        blames=("circular_two_pass",),
    ),
    Mistake(
        "second pass starts from the first pass's state after x_0",
        "    for t in range(L):  # first pass: once round the circle",
        "    for t in range(1):  # first pass: once round the circle",
        blames=("circular_two_pass",),
    ),
    Mistake(
        "wrap-around context longer than the circle (slicing)",
        PAD,
        "    return torch.cat([x[:, L - context :], x], dim=1)",
        blames=("circular_pad",),
        forbidden=("% L", "mod L)", "arange"),
    ),
    Mistake(
        "zero context (negative slicing)",
        PAD,
        "    return torch.cat([x[:, -context:], x], dim=1) if context <= L else x.repeat(1, 2, 1)",
        blames=("circular_pad",),
    ),
    Mistake(
        "context wrapped at the wrong end",
        PAD,
        "    return x[:, torch.arange(0, L + context) % L]",
        blames=("circular_pad",),
    ),
    Mistake(
        "rotation in the wrong direction",
        "source = (torch.arange(L) - shift) % L",
        "source = (torch.arange(L) + shift) % L",
        blames=("rotate",),
        forbidden=("- shift", "arange(L) -"),
    ),
    Mistake(
        "shift not reduced modulo the length (slicing)",
        "    source = (torch.arange(L) - shift) % L  # out[:, i] = x[:, (i - shift) % L]\n"
        "    return x[:, source]",
        "    return torch.cat([x[:, L - shift :], x[:, : L - shift]], dim=1)",
        blames=("rotate",),
        forbidden=("% L", "shift % "),
    ),
    Mistake(
        "batch vs single input: rolls the batch axis",
        "    return x[:, source]",
        "    return torch.roll(x, shifts=shift, dims=0)",
        blames=("rotate",),
    ),
    Mistake(
        "rolls the channels",
        "    return x[:, source]",
        "    return torch.roll(x, shifts=shift, dims=-1)",
        blames=("rotate",),
    ),
]
