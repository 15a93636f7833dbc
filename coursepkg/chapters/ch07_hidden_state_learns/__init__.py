"""Chapter 7, "What the hidden state learns" (``book/07_hidden_state_learns.ipynb``).

What the units of trained recurrent networks track: a bidirectional LSTM that tells
promoters from enhancers, a next-residue model of a protein family, and a next-nucleotide
model of twelve species' genomes, each beside the same network untrained.
``experiments``, ``figures``, ``explorer`` and ``claims`` as every chapter.
"""
