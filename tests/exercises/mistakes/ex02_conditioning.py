"""Plausible wrong implementations of ``CellTypeRNN`` and ``OmicsConditionedRNN``."""

from tests.exercises.mistakes import Mistake

MISTAKES = [
    Mistake(
        "h0 ignores the cell type",
        "        return self.embed(cell_type)",
        "        return self.embed(torch.zeros_like(cell_type))",
        blames=("CellTypeRNN",),
    ),
    Mistake(
        "h0 fixed at zero",
        "        return self.embed(cell_type)",
        "        return torch.zeros(cell_type.shape[0], self.rnn.hidden_size)",
        blames=("CellTypeRNN",),
    ),
    Mistake(
        "forward ignores h0",
        "        states, _ = self.rnn(x, h0)  # (B, T, H)",
        "        states, _ = self.rnn(x)  # (B, T, H)",
        blames=("CellTypeRNN", "OmicsConditionedRNN"),
    ),
    Mistake(
        "omics h0 ignores z",
        "        return self.encoder(z)",
        "        return self.encoder(torch.zeros_like(z))",
        blames=("OmicsConditionedRNN",),
    ),
]
