"""Plausible wrong implementations of ``hierarchical_encode``, ``dilated_rnn`` and
``path_length``."""

from tests.exercises.mistakes import Mistake

MISTAKES = [
    Mistake(
        "short last chunk padded at its start",
        "x = torch.cat([x, padding], dim=1)",
        "x = torch.cat([padding, x], dim=1)",
        blames=("hierarchical_encode",),
        forbidden=("torch.cat([x, padding]", "cat([x,", "after the data", "at the end of x"),
    ),
    Mistake(
        "short last chunk dropped",
        "    n = math.ceil(L / chunk)  # chunks, the last one possibly short\n"
        "    padding = x.new_zeros(B, n * chunk - L, C)\n"
        "    x = torch.cat([x, padding], dim=1)  # zero rows at the end of the last chunk\n",
        "    n = L // chunk\n    x = x[:, : n * chunk]\n",
        blames=("hierarchical_encode",),
        forbidden=("math.ceil", "ceil(L / chunk)", "new_zeros(B, n * chunk - L"),
    ),
    Mistake(
        "dilation applied as a stride (the layer keeps every d-th position)",
        "        u = torch.stack(states, dim=1)\n",
        "        u = torch.stack(states, dim=1)[:, ::d]\n",
        blames=("dilated_rnn",),
        forbidden=("[:, ::d]", "torch.stack(states, dim=1)\n"),
    ),
    Mistake(
        "dilation ignored (every layer looks one step back)",
        "back = states[t - d] if t >= d else zero",
        "back = states[t - 1] if t >= 1 else zero",
        blames=("dilated_rnn",),
        forbidden=("states[t - d]", "t >= d"),
    ),
    Mistake(
        "every layer reads x instead of the layer below",
        'u[:, t] @ w["W_x"].T',
        'x[:, t] @ w["W_x"].T',
        blames=("dilated_rnn",),
        forbidden=('u[:, t] @ w["W_x"]', "u = torch.stack"),
    ),
    Mistake(
        "path_length of a flat RNN is L instead of L - 1",
        "        return L - 1\n",
        "        return L\n",
        blames=("path_length",),
        forbidden=("return L - 1", "L - 1 steps"),
    ),
    Mistake(
        "hierarchical path counts positions instead of steps",
        "return (chunk - 1) + (math.ceil(L / chunk) - 1)",
        "return chunk + math.ceil(L / chunk)",
        blames=("path_length",),
        forbidden=("(chunk - 1) + (math.ceil(L / chunk) - 1)", "chunk - 1"),
    ),
    Mistake(
        "dilated path taken greedily (largest step first) instead of the fewest steps",
        "    fewest = [0] + [math.inf] * (L - 1)\n"
        "    for distance in range(1, L):\n"
        "        for d in dilations:\n"
        "            if d <= distance and fewest[distance - d] + 1 < fewest[distance]:\n"
        "                fewest[distance] = fewest[distance - d] + 1\n",
        "    left, steps = L - 1, 0\n"
        "    for d in sorted(dilations, reverse=True):\n"
        "        steps += left // d\n"
        "        left %= d\n"
        "    fewest = [math.inf] * (L - 1) + [steps if left == 0 else math.inf]\n",
        blames=("path_length",),
        forbidden=("fewest[distance - d]", "for distance in range", "dynamic programming"),
        public_may_pass=False,
    ),
]
