"""A strand-symmetric classifier: the same network reads both strands, and they vote.

DNA has two strands. A protein that binds the double helix meets a site as written on
one strand or as its reverse complement on the other, so for such a label

    f(x) = f(rc(x))    (rc: reverse complement)

should hold for any window ``x``. A network trained on data from one strand need not
learn it. Sharing one network ``g`` between the strands makes it true by construction
(reverse-complement parameter sharing, Shrikumar et al., 2017):

    f(x) = ( g(x) + g(rc(x)) ) / 2

``rc(rc(x)) = x`` and addition commutes, so ``f(rc(x))`` adds the same two numbers and
equals ``f(x)`` exactly, in floating point too.

For a label at every base (``per_position=True``), base t of ``x`` is base ``L - 1 - t`` of
``rc(x)``, so the other strand's answers are read back in this strand's order:

    f(x)_t = ( g(x)_t + g(rc(x))_{L-1-t} ) / 2,     and then  f(rc(x)) = reverse(f(x)).

The reverse complement is taken inside :meth:`StrandSymmetric.forward`: the channels are
permuted to their complements, a permutation derived from :data:`coursepkg.sequences.DNA`
and :data:`coursepkg.sequences.COMPLEMENT` (``[3, 2, 1, 0]`` for ``ACGT``), and the
length axis is reversed. All-zero rows (``N``) stay all-zero.
"""

from __future__ import annotations

import torch
from torch import nn

from coursepkg.sequences import COMPLEMENT, DNA, check_onehot


class StrandSymmetric(nn.Module):
    """Wrap a classifier ``g`` so that both strands are read with its weights and their
    logits averaged.

    Parameters
    ----------
    model : nn.Module
        The shared network ``g``: ``(B, L, 4) -> (B,)`` or ``(B, K)`` logits per sequence,
        or ``(B, L)`` or ``(B, L, K)`` per base; its parameters are this module's.
    per_position : bool
        Whether ``g`` answers at every base (its answers on the other strand are then
        reversed along the length axis before they are averaged).
    """

    def __init__(self, model: nn.Module, per_position: bool = False):
        super().__init__()
        self.model, self.per_position = model, per_position
        complement = [DNA.index(COMPLEMENT[base]) for base in DNA]
        self.register_buffer("complement", torch.tensor(complement), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(g(x) + g(rc(x))) / 2`` for ``x`` of shape ``(B, L, 4)`` (per base: the other
        strand's answers reversed first)."""
        x = check_onehot(x, channels=len(DNA), batched=True)
        other_strand = x.index_select(-1, self.complement).flip(-2)  # (B, L, 4), read 5'->3'
        there = self.model(other_strand)
        if self.per_position:
            there = there.flip(1)  # (B, L[, K]): base t of x is base L-1-t of the other strand
        return (self.model(x) + there) / 2
