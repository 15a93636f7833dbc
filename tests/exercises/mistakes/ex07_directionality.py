"""Plausible wrong implementations of ``reverse_complement``, ``bidirectional_states`` and
``rc_augment``."""

from tests.exercises.mistakes import Mistake

MISTAKES = [
    Mistake(
        "reverse without complement",
        "return torch.flip(x, dims=(-2, -1))",
        "return torch.flip(x, dims=(-2,))",
        blames=("reverse_complement",),
        forbidden=("dims=(-2, -1)", "flip(-1)", "3 - k"),
    ),
    Mistake(
        "complement without reverse",
        "return torch.flip(x, dims=(-2, -1))",
        "return torch.flip(x, dims=(-1,))",
        blames=("reverse_complement",),
        forbidden=("dims=(-2, -1)", "flip(-2)"),
    ),
    Mistake(
        "N rows turned into bases (complement through argmax)",
        "return torch.flip(x, dims=(-2, -1))",
        "return torch.nn.functional.one_hot(3 - x.argmax(-1).flip(-1), 4).to(x.dtype)",
        blames=("reverse_complement",),
        forbidden=("argmax",),
    ),
    Mistake(
        "batch axes hard-coded (fails on a single sequence)",
        "return torch.flip(x, dims=(-2, -1))",
        "return torch.flip(x, dims=(1, 2))",
        blames=("reverse_complement",),
        forbidden=("dims=(-2, -1)",),
    ),
    Mistake(
        "flips the batch instead of the positions",
        "return torch.flip(x, dims=(-2, -1))",
        "return torch.flip(x, dims=(0, -1))",
        blames=("reverse_complement",),
        forbidden=("dims=(-2, -1)",),
    ),
    Mistake(
        "backward states left unaligned (not re-reversed)",
        "    backward = backward[::-1]  # back in sequence order: "
        "backward[t] has read x_t .. x_{L-1}\n",
        "",
        blames=("bidirectional_states",),
        forbidden=("[::-1]", "reverse()", "flip("),
    ),
    Mistake(
        "backward RNN reads left to right",
        "for t in range(L - 1, -1, -1):  # reads x_{L-1} down to x_t",
        "for t in range(L):",
        blames=("bidirectional_states",),
        forbidden=("range(L - 1, -1, -1)",),
    ),
    Mistake(
        "forward weights used for the backward half",
        'g = torch.tanh(x[:, t] @ bwd["W_x"].T + g @ bwd["W_h"].T + bwd["b"])',
        'g = torch.tanh(x[:, t] @ fwd["W_x"].T + g @ fwd["W_h"].T + fwd["b"])',
        blames=("bidirectional_states",),
    ),
    Mistake(
        "halves concatenated in the wrong order",
        "torch.cat([torch.stack(forward, dim=1), torch.stack(backward, dim=1)], dim=-1)",
        "torch.cat([torch.stack(backward, dim=1), torch.stack(forward, dim=1)], dim=-1)",
        blames=("bidirectional_states",),
    ),
    Mistake(
        "labels not doubled",
        "return torch.cat([x, other_strand], dim=0), torch.cat([y, y], dim=0)",
        "return torch.cat([x, other_strand], dim=0), y",
        blames=("rc_augment",),
        forbidden=("torch.cat([y, y]",),
    ),
    Mistake(
        "copies not matched with their labels",
        "return torch.cat([x, other_strand], dim=0), torch.cat([y, y], dim=0)",
        "return torch.cat([x, other_strand.flip(0)], dim=0), torch.cat([y, y], dim=0)",
        blames=("rc_augment",),
    ),
    Mistake(
        "augmented copies reversed but not complemented",
        "other_strand = torch.flip(x, dims=(1, 2))",
        "other_strand = torch.flip(x, dims=(1,))",
        blames=("rc_augment",),
        forbidden=("dims=(1, 2)",),
    ),
]
