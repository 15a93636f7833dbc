"""Plausible wrong implementations of ``motif_rnn_weights``."""

from tests.exercises.mistakes import Mistake

MISTAKES = [
    # After a mismatch, fall back only to "nothing" or "first letter": misses overlaps.
    Mistake(
        "naive fallback",
        "            while k > 0 and not text.endswith(motif[:k]):\n                k -= 1\n",
        "            k = k if text == motif[:k] else (1 if a == motif[0] else 0)\n",
        blames=("motif_rnn_weights",),
        forbidden=("longest", "suffix", "endswith", "KMP", "Knuth"),
    ),
    # The matched state is not absorbing: the output drops after the motif.
    Mistake(
        "bound state not absorbing",
        "            if q == m:\n                row[a] = m\n                continue\n",
        "",
        blames=("motif_rnn_weights",),
        forbidden=("self-connection", "to itself", "absorbing"),
    ),
]
