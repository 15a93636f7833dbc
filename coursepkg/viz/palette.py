"""Colours, one palette per concept, shared by every figure of the book.

A concept keeps its colour from the first chapter to the last: the LSTM is the same blue in
chapter 3's accuracy plot and chapter 5's, base ``A`` the same green in every logo and
track. The colours come from the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness. A figure asks for a colour by concept and key
(:func:`colour`); an unknown key is an error, so a new model or state gets its colour
here, once, before any figure uses it.
"""

from __future__ import annotations

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "grey": "#999999",
}

BASES = {"A": "#009E73", "C": "#0072B2", "G": "#E69F00", "T": "#D55E00", "N": "#999999"}
"""DNA bases, in the colours sequence logos traditionally use (A green, C blue, G orange,
T red)."""

MODELS = {
    "rnn": OKABE_ITO["vermillion"],  # vanilla (Elman) tanh RNN
    "lstm": OKABE_ITO["blue"],
    "gru": OKABE_ITO["sky blue"],
    "hierarchical": OKABE_ITO["bluish green"],
    "dilated": OKABE_ITO["reddish purple"],
    "bidirectional": OKABE_ITO["orange"],
    "untrained": OKABE_ITO["grey"],  # the untrained control of any model
    "baseline": OKABE_ITO["black"],  # a non-recurrent baseline (k-mer, linear, constant)
}
"""Model families, the same colour in every chapter."""

INITIAL_STATES = {
    "zero": OKABE_ITO["grey"],
    "shared": OKABE_ITO["sky blue"],
    "embedding": OKABE_ITO["bluish green"],
    "mlp": OKABE_ITO["reddish purple"],
    "type": OKABE_ITO["bluish green"],  # h0 read from the cell type (as "embedding")
    "omics": OKABE_ITO["reddish purple"],  # h0 read from omics covariates (as "mlp")
}
"""Chapter 2's choices of ``h_0`` (its ensemble names them by what ``h_0`` may read:
``zero``, ``shared``, ``type``, ``omics``)."""

TRAINING_REGIMES = {
    "short, planted": OKABE_ITO["bluish green"],
    "short, as drawn": OKABE_ITO["sky blue"],
    "long, planted": OKABE_ITO["orange"],
    "long, as drawn": OKABE_ITO["vermillion"],
}
"""Chapter 1's training regimes: short (20-base) or long (50-base) sequences, with a motif
planted in half of them or as randomly drawn."""

MACHINE_STATES = ("#999999", "#56B4E9", "#E69F00", "#009E73")
"""States s0..s3 of a motif-detecting finite-state machine (searching .. bound)."""

REFERENCE = {
    "truth": OKABE_ITO["black"],  # the noise-free ground truth of a simulation
    "measured": OKABE_ITO["grey"],  # noisy measurements
    "chance": OKABE_ITO["grey"],  # chance level, drawn dotted
    "bound": OKABE_ITO["black"],  # a theoretical bound or prediction, drawn dashed
}
"""What a model is compared against."""

GATES = {
    "input": OKABE_ITO["bluish green"],
    "forget": OKABE_ITO["vermillion"],
    "candidate": OKABE_ITO["orange"],
    "output": OKABE_ITO["reddish purple"],
    "cell": OKABE_ITO["blue"],  # the cell state, drawn with the gates
}
"""An LSTM's four gates and its cell state (chapter 4 onwards)."""

ACCESSIBILITY = {
    "open": OKABE_ITO["yellow"],  # open chromatin, drawn as a light band behind a track
    "closed": OKABE_ITO["grey"],
}
"""Open and closed chromatin."""

FORGET_SETTINGS = {
    "trained": MODELS["lstm"],  # the forget gate as trained
    "clamped at 1": OKABE_ITO["orange"],  # never forget
    "clamped at 0": OKABE_ITO["grey"],  # forget at every step
    "bias 0": OKABE_ITO["sky blue"],  # torch's initialisation: f near 0.5
    "bias +3": MODELS["lstm"],  # forget gate biased open: f near 0.95
}
"""An LSTM's forget gate: as trained, clamped, or at a chosen initial bias (chapter 4)."""

DIRECTIONS = {
    "forward": OKABE_ITO["blue"],  # reads 5' to 3'
    "backward": OKABE_ITO["reddish purple"],  # reads 3' to 5' (or reversed input)
    "both": MODELS["bidirectional"],
}
"""Chapter 6: the direction a sequence is read in."""

STRAND_TRAINING = {
    "plain": OKABE_ITO["grey"],
    "augmented": OKABE_ITO["sky blue"],  # reverse-complement augmentation
    "symmetric": OKABE_ITO["bluish green"],  # one network shared by both strands
}
"""Chapter 6: ways to train for a label that is the same on both strands."""

CIRCULAR_METHODS = {
    "linear": OKABE_ITO["grey"],  # the baseline that ignores the circle
    "two_pass": OKABE_ITO["vermillion"],
    "duplication": OKABE_ITO["sky blue"],
}
"""Chapter 6: ways to run a recurrent network on a circular sequence."""

STRANDS = {"+": OKABE_ITO["bluish green"], "-": OKABE_ITO["reddish purple"]}
"""Genes on the plus and the minus strand of a genome (annotation tracks)."""

SITES = {"start": OKABE_ITO["sky blue"], "stop": OKABE_ITO["vermillion"]}
"""Start and stop codons of genes."""

SEQUENCE_SOURCES = {
    "samples": OKABE_ITO["blue"],  # written by a trained model (an LSTM: the model's colour)
    "held-out members": OKABE_ITO["bluish green"],  # real members the model never saw
    "shuffled": OKABE_ITO["orange"],  # a sample with its residues in random order
    "random": OKABE_ITO["grey"],  # residues drawn from the family's composition
}
"""Where a protein sequence judged against a family comes from (chapter 8)."""

REGULATORY = {
    "enhancer": OKABE_ITO["reddish purple"],
    "promoter": OKABE_ITO["bluish green"],
    "motif": OKABE_ITO["blue"],  # a transcription-factor site
    "TATA": OKABE_ITO["vermillion"],
    "CpG": OKABE_ITO["orange"],
}
"""Chapter 7: the two classes of regulatory sequence and the elements that define them."""

PALETTES = {
    "bases": BASES,
    "models": MODELS,
    "initial_states": INITIAL_STATES,
    "training_regimes": TRAINING_REGIMES,
    "reference": REFERENCE,
    "gates": GATES,
    "accessibility": ACCESSIBILITY,
    "forget_settings": FORGET_SETTINGS,
    "directions": DIRECTIONS,
    "strand_training": STRAND_TRAINING,
    "circular_methods": CIRCULAR_METHODS,
    "strands": STRANDS,
    "sites": SITES,
    "sequence_sources": SEQUENCE_SOURCES,
    "regulatory": REGULATORY,
}


def colour(concept: str, key: str) -> str:
    """The colour of ``key`` in the palette of ``concept`` (``colour("models", "lstm")``)."""
    try:
        palette = PALETTES[concept]
    except KeyError:
        raise ValueError(f"no palette for {concept!r}; palettes: {sorted(PALETTES)}") from None
    try:
        return palette[key]
    except KeyError:
        raise ValueError(
            f"{key!r} has no colour in the {concept!r} palette (known: {sorted(palette)}); "
            "add it to coursepkg/viz/palette.py"
        ) from None
