"""Plausible wrong implementations of ``CellTypeRNN`` and ``OmicsConditionedRNN``."""

from tests.exercises.mistakes import Mistake

MISTAKES = [
    # The embedding is there, but every cell type reads the same row of it.
    Mistake(
        "h0 ignores the cell type",
        "        return self.embed(cell_type)",
        "        return self.embed(torch.zeros_like(cell_type))",
        blames=("CellTypeRNN",),
        forbidden=("embed(cell_type)", "zeros_like"),
    ),
    # The "conditioned" model is an unconditioned one in disguise.
    Mistake(
        "h0 fixed at zero",
        "        return self.embed(cell_type)",
        "        return torch.zeros(cell_type.shape[0], self.rnn.hidden_size)",
        blames=("CellTypeRNN",),
        forbidden=("embed(cell_type)", "nn.Embedding"),
    ),
    # initial_state is right, but forward lets the RNN start from zero.
    Mistake(
        "forward ignores h0",
        "        states, _ = self.rnn(x, h0)  # (B, T, H)",
        "        states, _ = self.rnn(x)  # (B, T, H)",
        blames=("CellTypeRNN",),
        forbidden=("self.rnn(x, h0)", "rnn(x, h0"),
    ),
    Mistake(
        "omics h0 ignores z",
        "        return self.encoder(z)",
        "        return self.encoder(torch.zeros_like(z))",
        blames=("OmicsConditionedRNN",),
        forbidden=("encoder(z)", "zeros_like"),
    ),
    # Off by one: the RNN reads x_{t+1}, the very value it is asked to predict.
    Mistake(
        "reads the next time point",
        "        states, _ = self.rnn(x, h0)\n",
        "        states, _ = self.rnn(torch.roll(x, -1, dims=1), h0)\n",
        blames=("OmicsConditionedRNN",),
        forbidden=("torch.roll", "roll("),
    ),
]
