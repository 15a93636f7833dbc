"""Chapter 6, "Direction and symmetry" (``book/06_direction_symmetry.ipynb``).

Reading direction (a forward LSTM on reversed input; the bidirectional LSTM), the two
strands (reverse-complement augmentation and a strand-symmetric model) and circular
genomes (the two-pass and duplication methods against a linear baseline), on real and
simulated sequences. ``experiments``, ``figures``, ``explorer`` and ``claims`` as every
chapter.
"""
