"""coursepkg: the code behind 'Recurrent Neural Networks for Biological Sequences'.

Data flows one way: sequences -> data -> models -> training -> analysis -> figures.
"""

from coursepkg.sequences import DNA, PROTEIN, decode, onehot, reverse_complement, rotate, validate

__version__ = "0.1.0"

__all__ = ["DNA", "PROTEIN", "decode", "onehot", "reverse_complement", "rotate", "validate"]
